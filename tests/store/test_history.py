"""History: every change is a version with who, when, from what and the field's before and
after; deletes are soft; the directory reads as it was on a past date; a save over someone
else's change is refused with both values."""

from __future__ import annotations

from datetime import timedelta

import pytest

from analysis.cli import main
from analysis.errors import RecordNotFoundError, StaleRecordError, StoreError
from analysis.model import AUDIENCE, CAPACITY, FIELD_STATUS, SERVICE_ID, SERVICE_NAME
from analysis.store.access import command_line
from analysis.store.editing import (
    archive_service,
    open_service,
    restore_service,
    save_service,
    verify_service,
)
from analysis.store.history import history_lines, record_history
from analysis.store.reads import data_version, load_directory_from_store
from analysis.store.records import LAST_VERIFIED
from tests.store.conftest import DEMO_AT

SERVICE = "ember-together--benefits-help"
DAY = timedelta(days=1)


def _names(store, shape, **when) -> dict[str, str]:
    services = load_directory_from_store(store, shape=shape, **when).services
    return dict(zip(services[SERVICE_ID], services[SERVICE_NAME], strict=True))


def test_an_edit_is_a_new_version_and_the_past_reads_as_it_was(demo_store, shape):
    opened = open_service(demo_store, SERVICE)
    assert opened.version == 1
    at = DEMO_AT + 10 * DAY
    version = save_service(
        demo_store,
        SERVICE,
        {SERVICE_NAME: "Benefits and Debt Help", CAPACITY: 60.0},
        expected_version=1,
        actor=command_line("editor@example.org"),
        at=at,
    )
    assert version == 2
    assert _names(demo_store, shape)[SERVICE] == "Benefits and Debt Help"
    assert _names(demo_store, shape, as_of=(at - DAY).date())[SERVICE] == "Benefits Help"
    assert _names(demo_store, shape, as_of=at)[SERVICE] == "Benefits and Debt Help"
    changes = record_history(demo_store, SERVICE)
    assert [(c.version, c.action, c.field_name, c.source_kind) for c in changes] == [
        (1, "create", "", "import"),
        (2, "update", SERVICE_NAME, "edit"),
        (2, "update", CAPACITY, "edit"),
        # Saving a change checks the entry: the next review is a year from the save.
        (2, "update", LAST_VERIFIED, "edit"),
    ]
    assert open_service(demo_store, SERVICE).record[LAST_VERIFIED] == at.isoformat()
    assert (changes[1].previous, changes[1].replacement) == (
        "Benefits Help",
        "Benefits and Debt Help",
    )
    assert changes[2].updated_by == "editor@example.org" and changes[2].updated_at == at


def test_before_the_first_import_the_directory_was_empty(demo_store, shape):
    assert _names(demo_store, shape, as_of=(DEMO_AT - DAY).date()) == {}
    assert len(_names(demo_store, shape, as_of=DEMO_AT.date())) == 900


def test_saving_the_same_values_is_no_change_and_no_verification(demo_store):
    before = data_version(demo_store)
    stored = open_service(demo_store, SERVICE)
    same = {AUDIENCE: stored.record[AUDIENCE]}
    assert save_service(demo_store, SERVICE, same, expected_version=1, actor=command_line("e")) == 1
    assert data_version(demo_store) == before
    assert open_service(demo_store, SERVICE).record[LAST_VERIFIED] is None
    assert len(record_history(demo_store, SERVICE)) == 1


def test_a_verification_is_a_reviewers_version(demo_store):
    at = DEMO_AT + 3 * DAY
    assert (
        verify_service(
            demo_store, SERVICE, expected_version=1, actor=command_line("reviewer"), at=at
        )
        == 2
    )
    assert open_service(demo_store, SERVICE).record[LAST_VERIFIED] == at.isoformat()
    last = record_history(demo_store, SERVICE)[-1]
    assert (last.source_kind, last.field_name, last.updated_by) == (
        "review",
        LAST_VERIFIED,
        "reviewer",
    )


def test_a_deleted_service_leaves_the_directory_and_comes_back_restored(demo_store, shape):
    deleted_at, restored_at = DEMO_AT + 5 * DAY, DEMO_AT + 9 * DAY
    archive_service(demo_store, SERVICE, expected_version=1, actor=command_line("e"), at=deleted_at)
    assert SERVICE not in _names(demo_store, shape)
    assert SERVICE in _names(demo_store, shape, as_of=(deleted_at - DAY).date())
    assert open_service(demo_store, SERVICE).record[SERVICE_NAME] == "Benefits Help"
    restore_service(
        demo_store, SERVICE, expected_version=2, actor=command_line("e"), at=restored_at
    )
    assert SERVICE in _names(demo_store, shape)
    assert SERVICE not in _names(demo_store, shape, as_of=(restored_at - DAY).date())


def test_two_people_saving_the_same_version_the_second_is_refused_with_both_values(demo_store):
    save_service(
        demo_store, SERVICE, {CAPACITY: 70.0}, expected_version=1, actor=command_line("first")
    )
    with pytest.raises(
        StaleRecordError, match="changed by someone else since you opened it"
    ) as caught:
        save_service(
            demo_store, SERVICE, {CAPACITY: 80.0}, expected_version=1, actor=command_line("second")
        )
    message = str(caught.value)
    assert "capacity: yours 80.0, now 70.0" in message and "Nothing was saved" in message
    assert open_service(demo_store, SERVICE).record[CAPACITY] == 70.0
    assert open_service(demo_store, SERVICE).version == 2


def test_every_write_raises_the_data_version(demo_store):
    before = data_version(demo_store)
    save_service(demo_store, SERVICE, {CAPACITY: 1.0}, expected_version=1, actor=command_line("e"))
    save_service(demo_store, SERVICE, {CAPACITY: 2.0}, expected_version=2, actor=command_line("e"))
    assert data_version(demo_store) == before + 2


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({FIELD_STATUS: "closed"}, "status 'closed' is not known"),
        ({"colour": "red"}, "'colour' is not a field a person can change"),
    ],
)
def test_a_bad_edit_is_refused_with_the_fix(demo_store, changes, expected):
    with pytest.raises(StoreError, match=expected):
        save_service(demo_store, SERVICE, changes, expected_version=1, actor=command_line("e"))


def test_an_unknown_service_is_named(demo_store):
    with pytest.raises(RecordNotFoundError, match="no service has the id 'nope'"):
        open_service(demo_store, "nope")


def test_db_history_prints_each_version_field_by_field(demo_store, capsys):
    save_service(
        demo_store,
        SERVICE,
        {CAPACITY: 60.0},
        expected_version=1,
        actor=command_line("editor"),
        at=DEMO_AT + DAY,
    )
    url = demo_store.url.render_as_string(hide_password=False)
    assert main(["db", "history", SERVICE, "--database", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "version 1, 2026-01-10 09:00:00 UTC, by import (import of demo):"
    assert "    service_name: Benefits Help" in out
    assert out[-3:] == [
        "version 2, 2026-01-11 09:00:00 UTC, by editor (edit):",
        "  capacity: 45.0 -> 60.0",
        "  last_verified: (none) -> 2026-01-11T09:00:00",
    ]
    assert history_lines(record_history(demo_store, SERVICE)) == out
    assert main(["db", "history", "nope", "--database", url]) == 1
    assert "no service with the id 'nope' has a history" in capsys.readouterr().err
