"""Feedback from the public on a service: "this is out of date", "this has closed", "I have
more information", with a short text and no account.

A report is stored (`schema.feedback`) and reaches the organisation's editors (a short
notice in the outbox, never the text itself: the text stays in the directory, behind a
sign-in) and the reviewers' queue. Who sent it is a keyed hash of their browser session
(`reporter_key`), never an address: enough to rate-limit and to tell two people apart.

A service is *reported closed* while at least `settings.REPORTED_CLOSED_PEOPLE` different
people have open "closed" reports on it made after its last check by a person
(``last_verified``): confirming the service ("still correct") or resolving the reports
clears it.

Limits: `settings.FEEDBACK_PER_HOUR` reports per browser session in any hour,
`settings.FEEDBACK_PER_SERVICE_PER_DAY` per service in any 24 hours, and
`settings.FEEDBACK_TEXT_CHARS` characters of text. A second open report of the same kind
by the same person on the same service is the first one again (its text updated), so it
counts once.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis import settings
from analysis.errors import RecordNotFoundError, StoreError
from analysis.store import schema
from analysis.store.access import ALLOWED, Actor, NotAllowedError, authorise, refusal, rights_of
from analysis.store.audit import record_event
from analysis.store.outbox import Message, editor_addresses, queue_message
from analysis.store.schema import (
    EDITOR,
    FEEDBACK_KINDS,
    FEEDBACK_MAIL,
    MORE_INFORMATION,
    OPEN_FEEDBACK,
    OUT_OF_DATE,
    REPORTED_CLOSED,
    RESOLVED_FEEDBACK,
    FeedbackKind,
)
from analysis.store.writes import bump_data_version, utc_now

KIND_WORDS: Final[Mapping[str, str]] = {
    OUT_OF_DATE: "this is out of date",
    REPORTED_CLOSED: "this has closed",
    MORE_INFORMATION: "I have more information",
}
"""Each kind of report in the words the public chooses it by (and editors are told)."""

EDIT_PAGE: Final = "edit"
"""The dashboard page where an editor opens an organisation's entry (``?page=edit``)."""

HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
_REPORTER: Final = re.compile(r"^[0-9a-f]{64}$")


class FeedbackRefusedError(StoreError):
    """A report was not taken: too many from this browser or on this service, or too long.

    ``retry_at`` is when the same report would be taken (UTC), or None when waiting would
    not help (fix the report instead).
    """

    exit_code = 1

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


@dataclass(frozen=True)
class Feedback:
    """One report, with the service and organisation it is about (never who sent it)."""

    id: int
    service_id: str
    service_name: str
    organisation_id: str
    organisation_name: str
    kind: str
    text: str
    created_at: datetime
    status: str
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str


def reporter_key(session_secret: str) -> str:
    """The reporter of a browser session: HMAC-SHA256 (hex) of its random secret.

    The server key is `settings.FEEDBACK_KEY_ENV` when set, else random per process; it
    is never stored, so the table cannot be matched back to sessions.
    """
    if not session_secret:
        raise ValueError("a reporter needs the browser session's secret; it is empty")
    return hmac.new(_server_key(), session_secret.encode(), hashlib.sha256).hexdigest()


@functools.cache
def _server_key() -> bytes:
    configured = os.environ.get(settings.FEEDBACK_KEY_ENV, "").strip()
    return configured.encode() if configured else secrets.token_bytes(32)


