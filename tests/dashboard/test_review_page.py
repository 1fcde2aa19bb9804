"""The reviewers' review list and the overview's freshness section, through AppTest on a
database of each test's own (holding the demo)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from analysis.model import LAST_UPDATED, ORG_ID, ORG_NAME, SERVICE_NAME
from analysis.store.editing import open_organisation, open_service, verify_service
from dashboard.components.freshness_map import percent_classification
from tests.dashboard.shown import shown
from tests.dashboard.test_people_pages import KEEPER, _account, _app, store  # noqa: F401

CONFIRMED = "ember-together--money-advice"
"""A demo service dated 28 October 2025: over a year old from 29 October 2026."""
HEADLINE = re.compile(r"^([\d,]+) of ([\d,]+) entries \((\d+)%\) are over a year old$")


def _headline(at) -> re.Match | None:
    return next(
        (m for m in (HEADLINE.match(shown(s.value)) for s in at.subheader) if m),
        None,
    )


def _entries(at, name: str, organisation: str):
    """The list's rows of the services called ``name`` of ``organisation``."""
    listed = at.dataframe[0].value
    return listed[(listed["Service"] == name) & (listed["Organisation"] == organisation)]


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info]
    return " ".join(shown(str(part)) for part in parts)


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_a_reviewer_sees_the_headline_the_sentences_and_the_list(store, role):  # noqa: F811
    at = _app("review", _account(store, f"{role}@example.org", role=role))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    headline = _headline(at)
    assert headline, [s.value for s in at.subheader]
    stale, total = (int(headline.group(k).replace(",", "")) for k in (1, 2))
    assert total > 0 and 0 <= stale <= total
    listed, cells = at.dataframe[0].value, at.dataframe[1].value
    assert len(listed) == total
    assert list(listed.columns) == [
        "Service",
        "Organisation",
        "Ward",
        "Categories",
        "Last checked",
        "Months since last check",
        "Next reminder",
        "Over a year old",
    ]
    assert (listed["Over a year old"] == "yes").sum() == stale
    assert {"Ward", "Category", "Entries", "Over a year old"} <= set(cells.columns)
    assert "Where old entries gather" in _texts(at)
    assert any(b.label == "Download the list (CSV)" for b in at.get("download_button"))


def test_a_confirmed_entry_counts_as_checked_today(store):  # noqa: F811
    reviewer = _account(store, "rev@example.org", role="reviewer")
    before = _app("review", reviewer)
    before.run()
    stale_before = int(_headline(before).group(1).replace(",", ""))
    stored = open_service(store, CONFIRMED)
    name, dated = stored.record[SERVICE_NAME], stored.record[LAST_UPDATED]
    organisation = open_organisation(store, stored.record[ORG_ID]).record[ORG_NAME]
    rows = _entries(before, name, organisation)
    [was] = [row for _, row in rows.iterrows() if row["Last checked"] == dated]
    verify_service(store, CONFIRMED, expected_version=stored.version, actor=KEEPER)
    after = _app("review", reviewer)
    after.run()
    assert not after.exception
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    again = _entries(after, name, organisation)
    [now] = [row for _, row in again.iterrows() if row["Last checked"] == today]
    assert now["Over a year old"] == "no"
    assert now["Months since last check"] == 0
    assert (again["Last checked"] == dated).sum() == (rows["Last checked"] == dated).sum() - 1
    gone = 1 if was["Over a year old"] == "yes" else 0
    assert int(_headline(after).group(1).replace(",", "")) == stale_before - gone


@pytest.mark.parametrize("role", [None, "editor"])
def test_the_public_and_editors_do_not_get_the_page(store, role):  # noqa: F811
    session = _account(store, "group@example.org", role=role) if role else None
    at = _app("review", session)
    at.run()
    assert not at.exception
    assert "The review list is for the directory's reviewers" in _texts(at)
    assert not at.dataframe and not _headline(at)


@pytest.mark.parametrize(
    ("role", "offered"), [(None, False), ("editor", False), ("reviewer", True)]
)
def test_the_sidebar_offers_the_review_list_to_reviewers_only(store, role, offered):  # noqa: F811
    session = _account(store, f"{role}@example.org", role=role) if role else None
    at = _app("overview", session)
    at.run()
    assert ("Review list" in at.sidebar.radio[0].options) is offered


def test_the_overview_shows_how_current_the_directory_is(store):  # noqa: F811
    at = _app("overview")
    at.run()
    assert not at.exception
    [switch] = [t for t in at.toggle if t.label == "How current is the directory?"]
    assert not switch.value  # drawn only when asked
    switch.set_value(True).run()
    assert not at.exception
    section = at.main
    text = " ".join(shown(m.value) for m in section.markdown)
    assert re.search(r"[\d,]+ of [\d,]+ entries \(\d+%\) were checked in the last year", text)
    captions = " ".join(shown(c.value) for c in section.caption)
    assert "share of the entries whose venue is in it" in captions


def test_the_freshness_map_classes_are_fixed_quarters_in_percent():
    classes = percent_classification()
    assert [classes.label_of(value) for value in (0, 10, 25, 60, 100, float("nan"))] == [
        "none",
        "up to 25%",
        "up to 25%",
        "50% to 75%",
        "75% to 100%",
        "no data",
    ]
    assert len(set(classes.colours)) == len(classes.labels)
