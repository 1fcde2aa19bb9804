"""The review cycle: editors are asked to confirm their services before they turn stale.

A service's cycle starts at its last check (`analysis.freshness.last_checked`: the later
of its source's date and a person's confirmation). Its editors are reminded at each of
`settings.REMINDER_MONTHS` after it (10, 11, 12 months); it is stale the day after
`settings.STALE_AFTER_MONTHS`. A verification moves the last check to today, so the
cycle starts again.

`plan_reminders` queues, in one transaction, the reminders due by today into the outbox
(`analysis.store.outbox`); `analysis.store.mail.deliver_due` sends them.

- **One row per service, step and editor.** Its dedupe key
  ``reminder:<service id>:<checked day>:<months>:<account id>`` makes planning twice a
  no-op, and a sent reminder is never queued again: "never sent twice" rests on that key
  alone. An editor with several services due hears once all the same: the mail module
  bundles due reminders to one person into one email.
- **Only the latest due step.** A run that finds the 11-month reminder due queues it, not
  the missed 10-month one as well.
- **Withdrawal.** A reminder not sent yet that is no longer the current one for its
  service and editor — the service was checked again (a new cycle), a later step became
  due, the service left the directory, the person is no longer its editor — is deleted:
  it would ask for something already done. Sent reminders stay as the record of what was
  sent, and one being sent right now (claimed) is left alone.
- A service never checked (no date at all) is stale already: its editors get one
  reminder, keyed with ``never`` for the day, until someone confirms it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis import settings
from analysis.errors import RecordNotFoundError
from analysis.freshness import (
    day_of,
    is_stale,
    last_checked,
    long_day,
    months_after,
    next_reminder,
    stale_from,
)
from analysis.model import FIELD_STATUS, LAST_UPDATED, ORG_ID, ORG_NAME, SERVICE_NAME
from analysis.settings import public_url
from analysis.store import schema
from analysis.store.access import Actor, authorise
from analysis.store.outbox import Message, editor_addresses, queue_message
from analysis.store.reads import _connected, stored_records
from analysis.store.records import ARCHIVED, LAST_VERIFIED, Record
from analysis.store.schema import (
    ACTIVE,
    ORGANIZATION_RESOURCE,
    REMINDER_MAIL,
    SERVICE_RESOURCE,
    TEMPORARILY_CLOSED,
)
from analysis.store.writes import utc_now

REMINDED_STATUSES: Final = frozenset({ACTIVE, TEMPORARILY_CLOSED})
"""Statuses of services in the directory, whose entries people rely on; an inactive or
defunct service is not shown, so there is nothing to keep current."""

NEVER_CHECKED: Final = "never"
"""The checked day of a reminder key for a service with no date of a check at all."""

_KEY_PREFIX: Final = f"{REMINDER_MAIL}:"


@dataclass(frozen=True)
class ServiceCycle:
    """Where a service is in the review cycle on ``today``.

    ``reminders`` are the days its editors are asked (one per `settings.REMINDER_MONTHS`);
    ``due_months`` the latest step due by ``today`` (None before the first);
    ``next_reminder`` the first reminder day on or after ``today``; ``stale_from`` the first day
    it counts as stale. A service never checked has no reminders and is stale already.
    """

    checked_on: date | None
    reminders: tuple[date, ...]
    due_months: int | None
    next_reminder: date | None
    stale_from: date | None
    is_stale: bool


def cycle_of(checked_on: date | None, today: date) -> ServiceCycle:
    """The cycle of a service last checked on ``checked_on``, as it stands on ``today``."""
    if checked_on is None:
        return ServiceCycle(None, (), settings.STALE_AFTER_MONTHS, None, None, True)
    reminders = tuple(months_after(checked_on, months) for months in settings.REMINDER_MONTHS)
    due = [
        months
        for months, day in zip(settings.REMINDER_MONTHS, reminders, strict=True)
        if day <= today
    ]
    return ServiceCycle(
        checked_on,
        reminders,
        max(due) if due else None,
        next_reminder(checked_on, today),
        stale_from(checked_on),
        is_stale(checked_on, today),
    )


def service_cycle(store: Engine | Connection, service_id: str, *, today: date) -> ServiceCycle:
    """The review cycle of one stored service on ``today``.

    Raises
    ------
    RecordNotFoundError
        When no service has ``service_id``.
    """
    with _connected(store) as connection:
        found = stored_records(connection, SERVICE_RESOURCE, ids=[service_id])
    if service_id not in found:
        raise RecordNotFoundError(
            f"no service has the id {service_id!r}. Fix: use an id the store holds (see "
            "'python -m analysis db export --out directory.csv', column service_id)"
        )
    return cycle_of(checked_day(found[service_id].record), today)


def checked_day(record: Record) -> date | None:
    """The last check of a stored service record (its source's day, a confirmation)."""
    return last_checked(day_of(record.get(LAST_UPDATED)), day_of(record.get(LAST_VERIFIED)))


# ---------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderPlan:
    """What a planning run did: reminders queued, and unsent ones withdrawn."""

    queued: int
    withdrawn: int


def plan_reminders(store: Engine, actor: Actor, *, today: date | None = None) -> int:
    """Queue the reminders due by ``today``; return how many were queued.

    See `plan_reminder_mail`, which also says how many were withdrawn.
    """
    return plan_reminder_mail(store, actor, today=today).queued


def plan_reminder_mail(store: Engine, actor: Actor, *, today: date | None = None) -> ReminderPlan:
    """Queue, for every service in the directory whose organisation has editors, the
    latest reminder due by ``today`` to each editor, and withdraw unsent ones no longer
    current (module docstring).

    Raises
    ------
    NotAllowedError
        When ``actor`` may not send mail.
    """
    now = utc_now()
    today = today or now.date()
    with store.begin() as connection:
        authorise(connection, actor, "send mail")
        services = _listed_services(connection)
        names = _organisation_names(connection, {record[ORG_ID] for record in services.values()})
        editors: dict[str, list[tuple[str, str]]] = {}
        current: set[str] = set()
        queued = 0
        for service_id, record in sorted(services.items()):
            organisation_id = record[ORG_ID]
            if organisation_id not in editors:
                editors[organisation_id] = editor_addresses(connection, organisation_id)
            cycle = cycle_of(checked_day(record), today)
            if cycle.due_months is None:
                continue
            for account_id, address in editors[organisation_id]:
                message = reminder_message(
                    service_id,
                    record,
                    organisation_name=names.get(organisation_id, organisation_id),
                    cycle=cycle,
                    account_id=account_id,
                    recipient=address,
                    today=today,
                )
                current.add(message.dedupe_key)
                queued += queue_message(connection, message, at=now)
        withdrawn = _withdraw(connection, keep=current, now=now)
    return ReminderPlan(queued, withdrawn)


def _listed_services(connection: Connection) -> dict[str, Record]:
    found = stored_records(connection, SERVICE_RESOURCE)
    return {
        service_id: stored.record
        for service_id, stored in found.items()
        if not stored.record[ARCHIVED] and stored.record[FIELD_STATUS] in REMINDED_STATUSES
    }


def _organisation_names(connection: Connection, ids: set[str]) -> dict[str, str]:
    found = stored_records(connection, ORGANIZATION_RESOURCE, ids=sorted(ids))
    return {org_id: stored.record[ORG_NAME] for org_id, stored in found.items()}


def reminder_key(service_id: str, checked_on: date | None, months: int, account_id: str) -> str:
    """The dedupe key of one reminder: one per service, check, step and editor."""
    day = checked_on.isoformat() if checked_on else NEVER_CHECKED
    return f"{_KEY_PREFIX}{service_id}:{day}:{months}:{account_id}"


def _withdraw(connection: Connection, *, keep: set[str], now: datetime) -> int:
    """Delete unsent, unclaimed reminders whose key is not in ``keep``."""
    outbox = schema.outbox
    unsent = connection.execute(
        sa.select(outbox.c.id, outbox.c.dedupe_key).where(
            outbox.c.kind == REMINDER_MAIL,
            outbox.c.sent_at.is_(None),
            sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
        )
    ).all()
    stale_ids = [row.id for row in unsent if row.dedupe_key not in keep]
    if stale_ids:
        connection.execute(sa.delete(outbox).where(outbox.c.id.in_(stale_ids)))
    return len(stale_ids)


# ---------------------------------------------------------------------------------------
# The message
# ---------------------------------------------------------------------------------------


def reminder_message(
    service_id: str,
    record: Mapping[str, object],
    *,
    organisation_name: str,
    cycle: ServiceCycle,
    account_id: str,
    recipient: str,
    today: date,
) -> Message:
    """The reminder of the latest due step of ``cycle`` to one editor, due on that step's
    day (``today`` for a service never checked).

    Its paragraphs are: who it is for (the organisation), the service and why it came,
    what to do (a link), how to stop. Reminders of one organisation share the first and
    the last two, so a bundle of them says those once (`analysis.store.mail.bundle_text`).
    """
    months = cycle.due_months or settings.STALE_AFTER_MONTHS
    service_name = str(record[SERVICE_NAME])
    edit_link = page_link(edit=str(record[ORG_ID]))
    subject = f"Safety Net: please check {service_name}"
    if cycle.checked_on is None:
        why = (
            f"{service_name} has no date of a last check, so it is marked out of date "
            "on the maps: entries over "
            f"{settings.STALE_AFTER_MONTHS} months old, or never checked, are."
        )
    else:
        when = f"it will be from {_day(cycle.stale_from)}" if not cycle.is_stale else "it is now"
        why = (
            f"{service_name} was last checked on {_day(cycle.checked_on)}; entries over "
            f"{settings.STALE_AFTER_MONTHS} months old are marked out of date on the maps "
            f"({when})."
        )
    body = "\n\n".join(
        [
            f"You keep the entry of {organisation_name} in Safety Net.",
            why,
            "Please sign in, open your group's page and confirm each entry is still "
            f"correct, or correct what has changed:\n{edit_link}",
            "To stop these reminders, confirm the entry is still correct, or give up keeping "
            f"it from Your account ({page_link()}), or ask a reviewer to hand it to someone "
            "else.",
        ]
    )
    due_on = cycle.reminders[settings.REMINDER_MONTHS.index(months)] if cycle.reminders else today
    return Message(
        kind=REMINDER_MAIL,
        recipient=recipient,
        subject=subject,
        body=_wrapped(body),
        dedupe_key=reminder_key(service_id, cycle.checked_on, months, account_id),
        due_at=datetime.combine(due_on, time()),
        account_id=account_id,
    )


def page_link(*, edit: str | None = None) -> str:
    """The dashboard's edit page of an organisation, or (without one) the account page."""
    query = {"page": "edit", "org": edit} if edit else {"page": "account"}
    return f"{public_url().rstrip('/')}/?{urlencode(query)}"


def _wrapped(text: str) -> str:
    """``text`` in lines of at most 72 characters (links whole), as plain-text mail reads
    best and travels unencoded."""
    lines = [
        textwrap.fill(line, width=72, break_long_words=False, break_on_hyphens=False)
        for line in text.split("\n")
    ]
    return "\n".join(lines) + "\n"


def _day(day: date | None) -> str:
    return long_day(day) if day else NEVER_CHECKED