def give_feedback(
    store: Engine,
    actor: Actor,
    service_id: str,
    kind: FeedbackKind,
    text: str,
    *,
    reporter: str,
    at: datetime | None = None,
) -> int:
    """Store a report on ``service_id`` and tell its organisation's editors; its id.

    Raises
    ------
    FeedbackRefusedError
        When the kind is unknown, the text too long, or this reporter or this service has
        had as many reports as it may for now (the message says when to try again).
    RecordNotFoundError
        When no service in the directory has ``service_id``.
    """
    text = _checked_text(kind, text, reporter)
    at = at or utc_now()
    table = schema.feedback
    with store.begin() as connection:
        authorise(connection, actor, "give feedback")
        service_name, organisation_id, organisation_name = _service(connection, service_id)
        same = connection.execute(
            sa.select(table.c.id).where(
                table.c.service_id == service_id,
                table.c.kind == kind,
                table.c.reporter == reporter,
                table.c.status == OPEN_FEEDBACK,
            )
        ).scalar_one_or_none()
        if same is not None:  # the same person saying it again: one report, their latest words
            if text:
                connection.execute(sa.update(table).where(table.c.id == same).values(text=text))
            return same
        _check_rate(connection, table.c.reporter == reporter, at, by_reporter=True)
        _check_rate(connection, table.c.service_id == service_id, at, by_reporter=False)
        feedback_id = connection.execute(
            sa.insert(table).values(
                service_id=service_id,
                kind=kind,
                text=text,
                reporter=reporter,
                created_at=at,
                status=OPEN_FEEDBACK,
                resolution="",
            )
        ).inserted_primary_key[0]
        names = (_one_line(service_name), _one_line(organisation_name))
        _tell_editors(connection, service_id, organisation_id, names, kind, at)
        if kind == REPORTED_CLOSED and service_id in reported_closed(connection):
            # The directory read marks it now: caches keyed on the data version must see it.
            bump_data_version(connection, at)
        return int(feedback_id)


def open_feedback(
    store: Engine, actor: Actor, *, organisation_id: str | None = None
) -> list[Feedback]:
    """Open reports, oldest first: on ``organisation_id``'s services, or on every service
    ``actor`` may see (reviewers: all; editors: the organisations they keep).

    Raises
    ------
    NotAllowedError
        For the public, and for an editor asking about an organisation they do not keep.
    """
    feedback, service = schema.feedback, schema.service
    with store.connect() as connection:
        where = [feedback.c.status == OPEN_FEEDBACK]
        if organisation_id is not None:
            authorise(connection, actor, "see feedback", organisation_id)
            where.append(service.c.organization_id == organisation_id)
        else:
            rights = rights_of(connection, actor)
            if "see feedback" not in ALLOWED[rights.role]:
                raise NotAllowedError(refusal(rights, "see feedback"))
            if rights.role == EDITOR:
                where.append(service.c.organization_id.in_(sorted(rights.organisations)))
        return _feedback(connection, *where)


def resolve_feedback(
    store: Engine, actor: Actor, feedback_id: int, resolution: str, *, at: datetime | None = None
) -> int:
    """Mark a report resolved, with who, when and ``resolution``; how many were resolved.

    A "closed" report is resolved with every other open "closed" report on the same
    service: the check that answers one answers them all, and the service is no longer
    reported closed.

    Raises
    ------
    NotAllowedError, StoreError
        When ``actor`` may not resolve feedback on this organisation, the report is
        unknown, already resolved, or the note is too long.
    """
    resolution = resolution.strip()
    if len(resolution) > settings.FEEDBACK_TEXT_CHARS:
        raise StoreError(
            f"the note is {len(resolution):,} characters; at most "
            f"{settings.FEEDBACK_TEXT_CHARS:,} are kept. Fix: shorten it"
        )
    at = at or utc_now()
    table = schema.feedback
    with store.begin() as connection:
        found = _feedback(connection, table.c.id == feedback_id)
        if not found:
            raise StoreError(f"no report has the number {feedback_id}. Fix: reload the list")
        report = found[0]
        authorise(connection, actor, "resolve feedback", report.organisation_id)
        if report.status != OPEN_FEEDBACK:
            raise StoreError(
                f"this report was resolved already, on {report.resolved_at:%d %B %Y %H:%M} "
                "UTC. Fix: reload the list"
            )
        which = table.c.id == feedback_id
        was_closed = report.service_id in reported_closed(connection)
        if report.kind == REPORTED_CLOSED:
            which = sa.or_(
                which,
                sa.and_(
                    table.c.service_id == report.service_id,
                    table.c.kind == REPORTED_CLOSED,
                    table.c.status == OPEN_FEEDBACK,
                ),
            )
        resolved = connection.execute(
            sa.update(table)
            .where(which)
            .values(
                status=RESOLVED_FEEDBACK,
                resolved_at=at,
                resolved_by=actor.label,
                resolution=resolution,
            )
        ).rowcount
        record_event(
            connection,
            actor,
            "feedback resolved",
            at,
            organisation_id=report.organisation_id,
            detail=f'{resolved} report(s) "{report.kind}" on {report.service_id}: {resolution}',
        )
        if was_closed and report.service_id not in reported_closed(connection):
            bump_data_version(connection, at)  # no longer marked: caches must see it
        return resolved


