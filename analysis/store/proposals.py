"""Proposed versions: an editor's change held until a reviewer approves it.

`submit` is the one door for a person's change of an organisation and (or) one of its
services — a change, a new service, a new organisation, or the public's suggestion of a
group the directory is missing. A reviewer's (or the command line's) change is published
at once; an editor's, and every suggestion, is held as a proposal that reviewers see in
their queue with a field-by-field comparison against the published version, and approve
or decline with a reason. The public sees only published versions.

Approving writes the proposed records with the versions they were made from, so a record
changed meanwhile is refused (optimistic locking) and the reviewer is told, nothing
overwritten. The history records the proposer as the author and ``review`` as the source.
Whoever proposed it with an account is told the outcome by mail (`OUTCOME_MAIL`), queued
with the decision; the public, with no account, is not.

Every published version of a record can be rebuilt from the history (`record_at_version`),
compared with another (`compare_versions`) and restored (`restore_version`, itself a
change that goes through `submit`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, replace
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.errors import RecordNotFoundError, StoreError
from analysis.model import FLAGS, ORG_ID, ORG_NAME, SERVICE_NAME, SOURCE_ROW
from analysis.store import schema
from analysis.store.access import (
    ACCOUNT_LABEL_PREFIX,
    Actor,
    NotAllowedError,
    Rights,
    authorise,
    rights_of,
)
from analysis.store.accounts import ACCOUNT_PAGE
from analysis.store.audit import record_event
from analysis.store.feedback import EDIT_PAGE
from analysis.store.outbox import Message, account_address, page_link, queue_message
from analysis.store.reads import stored_records
from analysis.store.records import (
    ARCHIVED,
    LAST_VERIFIED,
    ORGANISATION_FIELDS,
    SERVICE_FIELDS,
    Record,
    changed_fields,
    from_json,
    time_text,
    with_detail_flags,
)
from analysis.store.schema import (
    APPROVED,
    BY_EDIT,
    BY_REVIEW,
    CHANGE_PROPOSAL,
    CREATED,
    DECLINED,
    NEW_ORGANISATION,
    NEW_SERVICE,
    ORGANIZATION_RESOURCE,
    OUTCOME_MAIL,
    PENDING,
    SERVICE_RESOURCE,
    SUGGESTION,
    SUPERSEDED,
    WITHDRAWN,
    ProposalKind,
    ResourceType,
)
from analysis.store.writes import Stored, Write, utc_now, write_records

NOT_PROPOSED: Final = frozenset({LAST_VERIFIED, ARCHIVED})
"""Fields a proposal never sets: a verification is a reviewer's act, a deletion is done
with its own action."""

SUGGEST_PAGE: Final = "suggest"
"""The dashboard page where anyone suggests a missing group (``?page=suggest``)."""


@dataclass(frozen=True)
class Proposal:
    """A proposed version of an organisation and (or) one of its services."""

    id: int
    kind: str
    organisation_id: str
    organisation_record: Record | None
    organisation_version: int | None
    service_id: str | None
    service_record: Record | None
    service_version: int | None
    note: str
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str


@dataclass(frozen=True)
class Submitted:
    """What `submit` did: published at once, or held as proposal ``proposal_id``."""

    published: bool
    proposal_id: int | None
    organisation_id: str
    service_id: str | None


@dataclass(frozen=True)
class FieldChange:
    """One field that a proposal (or another version) changes."""

    resource_type: ResourceType
    field: str
    published: Any
    proposed: Any


def new_id() -> str:
    """An id for a record made by a person (not from any file's ids)."""
    return uuid.uuid4().hex


def submit(
    store: Engine,
    actor: Actor,
    *,
    organisation_id: str,
    organisation_record: Record | None = None,
    organisation_version: int | None = None,
    service_id: str | None = None,
    service_record: Record | None = None,
    service_version: int | None = None,
    kind: ProposalKind = CHANGE_PROPOSAL,
    note: str = "",
    at: datetime | None = None,
) -> Submitted:
    """Publish a person's change, or hold it for a reviewer.

    Parameters
    ----------
    organisation_id, service_id
        The records changed; for a new one, an id from `new_id`.
    organisation_record, service_record
        Every field of the record as proposed (None: that record is not changed).
    organisation_version, service_version
        The versions the person opened (None for a new record).
    kind
        A change, a new service or organisation, or a public suggestion.
    note
        What the person wants the reviewer to know.

    Raises
    ------
    NotAllowedError
        When ``actor`` may not change that organisation (a suggestion anyone may make).
    StaleRecordError
        When a reviewer's direct change meets a record changed since it was opened.
    StoreError
        When nothing is proposed, or a record has fields a person cannot set.
    """
    if organisation_record is None and service_record is None:
        raise StoreError("nothing was proposed. Fix: change a field, then save")
    for record, fields in (
        (organisation_record, ORGANISATION_FIELDS),
        (service_record, SERVICE_FIELDS),
    ):
        _check_fields(record, fields)
    # The import's notes of a service are the store's to keep, never a proposal's.
    organisation_record = _without_notes(organisation_record)
    service_record = _without_notes(service_record)
    if service_record is not None and service_id is None:
        raise StoreError("a service needs an id. Fix: use new_id() for a new service")
    at = at or utc_now()
    proposal = Proposal(
        0,
        kind,
        organisation_id,
        organisation_record,
        organisation_version,
        service_id,
        service_record,
        service_version,
        note.strip(),
        PENDING,
        actor.label,
        at,
        None,
        None,
        "",
    )
    with store.begin() as connection:
        rights = _authorise_submit(connection, actor, kind, organisation_id)
        if kind != SUGGESTION and rights.may("publish change"):
            _publish(connection, proposal, actor.label, BY_EDIT, at)
            record_event(
                connection, actor, f"{kind} published", at, organisation_id=organisation_id
            )
            return Submitted(True, None, organisation_id, service_id)
        _supersede(connection, actor, organisation_id, service_id, at)
        proposal_id = connection.execute(
            sa.insert(schema.proposal).values(_row(proposal))
        ).inserted_primary_key[0]
        record_event(connection, actor, f"{kind} proposed", at, organisation_id=organisation_id)
    return Submitted(False, int(proposal_id), organisation_id, service_id)


def decide(
    store: Engine,
    actor: Actor,
    proposal_id: int,
    *,
    approve: bool,
    reason: str = "",
    at: datetime | None = None,
) -> Proposal:
    """Approve a pending proposal (publish it) or decline it with a reason (reviewers).

    Whoever proposed it is told by mail, in the same transaction, when they have an account
    (`outcome_message`).

    Raises
    ------
    NotAllowedError
        When ``actor`` is not a reviewer.
    StaleRecordError
        When a record changed since the proposal was made: nothing is published, and
        the proposal stays pending (decline it, or ask for a new one).
    StoreError
        When the proposal is not pending, or a decline has no reason.
    """
    if not approve and not reason.strip():
        raise StoreError("a decline needs a reason. Fix: say why, so the editor knows")
    at = at or utc_now()
    with store.begin() as connection:
        authorise(connection, actor, "decide proposal")
        proposal = _one(connection, proposal_id)
        if proposal.status != PENDING:
            raise StoreError(f"this proposal is {proposal.status} already. Fix: reload the queue")
        if approve:
            _publish(connection, proposal, proposal.proposed_by, BY_REVIEW, at)
        connection.execute(
            sa.update(schema.proposal)
            .where(schema.proposal.c.id == proposal_id)
            .values(
                status=APPROVED if approve else DECLINED,
                reason=reason.strip(),
                decided_by=actor.label,
                decided_at=at,
            )
        )
        what = "approved" if approve else "declined"
        record_event(
            connection,
            actor,
            f"proposal {what}",
            at,
            organisation_id=proposal.organisation_id,
            detail=reason.strip(),
        )
        decided = _one(connection, proposal_id)
        _tell_proposer(connection, decided, at)
        return decided


def withdraw(store: Engine, actor: Actor, proposal_id: int, at: datetime | None = None) -> None:
    """The proposer takes back a pending proposal."""
    at = at or utc_now()
    with store.begin() as connection:
        proposal = _one(connection, proposal_id)
        if proposal.proposed_by != actor.label or actor.is_public:
            raise NotAllowedError("only whoever proposed a change may withdraw it")
        if proposal.status == PENDING:
            _set_status(connection, [proposal_id], WITHDRAWN, actor, at)


def queue(store: Engine, actor: Actor) -> list[Proposal]:
    """Pending proposals, oldest first (reviewers)."""
    with store.connect() as connection:
        authorise(connection, actor, "decide proposal")
        return _proposals(connection, schema.proposal.c.status == PENDING)


def my_proposals(store: Engine, actor: Actor) -> list[Proposal]:
    """The signed-in person's proposals, newest first, with their outcome."""
    if actor.is_public:
        return []
    with store.connect() as connection:
        return _proposals(connection, schema.proposal.c.proposed_by == actor.label)[::-1]


def pending_for(store: Engine, actor: Actor, organisation_id: str) -> list[Proposal]:
    """Pending proposals of one organisation: all of them for its editors and reviewers."""
    with store.connect() as connection:
        authorise(connection, actor, "propose change", organisation_id)
        return _proposals(
            connection,
            sa.and_(
                schema.proposal.c.status == PENDING,
                schema.proposal.c.organization_id == organisation_id,
            ),
        )


def get_proposal(store: Engine, actor: Actor, proposal_id: int) -> Proposal:
    """One proposal, for reviewers and its proposer."""
    with store.connect() as connection:
        proposal = _one(connection, proposal_id)
        if proposal.proposed_by != actor.label or actor.is_public:
            authorise(connection, actor, "decide proposal")
        return proposal


def proposal_changes(store: Engine, proposal: Proposal) -> list[FieldChange]:
    """Field by field, what the proposal changes against the published records (a new
    record's every field)."""
    with store.connect() as connection:
        published = _published(connection, proposal)
    changes: list[FieldChange] = []
    parts = (
        (
            ORGANIZATION_RESOURCE,
            proposal.organisation_record,
            proposal.organisation_id,
            ORGANISATION_FIELDS,
        ),
        (SERVICE_RESOURCE, proposal.service_record, proposal.service_id, SERVICE_FIELDS),
    )
    for resource_type, record, record_id, fields in parts:
        if record is None:
            continue
        before = published.get((resource_type, record_id))
        old = before.record if before is not None else {}
        changes.extend(
            FieldChange(resource_type, name, old.get(name), record.get(name))
            for name in fields
            if name not in NOT_PROPOSED and old.get(name) != record.get(name)
        )
    return changes


def outcome_message(
    proposal: Proposal,
    names: tuple[str, str | None],
    recipient: str,
    account_id: str,
    at: datetime,
) -> Message:
    """The mail telling a proposer a reviewer's decision on ``proposal``: approved or
    declined (with the reason), what happens next, and how to stop mail.

    ``names`` are the organisation's and the service's (None: no service in it). It names
    the reviewer only as "a reviewer": nothing about them is in it.
    """
    group, service = names
    what = _what_was_proposed(proposal.kind, group, service)
    account_link = page_link(ACCOUNT_PAGE)
    entry_link = page_link(EDIT_PAGE, org=proposal.organisation_id)
    suggested = proposal.kind == SUGGESTION
    if proposal.status == APPROVED:
        subject = f"Safety Net: {what} is approved"
        middle = [
            f"A reviewer approved {what} in Safety Net. The directory shows it now.",
            (
                "If you run it and want to keep its entry up to date, ask to keep it on Your "
                f"account:\n{account_link}"
                if suggested
                else f"To see it, or change it again, sign in and open:\n{entry_link}"
            ),
        ]
    else:
        subject = f"Safety Net: {what} was declined"
        middle = [
            f"A reviewer declined {what} in Safety Net. The directory is as it was.",
            f"The reviewer's reason: {proposal.reason}",
            (
                "To try again, suggest it again with what the reason asks for:\n"
                f"{page_link(SUGGEST_PAGE)}"
                if suggested
                else "To try again, sign in, open the entry, change it with the reason in "
                f"mind and save it again:\n{entry_link}"
            ),
        ]
    body = "\n\n".join(
        [
            "Hello,",
            *middle,
            "You get this email because you proposed it; it is the only one about it. What "
            f"you proposed and the outcomes are listed on Your account ({account_link}); to "
            "get no more mail from the directory, delete your account there.",
        ]
    )
    return Message(
        kind=OUTCOME_MAIL,
        recipient=recipient,
        subject=subject,
        body=body + "\n",
        dedupe_key=f"{OUTCOME_MAIL}:proposal:{proposal.id}",
        due_at=at,
        account_id=account_id,
    )


# ---------------------------------------------------------------------------------------
# Versions: rebuild, compare, restore
# ---------------------------------------------------------------------------------------


def versions(store: Engine, resource_type: ResourceType, resource_id: str) -> list[int]:
    """The versions a record has had, oldest first."""
    change = schema.change
    with store.connect() as connection:
        found = connection.execute(
            sa.select(change.c.version)
            .where(change.c.resource_type == resource_type, change.c.resource_id == resource_id)
            .distinct()
            .order_by(change.c.version)
        ).scalars()
        listed = list(found)
    if not listed:
        raise RecordNotFoundError(f"no {resource_type} has the id {resource_id!r}")
    return listed


def record_at_version(
    connection: Connection, resource_type: ResourceType, resource_id: str, version: int
) -> Record:
    """A record as it was at ``version``: today's, with later changes undone newest first.

    Raises
    ------
    RecordNotFoundError
        When the record or that version does not exist.
    """
    found = stored_records(connection, resource_type, ids=[resource_id])
    if resource_id not in found:
        raise RecordNotFoundError(f"no {resource_type} has the id {resource_id!r}")
    stored = found[resource_id]
    if not 1 <= version <= stored.version:
        raise RecordNotFoundError(
            f"this {resource_type} has versions 1 to {stored.version}, not {version}. Fix: "
            "choose one of its history"
        )
    change = schema.change
    later = connection.execute(
        sa.select(change.c.last_action_type, change.c.field_name, change.c.previous_value)
        .where(
            change.c.resource_type == resource_type,
            change.c.resource_id == resource_id,
            change.c.version > version,
        )
        .order_by(change.c.id.desc())
    )
    record = dict(stored.record)
    for action, field_name, previous in later:
        if action != CREATED:
            record[field_name] = from_json(previous)
    return record


def compare_versions(
    store: Engine, resource_type: ResourceType, resource_id: str, first: int, second: int
) -> list[FieldChange]:
    """The fields a person changed between two versions (``published`` = ``first``): not
    when it was checked, nor its deletion."""
    fields = SERVICE_FIELDS if resource_type == SERVICE_RESOURCE else ORGANISATION_FIELDS
    fields = [name for name in fields if name not in NOT_PROPOSED]
    with store.connect() as connection:
        a = record_at_version(connection, resource_type, resource_id, first)
        b = record_at_version(connection, resource_type, resource_id, second)
    return [
        FieldChange(resource_type, name, a.get(name), b.get(name))
        for name in changed_fields(a, b, fields)
    ]


def restore_version(
    store: Engine,
    actor: Actor,
    resource_type: ResourceType,
    resource_id: str,
    version: int,
    *,
    expected_version: int,
    at: datetime | None = None,
) -> Submitted:
    """Make an earlier version the record's next one (held for a reviewer when an editor
    asks)."""
    with store.connect() as connection:
        old = record_at_version(connection, resource_type, resource_id, version)
        now = stored_records(connection, resource_type, ids=[resource_id])[resource_id].record
    for name in NOT_PROPOSED:
        old[name] = now.get(name)
    if resource_type == SERVICE_RESOURCE:
        return submit(
            store,
            actor,
            organisation_id=now[ORG_ID],
            service_id=resource_id,
            service_record=old,
            service_version=expected_version,
            note=f"restores version {version}",
            at=at,
        )
    return submit(
        store,
        actor,
        organisation_id=resource_id,
        organisation_record=old,
        organisation_version=expected_version,
        note=f"restores version {version}",
        at=at,
    )


# ---------------------------------------------------------------------------------------
# Inside
# ---------------------------------------------------------------------------------------


def _check_fields(record: Mapping[str, Any] | None, fields: Sequence[str]) -> None:
    if record is None:
        return
    unknown = sorted(set(record) - set(fields) - {FLAGS, SOURCE_ROW})
    if unknown:
        raise StoreError(
            f"{unknown[0]!r} is not a field of this record. Fix: use {', '.join(fields)}"
        )


def _without_notes(record: Record | None) -> Record | None:
    if record is None:
        return None
    return {name: value for name, value in record.items() if name not in (FLAGS, SOURCE_ROW)}


def _authorise_submit(
    connection: Connection, actor: Actor, kind: str, organisation_id: str
) -> Rights:
    if kind == SUGGESTION:
        return authorise(connection, actor, "suggest group")
    if kind == NEW_ORGANISATION:
        # A new organisation has no editor yet: reviewers add it, anyone else suggests it.
        return authorise(connection, actor, "publish change")
    rights = rights_of(connection, actor)
    if rights.may("publish change"):
        return rights
    return authorise(connection, actor, "propose change", organisation_id)


def _published(connection: Connection, proposal: Proposal) -> dict[tuple[str, str], Stored]:
    found: dict[tuple[str, str], Stored] = {}
    for resource_type, record_id in (
        (ORGANIZATION_RESOURCE, proposal.organisation_id),
        (SERVICE_RESOURCE, proposal.service_id),
    ):
        if record_id is None:
            continue
        for key, stored in stored_records(connection, resource_type, ids=[record_id]).items():
            found[(resource_type, key)] = stored
    return found


def _publish(
    connection: Connection, proposal: Proposal, author: str, source_kind: str, at: datetime
) -> None:
    """Write the proposal's records in the caller's transaction, organisation first."""
    published = _published(connection, proposal)
    parts = (
        (
            ORGANIZATION_RESOURCE,
            proposal.organisation_id,
            proposal.organisation_record,
            proposal.organisation_version,
        ),
        (SERVICE_RESOURCE, proposal.service_id, proposal.service_record, proposal.service_version),
    )
    for resource_type, record_id, record, version in parts:
        if record is None or record_id is None:
            continue
        before = published.get((resource_type, record_id))
        full = _completed(resource_type, record, before, proposal.organisation_id)
        if resource_type == SERVICE_RESOURCE:
            # Its editor looked at the whole entry and a reviewer approved it: a check.
            full[LAST_VERIFIED] = time_text(at)
        expected = version if before is not None else None
        if before is not None and version is None:
            raise StoreError(
                f"the {resource_type} {record_id!r} exists already. Fix: edit it instead"
            )
        write_records(
            connection,
            [Write(resource_type, record_id, full, expected_version=expected)],
            stored={record_id: before} if before is not None else {},
            actor=author,
            source_kind=source_kind,
            at=at,
        )


def _completed(
    resource_type: str, record: Record, before: Stored | None, organisation_id: str
) -> Record:
    """The record to write: what a proposal never sets is kept from the published one."""
    old = before.record if before is not None else {}
    fields = SERVICE_FIELDS if resource_type == SERVICE_RESOURCE else ORGANISATION_FIELDS
    full = dict(record)
    for name in NOT_PROPOSED & set(fields):
        full[name] = old.get(name, False if name == ARCHIVED else None)
    if resource_type == SERVICE_RESOURCE:
        full[ORG_ID] = organisation_id
        full[FLAGS] = old.get(FLAGS, [])
        full[SOURCE_ROW] = old.get(SOURCE_ROW, 0)
    return full


def _supersede(
    connection: Connection, actor: Actor, organisation_id: str, service_id: str | None, at: datetime
) -> None:
    """A person's new proposal for the same records replaces their pending one."""
    if actor.is_public:
        return
    table = schema.proposal
    ids = connection.execute(
        sa.select(table.c.id).where(
            table.c.status == PENDING,
            table.c.proposed_by == actor.label,
            table.c.organization_id == organisation_id,
            table.c.service_id.is_(None)
            if service_id is None
            else table.c.service_id == service_id,
        )
    ).scalars()
    _set_status(connection, list(ids), SUPERSEDED, actor, at)


def _tell_proposer(connection: Connection, proposal: Proposal, at: datetime) -> None:
    """Queue the outcome to the account that proposed ``proposal``: none for the public or
    the command line (no account), nor for an account deleted since."""
    label = proposal.proposed_by
    if not label.startswith(ACCOUNT_LABEL_PREFIX):
        return
    account_id = label.removeprefix(ACCOUNT_LABEL_PREFIX)
    recipient = account_address(connection, account_id)
    if recipient is None:
        return
    names = _names(connection, proposal)
    message = outcome_message(proposal, names, recipient, account_id, at)
    queue_message(connection, message, at=at)


def _names(connection: Connection, proposal: Proposal) -> tuple[str, str | None]:
    """The organisation's and the service's names as proposed, else as published."""
    published = _published(connection, proposal)
    group = (proposal.organisation_record or {}).get(ORG_NAME)
    if group is None:
        before = published.get((ORGANIZATION_RESOURCE, proposal.organisation_id))
        group = before.record.get(ORG_NAME) if before is not None else None
    service = None
    if proposal.service_id is not None:
        service = (proposal.service_record or {}).get(SERVICE_NAME)
        before = published.get((SERVICE_RESOURCE, proposal.service_id))
        if service is None and before is not None:
            service = before.record.get(SERVICE_NAME)
    one_line = " ".join(str(group or proposal.organisation_id).split())
    return one_line, None if service is None else " ".join(str(service).split())


def _what_was_proposed(kind: str, group: str, service: str | None) -> str:
    """The proposal in the words of its outcome's mail, e.g. "your change to X (Y)"."""
    if kind == SUGGESTION:
        return f"your suggestion of {group}"
    if kind == NEW_ORGANISATION:
        return f"the new organisation {group} you proposed"
    if kind == NEW_SERVICE and service is not None:
        return f"the new service {service} you proposed for {group}"
    if service is not None:
        return f"your change to {service} ({group})"
    return f"your change to {group}"


def _set_status(
    connection: Connection, ids: list[int], status: str, actor: Actor, at: datetime
) -> None:
    if not ids:
        return
    connection.execute(
        sa.update(schema.proposal)
        .where(schema.proposal.c.id.in_(ids))
        .values(status=status, decided_by=actor.label, decided_at=at)
    )


_COLUMNS: Final = tuple(column.name for column in schema.proposal.columns)
"""The proposal table's columns, in the order of `Proposal`'s fields."""


def _row(proposal: Proposal) -> dict[str, Any]:
    """The table row of a new proposal (its id is the database's)."""
    values = dict(zip(_COLUMNS, astuple(proposal), strict=True))
    del values[_COLUMNS[0]]
    return values


def _proposals(connection: Connection, where: sa.ColumnElement) -> list[Proposal]:
    table = schema.proposal
    rows = connection.execute(
        sa.select(*(table.c[name] for name in _COLUMNS)).where(where).order_by(table.c.id)
    ).all()
    return [_with_detail_flags(Proposal(*row)) for row in rows]


def _with_detail_flags(proposal: Proposal) -> Proposal:
    """A proposal made before each contact detail had its own flag, its records given them."""
    org, service = proposal.organisation_record, proposal.service_record
    return replace(
        proposal,
        organisation_record=None if org is None else with_detail_flags(org),
        service_record=None if service is None else with_detail_flags(service),
    )


def _one(connection: Connection, proposal_id: int) -> Proposal:
    found = _proposals(connection, schema.proposal.c.id == proposal_id)
    if not found:
        raise StoreError(f"no proposal has the number {proposal_id}. Fix: reload the queue")
    return found[0]
