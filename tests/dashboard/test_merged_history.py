"""The edit page of a service shows each service merged into it: its name, when and by whom
(named by role), and its history, version by version, through Streamlit's AppTest."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.store import claims, pairs
from analysis.store.editing import open_service, save_service
from analysis.store.schema import THE_SAME
from tests.dashboard.shown import shown
from tests.dashboard.test_people_pages import (  # noqa: F401 (the fixture)
    KEEPER,
    ORG,
    SERVICE,
    _account,
    _app,
    store,
)

TWIN = "ember-together--benefits-help-2"
"""A second listing of `SERVICE` in the demo, of the same organisation."""
OTHERS = "gorse-neighbours--lunch-club"
"""A service of another organisation, with an email of its own."""
MERGED = "Merged into this service"


@pytest.fixture
def directory(store):  # noqa: F811 (the fixture imported above)
    """The demo directory in a database of this test only, set for the app."""
    return store


def _merge(directory, reviewer, merged: str, *, capacity: float | None = None) -> None:
    """``reviewer`` changes ``merged`` (when ``capacity`` is given), then decides it and
    `SERVICE` are the same, keeping `SERVICE`."""
    if capacity is not None:
        version = open_service(directory, merged).version
        save_service(
            directory, merged, {"capacity": capacity}, expected_version=version, actor=reviewer
        )
    pairs.decide_pair(directory, reviewer, SERVICE, merged, THE_SAME, kept=SERVICE)


def _edit_page(session, service: str = SERVICE):
    at = _app("edit", session, org=ORG, service=service)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _merged_part(at):
    [part] = [e for e in at.expander if e.label == MERGED]
    texts = " ".join(shown(m.value) for m in part.markdown)
    tables = [frame.value for frame in part.dataframe]
    return texts, tables


def test_the_kept_service_shows_the_merged_ones_history(directory):
    reviewer = _account(directory, "rev@example.org", role="reviewer")
    editor = _account(directory, "group@example.org")
    claims.grant_editor(directory, KEEPER, editor.account.id, ORG)
    _merge(directory, reviewer.account.actor, TWIN, capacity=12.0)
    texts, [table] = _merged_part(_edit_page(editor))
    assert "**Benefits Help**, merged on" in texts and "UTC by a reviewer" in texts
    assert "rev@example.org" not in texts
    assert list(table.columns) == ["Version", "When (UTC)", "By", "Field", "Was", "Became"]
    assert set(table["Version"]) == {1, 2, 3}
    created = table[table["Version"] == 1]
    assert "Benefits Help" in set(created["Became"]) and set(created["Was"]) == {"—"}
    assert (created["By"] != "a reviewer").all()  # made by the import
    changed = table[table["Version"] == 2].set_index("Field")
    assert changed.loc["Capacity", ["By", "Became"]].tolist() == ["a reviewer", "12"]
    archived = table[table["Version"] == 3].set_index("Field")
    assert archived.loc["Archived", ["By", "Was", "Became"]].tolist() == ["a reviewer", "no", "yes"]
    # Its own organisation's service: its editor sees its contact details.
    email = created.set_index("Field").loc["Email", "Became"]
    assert email == "hello@ember-together.example.org"


def test_another_organisations_merged_service_keeps_its_contacts_from_this_editor(directory):
    reviewer = _account(directory, "rev@example.org", role="reviewer")
    editor = _account(directory, "group@example.org")
    claims.grant_editor(directory, KEEPER, editor.account.id, ORG)
    _merge(directory, reviewer.account.actor, OTHERS)
    texts, [table] = _merged_part(_edit_page(editor))
    assert "**Lunch Club**, merged on" in texts
    shown_values = set(table["Was"]) | set(table["Became"])
    assert "hello@gorse-neighbours.example.org" not in shown_values
    assert table.set_index("Field").loc["Email", "Became"].startswith("not shown")
    # A reviewer may see every organisation's contacts.
    _, [for_reviewer] = _merged_part(_edit_page(reviewer))
    email = for_reviewer[for_reviewer["Version"] == 1].set_index("Field").loc["Email", "Became"]
    assert email == "hello@gorse-neighbours.example.org"


def test_a_service_with_nothing_merged_into_it_shows_no_such_part(directory):
    reviewer = _account(directory, "rev@example.org", role="reviewer")
    _merge(directory, reviewer.account.actor, TWIN)
    at = _edit_page(reviewer, service="ember-together--job-club")
    assert MERGED not in [e.label for e in at.expander]
    _, [table] = _merged_part(_edit_page(reviewer))  # the kept one has it
    assert isinstance(table, pd.DataFrame) and not table.empty