def closed_reporters(connection: Connection) -> dict[str, int]:
    """Service id -> how many different people reported it closed since its last check
    (open "closed" reports made after its ``last_verified``); services with none left out."""
    feedback, service = schema.feedback, schema.service
    rows = connection.execute(
        sa.select(
            feedback.c.service_id,
            feedback.c.reporter,
            feedback.c.created_at,
            service.c.last_verified,
        )
        .join(service, service.c.id == feedback.c.service_id)
        .where(
            feedback.c.kind == REPORTED_CLOSED,
            feedback.c.status == OPEN_FEEDBACK,
            service.c.archived.is_(False),
        )
    )
    people: dict[str, set[str]] = defaultdict(set)
    for service_id, reporter, created_at, last_verified in rows:
        checked = _as_time(last_verified)
        if checked is None or _as_time(created_at) > checked:
            people[service_id].add(reporter)
    return {service_id: len(reporters) for service_id, reporters in people.items()}


def reported_closed(connection: Connection) -> set[str]:
    """Ids of the services reported closed by at least `settings.REPORTED_CLOSED_PEOPLE`
    different people since someone last checked them."""
    return {
        service_id
        for service_id, people in closed_reporters(connection).items()
        if people >= settings.REPORTED_CLOSED_PEOPLE
    }


def feedback_counts(connection: Connection) -> dict[str, int]:
    """Service id -> how many open reports it has; services with none left out."""
    table = schema.feedback
    rows = connection.execute(
        sa.select(table.c.service_id, sa.func.count())
        .where(table.c.status == OPEN_FEEDBACK)
        .group_by(table.c.service_id)
    )
    return {service_id: int(count) for service_id, count in rows}


def edit_link(organisation_id: str, service_id: str) -> str:
    """The address of a service's page in the editor's part of the dashboard."""
    return (
        f"{settings.public_url()}/?page={EDIT_PAGE}&org={quote(organisation_id, safe='')}"
        f"&service={quote(service_id, safe='')}"
    )


# ---------------------------------------------------------------------------------------
# Inside
# ---------------------------------------------------------------------------------------


def _checked_text(kind: str, text: str, reporter: str) -> str:
    if kind not in FEEDBACK_KINDS:
        expected = ", ".join(f"'{known}'" for known in FEEDBACK_KINDS)
        raise FeedbackRefusedError(
            f"{kind!r} is not a kind of report; expected one of {expected}. Fix: choose one"
        )
    if not _REPORTER.match(reporter):
        raise StoreError(
            "a reporter must be the browser session's keyed hash (64 hex characters), never "
            "an address or a name. Fix: pass reporter_key(session secret)"
        )
    text = text.strip()
    if len(text) > settings.FEEDBACK_TEXT_CHARS:
        raise FeedbackRefusedError(
            f"your text is {len(text):,} characters long; a report keeps at most "
            f"{settings.FEEDBACK_TEXT_CHARS:,}. Fix: shorten it and send it again"
        )
    return text


