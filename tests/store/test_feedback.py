"""Feedback from the public: stored, limited, told to the editors without its text, listed
per role, resolved, and "reported closed" once two people say so, until someone checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from analysis import settings
from analysis.errors import RecordNotFoundError, StoreError
from analysis.store import accounts, claims, schema
from analysis.store.access import PUBLIC, NotAllowedError, command_line
from analysis.store.audit import access_events
from analysis.store.editing import open_service, verify_service
from analysis.store.feedback import (
    FeedbackRefusedError,
    closed_reporters,
    feedback_counts,
    give_feedback,
    open_feedback,
    reported_closed,
    reporter_key,
    resolve_feedback,
)
from analysis.store.schema import (
    FEEDBACK_MAIL,
    MORE_INFORMATION,
    OPEN_FEEDBACK,
    OUT_OF_DATE,
    REPORTED_CLOSED,
    RESOLVED_FEEDBACK,
    REVIEWER,
)
from tests.store.conftest import DEMO_AT

KEEPER = command_line("tests")
BASE = "http://localhost:8501"
ORG = "ember-together"
SERVICE = "ember-together--benefits-help"
OTHER = "wren-works"
AT = DEMO_AT + timedelta(days=30)
SECRET_WORDS = "The hall on Elm Street shut last month"


@pytest.fixture
def people(demo_store):
    """(editor of `ORG`, editor of `OTHER`, reviewer) as actors."""
    made = {}
    for email, role in (
        ("ed@example.org", "editor"),
        ("wren@example.org", "editor"),
        ("rev@example.org", REVIEWER),
    ):
        made[email] = accounts.invite(demo_store, KEEPER, email, base_url=BASE, role=role).account
    claims.grant_editor(demo_store, KEEPER, made["ed@example.org"].id, ORG)
    claims.grant_editor(demo_store, KEEPER, made["wren@example.org"].id, OTHER)
    return tuple(made[email].actor for email in made)


def _service_of(store, organisation_id: str, number: int = 0) -> str:
    service = schema.service
    with store.connect() as connection:
        ids = connection.execute(
            sa.select(service.c.id)
            .where(service.c.organization_id == organisation_id)
            .order_by(service.c.id)
        ).scalars()
        return list(ids)[number]


def _give(store, kind=REPORTED_CLOSED, *, who="a", service=SERVICE, text="", at=AT) -> int:
    return give_feedback(store, PUBLIC, service, kind, text, reporter=reporter_key(who), at=at)


def _outbox(store) -> list[sa.Row]:
    outbox = schema.outbox
    with store.connect() as connection:
        return connection.execute(
            sa.select(outbox.c.kind, outbox.c.recipient, outbox.c.subject, outbox.c.body).order_by(
                outbox.c.id
            )
        ).all()


def test_reporter_keys_tell_sessions_apart_and_hide_the_secret():
    first, again, other = reporter_key("secret-one"), reporter_key("secret-one"), reporter_key("x")
    assert first == again != other
    assert len(first) == 64 and "secret-one" not in first
    with pytest.raises(ValueError, match="secret; it is empty"):
        reporter_key("")


def test_a_report_is_stored_and_its_editors_told_without_its_text(demo_store, people):
    editor, _, reviewer = people
    number = _give(demo_store, text=f"  {SECRET_WORDS}  ")
    [report] = open_feedback(demo_store, reviewer)
    assert (report.id, report.service_id, report.kind, report.status) == (
        number,
        SERVICE,
        REPORTED_CLOSED,
        OPEN_FEEDBACK,
    )
    assert (report.text, report.organisation_name, report.created_at) == (
        SECRET_WORDS,
        "Ember Together",
        AT,
    )
    [notice] = _outbox(demo_store)
    assert (notice.kind, notice.recipient) == (FEEDBACK_MAIL, "ed@example.org")
    assert notice.subject == 'Someone reported "this has closed" about Benefits Help'
    assert f"{BASE}/?page=edit&org={ORG}&service={SERVICE}" in notice.body
    assert "because you keep the entry of Ember Together" in notice.body
    assert "To stop getting them, ask a reviewer" in notice.body
    assert SECRET_WORDS not in notice.body and "Elm Street" not in notice.subject


def test_an_editor_gets_one_notice_a_day_per_service(demo_store, people):
    _give(demo_store, who="a")
    _give(demo_store, OUT_OF_DATE, who="b", at=AT + timedelta(hours=3))
    assert len(_outbox(demo_store)) == 1
    _give(demo_store, OUT_OF_DATE, who="c", at=AT + timedelta(days=1))
    _give(demo_store, who="c", service=_service_of(demo_store, ORG, 1))
    assert len(_outbox(demo_store)) == 3


def test_the_same_report_from_the_same_person_counts_once(demo_store, people):
    first = _give(demo_store, text="closed")
    again = _give(demo_store, text="closed since May", at=AT + timedelta(minutes=5))
    assert again == first
    [report] = open_feedback(demo_store, people[2])
    assert report.text == "closed since May"
    assert _give(demo_store, MORE_INFORMATION) != first  # another kind is another report


def test_one_browser_may_send_so_many_reports_an_hour(demo_store, people):
    services = [_service_of(demo_store, ORG, n) for n in range(settings.FEEDBACK_PER_HOUR + 1)]
    for minute, service in enumerate(services[:-1]):
        _give(demo_store, OUT_OF_DATE, service=service, at=AT + timedelta(minutes=minute))
    late = AT + timedelta(minutes=30)
    with pytest.raises(FeedbackRefusedError, match=r"sent 5 reports in the last hour") as refused:
        _give(demo_store, OUT_OF_DATE, service=services[-1], at=late)
    assert "try again after 10:00 UTC (in 30 minutes)" in str(refused.value)
    assert refused.value.retry_at == AT + timedelta(hours=1)
    _give(demo_store, OUT_OF_DATE, who="someone else", service=services[-1], at=late)
    _give(demo_store, OUT_OF_DATE, service=services[-1], at=AT + timedelta(hours=1))


def test_a_service_takes_so_many_reports_a_day(demo_store, people):
    for number in range(settings.FEEDBACK_PER_SERVICE_PER_DAY):
        _give(demo_store, OUT_OF_DATE, who=f"person {number}", at=AT + timedelta(minutes=number))
    with pytest.raises(FeedbackRefusedError, match="reports in the last 24 hours") as refused:
        _give(demo_store, OUT_OF_DATE, who="one more", at=AT + timedelta(hours=2))
    assert refused.value.retry_at == AT + timedelta(days=1)
    _give(demo_store, OUT_OF_DATE, who="one more", at=AT + timedelta(days=1))


def test_text_kind_reporter_and_service_are_checked(demo_store, people):
    limit = settings.FEEDBACK_TEXT_CHARS
    with pytest.raises(FeedbackRefusedError, match=f"1,001 characters long.*at most {limit:,}"):
        _give(demo_store, text="x" * (limit + 1))
    _give(demo_store, text="x" * limit + "   ")
    with pytest.raises(FeedbackRefusedError, match="'gone' is not a kind of report"):
        _give(demo_store, "gone")
    with pytest.raises(StoreError, match="never an address"):
        give_feedback(demo_store, PUBLIC, SERVICE, OUT_OF_DATE, "", reporter="203.0.113.9")
    with pytest.raises(RecordNotFoundError, match="'no-such-service'"):
        _give(demo_store, service="no-such-service")


def test_each_role_sees_the_reports_it_may(demo_store, people):
    editor, wren_editor, reviewer = people
    ours = _give(demo_store)
    theirs = _give(demo_store, who="b", service=_service_of(demo_store, OTHER))
    assert [r.id for r in open_feedback(demo_store, reviewer)] == [ours, theirs]
    assert [r.id for r in open_feedback(demo_store, reviewer, organisation_id=OTHER)] == [theirs]
    assert [r.id for r in open_feedback(demo_store, editor)] == [ours]
    assert [r.id for r in open_feedback(demo_store, editor, organisation_id=ORG)] == [ours]
    assert [r.id for r in open_feedback(demo_store, wren_editor)] == [theirs]
    with pytest.raises(NotAllowedError, match="only for an organisation they keep"):
        open_feedback(demo_store, editor, organisation_id=OTHER)
    with pytest.raises(NotAllowedError, match="may not see feedback"):
        open_feedback(demo_store, PUBLIC)


def test_a_report_is_resolved_with_who_and_when_and_leaves_the_lists(demo_store, people):
    editor, wren_editor, reviewer = people
    number = _give(demo_store, OUT_OF_DATE)
    with pytest.raises(NotAllowedError):
        resolve_feedback(demo_store, wren_editor, number, "not ours")
    later = AT + timedelta(hours=2)
    assert resolve_feedback(demo_store, editor, number, " phone number fixed ", at=later) == 1
    assert open_feedback(demo_store, reviewer) == []
    feedback = schema.feedback
    with demo_store.connect() as connection:
        row = connection.execute(sa.select(feedback).where(feedback.c.id == number)).one()
    assert (row.status, row.resolved_at, row.resolved_by, row.resolution) == (
        RESOLVED_FEEDBACK,
        later,
        editor.label,
        "phone number fixed",
    )
    event = access_events(demo_store, reviewer)[0]
    assert (event.action, event.actor, event.organisation_id) == (
        "feedback resolved",
        editor.label,
        ORG,
    )
    with pytest.raises(StoreError, match="resolved already"):
        resolve_feedback(demo_store, reviewer, number, "")


def test_reported_closed_needs_two_different_people(demo_store, people):
    _give(demo_store, who="a")
    _give(demo_store, who="a", at=AT + timedelta(minutes=1))  # the same person again
    _give(demo_store, OUT_OF_DATE, who="b")  # another person, but not "closed"
    with demo_store.connect() as connection:
        assert reported_closed(connection) == set()
        assert closed_reporters(connection) == {SERVICE: 1}
    _give(demo_store, who="b", at=AT + timedelta(minutes=2))
    with demo_store.begin() as connection:  # inside someone else's transaction too
        assert reported_closed(connection) == {SERVICE}
        assert closed_reporters(connection) == {SERVICE: 2}
        assert feedback_counts(connection) == {SERVICE: 3}


def test_a_check_clears_reported_closed_until_two_people_report_again(demo_store, people):
    editor = people[0]
    _give(demo_store, who="a")
    _give(demo_store, who="b")
    version = open_service(demo_store, SERVICE).version
    verify_service(
        demo_store,
        SERVICE,
        expected_version=version,
        actor=editor,
        at=AT + timedelta(hours=1),
    )
    with demo_store.connect() as connection:
        assert reported_closed(connection) == set()
        assert feedback_counts(connection) == {SERVICE: 2}  # still to resolve
    _give(demo_store, who="c", at=AT + timedelta(hours=2))
    _give(demo_store, who="d", at=AT + timedelta(hours=2))
    with demo_store.connect() as connection:
        assert reported_closed(connection) == {SERVICE}
        assert closed_reporters(connection) == {SERVICE: 2}


def test_resolving_a_closed_report_resolves_the_others_and_clears_it(demo_store, people):
    reviewer = people[2]
    first = _give(demo_store, who="a")
    _give(demo_store, who="b")
    kept = _give(demo_store, OUT_OF_DATE, who="b")
    assert resolve_feedback(demo_store, reviewer, first, "rang them: still open") == 2
    with demo_store.connect() as connection:
        assert reported_closed(connection) == set()
        assert feedback_counts(connection) == {SERVICE: 1}
    assert [r.id for r in open_feedback(demo_store, reviewer)] == [kept]


def test_the_directory_read_now_marks_a_service_reported_closed_and_the_table_says_so(
    demo_store, people
):
    from analysis.model import REPORTED_CLOSED as REPORTED_CLOSED_COLUMN
    from analysis.model import SERVICE_ID
    from analysis.store.reads import load_directory_from_store
    from dashboard.components.service_table import REPORTED_CLOSED_NOTE, freshness_notes

    _give(demo_store, who="a")
    _give(demo_store, who="b", at=AT + timedelta(minutes=2))
    services = load_directory_from_store(demo_store).services.set_index(SERVICE_ID)
    assert (
        services[REPORTED_CLOSED_COLUMN].sum() == 1 and services.at[SERVICE, REPORTED_CLOSED_COLUMN]
    )
    notes = freshness_notes(services.reset_index(), AT)
    assert notes[list(services.index).index(SERVICE)] == REPORTED_CLOSED_NOTE
    assert notes.count(REPORTED_CLOSED_NOTE) == 1
    # A past day's directory knows nothing of today's reports.
    before = load_directory_from_store(demo_store, as_of=DEMO_AT.date()).services
    assert not before[REPORTED_CLOSED_COLUMN].any()


def test_a_service_becoming_or_ceasing_to_be_reported_closed_raises_the_data_version(
    demo_store, people
):
    from analysis.store.reads import data_version

    reviewer = people[2]
    start = data_version(demo_store)
    first = _give(demo_store, who="a")
    assert data_version(demo_store) == start  # one report marks nothing
    _give(demo_store, who="b", at=AT + timedelta(minutes=2))
    marked = data_version(demo_store)
    assert marked > start  # now marked: a cached directory must be read again
    resolve_feedback(demo_store, reviewer, first, "open again, checked by phone")
    assert data_version(demo_store) > marked