def _check_rate(
    connection: Connection, whose: sa.ColumnElement, at: datetime, *, by_reporter: bool
) -> None:
    """Refuse a report over the hourly limit of its browser or the daily one of its service,
    saying when the oldest report in the window leaves it."""
    table = schema.feedback
    window, limit = (
        (HOUR, settings.FEEDBACK_PER_HOUR)
        if by_reporter
        else (DAY, settings.FEEDBACK_PER_SERVICE_PER_DAY)
    )
    times = connection.execute(
        sa.select(table.c.created_at)
        .where(whose, table.c.created_at > at - window)
        .order_by(table.c.created_at)
    ).scalars()
    recent = [_as_time(time) for time in times]
    if len(recent) < limit:
        return
    retry_at = recent[len(recent) - limit] + window
    wait = _wait_in_words(retry_at - at)
    if by_reporter:
        message = (
            f"you have sent {len(recent)} reports in the last hour, the most one browser may "
            f"send in an hour. Fix: try again after {retry_at:%H:%M} UTC (in {wait})"
        )
    else:
        message = (
            f"this service has had {len(recent)} reports in the last 24 hours, the most it "
            f"takes in a day, and its editors are looking into them. Fix: try again after "
            f"{retry_at:%d %B %H:%M} UTC (in {wait}) if it is still wrong then"
        )
    raise FeedbackRefusedError(message, retry_at)


def _wait_in_words(wait: timedelta) -> str:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{round(minutes / 60)} hours"


def _service(connection: Connection, service_id: str) -> tuple[str, str, str]:
    """(name, organisation id, organisation name) of a service in the directory."""
    service, organisation = schema.service, schema.organization
    row = connection.execute(
        sa.select(service.c.name, service.c.organization_id, organisation.c.name)
        .join(organisation, organisation.c.id == service.c.organization_id)
        .where(service.c.id == service_id, service.c.archived.is_(False))
    ).first()
    if row is None:
        raise RecordNotFoundError(
            f"no service in the directory has the id {service_id!r}. Fix: choose one from "
            "the list on the page"
        )
    return row[0], row[1], row[2]


def _tell_editors(
    connection: Connection,
    service_id: str,
    organisation_id: str,
    names: tuple[str, str],
    kind: str,
    at: datetime,
) -> None:
    """Queue a short notice to each editor, at most one per editor per service per day.

    The public's text is not in it: an email is copied and forwarded, the store is behind
    a sign-in.
    """
    name, group = names
    words = KIND_WORDS[kind]
    body = (
        f'Someone using the directory reported "{words}" about {name} ({group}) on '
        f"{at:%d %B %Y at %H:%M} UTC.\n\n"
        "What they wrote is kept in the directory, not in this email. To read it, check the "
        "entry and mark the report resolved, sign in and open:\n"
        f"{edit_link(organisation_id, service_id)}\n\n"
        f"You get this email because you keep the entry of {group} in the directory; you "
        "get at most one a day for each of its services. To stop getting them, ask a "
        "reviewer to remove you from its editors."
    )
    for account_id, email in editor_addresses(connection, organisation_id):
        queue_message(
            connection,
            Message(
                kind=FEEDBACK_MAIL,
                recipient=email,
                subject=f'Someone reported "{words}" about {name}',
                body=body,
                dedupe_key=f"feedback:{service_id}:{account_id}:{at:%Y-%m-%d}",
                due_at=at,
                account_id=account_id,
            ),
            at=at,
        )


def _one_line(text: str) -> str:
    """``text`` on one line: a name from the directory never breaks a subject or a body."""
    return " ".join(text.split())


def _feedback(connection: Connection, *where: sa.ColumnElement) -> list[Feedback]:
    feedback, service, organisation = schema.feedback, schema.service, schema.organization
    rows = connection.execute(
        sa.select(
            feedback.c.id,
            feedback.c.service_id,
            service.c.name,
            service.c.organization_id,
            organisation.c.name,
            feedback.c.kind,
            feedback.c.text,
            feedback.c.created_at,
            feedback.c.status,
            feedback.c.resolved_at,
            feedback.c.resolved_by,
            feedback.c.resolution,
        )
        .join(service, service.c.id == feedback.c.service_id)
        .join(organisation, organisation.c.id == service.c.organization_id)
        .where(*where)
        .order_by(feedback.c.created_at, feedback.c.id)
    ).all()
    return [Feedback(*row) for row in rows]


def _as_time(value: datetime | str | None) -> datetime | None:
    """A stored time as a naive UTC datetime (SQLite may hand back ISO text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=None)
