"""Claims: a signed-in person asks to keep an organisation's entry; a reviewer decides.

An approved claim makes the claimant one of the organisation's editors (it can have
several); a reviewer can revoke an editor at any time. The claimant's name, role in the
group and contact are what they gave for the claim, shown to reviewers who decide it.
The claimant is told the outcome by mail (`OUTCOME_MAIL`), queued with the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.errors import RecordNotFoundError, StoreError
from analysis.store import schema
from analysis.store.access import Actor, NotAllowedError, authorise
from analysis.store.accounts import ACCOUNT_PAGE
from analysis.store.audit import record_event
from analysis.store.feedback import EDIT_PAGE
from analysis.store.outbox import Message, account_address, page_link, queue_message
from analysis.store.schema import APPROVED, DECLINED, OUTCOME_MAIL, PENDING, WITHDRAWN
from analysis.store.writes import utc_now


@dataclass(frozen=True)
class Claim:
    """One claim and where it stands."""

    id: int
    account_id: str
    organisation_id: str
    organisation_name: str
    claimant_name: str
    role_in_group: str
    contact: str
    status: str
    reason: str
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class Editor:
    """An account that keeps an organisation's entry (shown to reviewers by the name the
    approved claim gave)."""

    account_id: str
    organisation_id: str
    granted_at: datetime
    claimant_name: str


def request_claim(
    store: Engine,
    actor: Actor,
    organisation_id: str,
    *,
    claimant_name: str,
    role_in_group: str,
    contact: str,
    at: datetime | None = None,
) -> Claim:
    """File a claim to keep ``organisation_id`` (any signed-in account).

    Raises
    ------
    NotAllowedError
        When ``actor`` is not signed in.
    StoreError
        When a field is empty, the organisation is unknown, or they already keep it or
        have a claim pending.
    """
    fields = {
        "your name": claimant_name,
        "your role in the group": role_in_group,
        "a way to contact you": contact,
    }
    for label, value in fields.items():
        if not value.strip():
            raise StoreError(f"{label} is empty. Fix: fill it in, so a reviewer can check")
    at = at or utc_now()
    with store.begin() as connection:
        authorise(connection, actor, "claim organisation")
        _organisation_name(connection, organisation_id)
        if _is_editor(connection, actor.account_id, organisation_id):
            raise StoreError("you already keep this organisation's entry. Fix: edit it")
        if _pending_claim(connection, actor.account_id, organisation_id) is not None:
            raise StoreError(
                "you have already asked to keep this organisation; a reviewer will decide. "
                "Fix: wait for their answer on your account page"
            )
        claim_id = connection.execute(
            sa.insert(schema.claim).values(
                account_id=actor.account_id,
                organization_id=organisation_id,
                claimant_name=claimant_name.strip(),
                role_in_group=role_in_group.strip(),
                contact=contact.strip(),
                status=PENDING,
                reason="",
                created_at=at,
            )
        ).inserted_primary_key[0]
        record_event(
            connection,
            actor,
            "claim filed",
            at,
            account_id=actor.account_id,
            organisation_id=organisation_id,
        )
        return _claims(connection, schema.claim.c.id == claim_id)[0]


def decide_claim(
    store: Engine,
    actor: Actor,
    claim_id: int,
    *,
    approve: bool,
    reason: str = "",
    at: datetime | None = None,
) -> Claim:
    """Approve a pending claim (the claimant becomes an editor) or decline it with a reason.

    The claimant is told by mail, in the same transaction (`outcome_message`).

    Raises
    ------
    NotAllowedError, StoreError
        When ``actor`` is not a reviewer, the claim is not pending, or a decline has no
        reason.
    """
    if not approve and not reason.strip():
        raise StoreError("a decline needs a reason. Fix: say why, so the claimant knows")
    at = at or utc_now()
    with store.begin() as connection:
        authorise(connection, actor, "decide claim")
        claim = _one_claim(connection, claim_id)
        if claim.status != PENDING:
            raise StoreError(f"this claim is {claim.status} already. Fix: reload the queue")
        connection.execute(
            sa.update(schema.claim)
            .where(schema.claim.c.id == claim_id)
            .values(
                status=APPROVED if approve else DECLINED,
                reason=reason.strip(),
                decided_at=at,
                decided_by=actor.label,
            )
        )
        if approve:
            _grant(connection, actor, claim.account_id, claim.organisation_id, at)
        record_event(
            connection,
            actor,
            "claim approved" if approve else "claim declined",
            at,
            account_id=claim.account_id,
            organisation_id=claim.organisation_id,
            detail=reason.strip(),
        )
        decided = _one_claim(connection, claim_id)
        recipient = account_address(connection, decided.account_id)
        if recipient is not None:
            queue_message(connection, outcome_message(decided, recipient, at), at=at)
        return decided


def withdraw_claim(store: Engine, actor: Actor, claim_id: int, at: datetime | None = None) -> None:
    """The claimant takes back a pending claim."""
    at = at or utc_now()
    with store.begin() as connection:
        claim = _one_claim(connection, claim_id)
        if claim.account_id != actor.account_id:
            raise NotAllowedError("only the claimant may withdraw a claim")
        if claim.status == PENDING:
            connection.execute(
                sa.update(schema.claim)
                .where(schema.claim.c.id == claim_id)
                .values(status=WITHDRAWN, decided_at=at, decided_by=actor.label)
            )
            record_event(
                connection,
                actor,
                "claim withdrawn",
                at,
                account_id=actor.account_id,
                organisation_id=claim.organisation_id,
            )


def revoke_editor(
    store: Engine,
    actor: Actor,
    account_id: str,
    organisation_id: str,
    *,
    reason: str,
    at: datetime | None = None,
) -> None:
    """Stop ``account_id`` keeping ``organisation_id`` (reviewers).

    Raises
    ------
    NotAllowedError, StoreError
        When ``actor`` is not a reviewer, or that account does not keep it.
    """
    at = at or utc_now()
    editor = schema.organization_editor
    with store.begin() as connection:
        authorise(connection, actor, "revoke editor")
        deleted = connection.execute(
            sa.delete(editor).where(
                editor.c.account_id == account_id, editor.c.organization_id == organisation_id
            )
        ).rowcount
        if not deleted:
            raise StoreError("that account does not keep this organisation. Fix: reload")
        record_event(
            connection,
            actor,
            "editor revoked",
            at,
            account_id=account_id,
            organisation_id=organisation_id,
            detail=reason.strip(),
        )


def claims_to_decide(store: Engine, actor: Actor) -> list[Claim]:
    """Pending claims, oldest first (reviewers)."""
    with store.connect() as connection:
        authorise(connection, actor, "decide claim")
        return _claims(connection, schema.claim.c.status == PENDING)


def my_claims(store: Engine, actor: Actor) -> list[Claim]:
    """The signed-in person's claims, newest first, with their outcome."""
    if actor.account_id is None:
        return []
    with store.connect() as connection:
        return _claims(connection, schema.claim.c.account_id == actor.account_id)[::-1]


def editors_of(store: Engine, actor: Actor, organisation_id: str) -> list[Editor]:
    """Who keeps an organisation's entry (reviewers), with the name their claim gave."""
    editor, claim = schema.organization_editor, schema.claim
    latest_name = (
        sa.select(claim.c.claimant_name)
        .where(
            claim.c.account_id == editor.c.account_id,
            claim.c.organization_id == editor.c.organization_id,
            claim.c.status == APPROVED,
        )
        .order_by(claim.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    with store.connect() as connection:
        authorise(connection, actor, "revoke editor")
        rows = connection.execute(
            sa.select(
                editor.c.account_id, editor.c.organization_id, editor.c.granted_at, latest_name
            )
            .where(editor.c.organization_id == organisation_id)
            .order_by(editor.c.granted_at)
        ).all()
    return [Editor(row[0], row[1], row[2], row[3] or "") for row in rows]


def grant_editor(
    store: Engine, actor: Actor, account_id: str, organisation_id: str, at: datetime | None = None
) -> None:
    """Make an account an editor of an organisation without a claim (reviewers)."""
    at = at or utc_now()
    with store.begin() as connection:
        authorise(connection, actor, "decide claim")
        _organisation_name(connection, organisation_id)
        _grant(connection, actor, account_id, organisation_id, at)


def outcome_message(claim: Claim, recipient: str, at: datetime) -> Message:
    """The mail telling a claimant a reviewer's decision on ``claim``: approved or
    declined (with the reason), what they can do now, and how to stop mail.

    It names the reviewer only as "a reviewer": nothing about them is in it.
    """
    group = " ".join(claim.organisation_name.split())
    account_link = page_link(ACCOUNT_PAGE)
    if claim.status == APPROVED:
        subject = f"Safety Net: you now keep the entry of {group}"
        middle = [
            f"A reviewer approved your request to keep the entry of {group} in Safety Net.",
            f"You can now edit {group}'s entry and its services. Sign in and open:\n"
            f"{page_link(EDIT_PAGE, org=claim.organisation_id)}",
            "What you change goes to a reviewer before the public sees it. You will be "
            "reminded by email when an entry is due to be checked.",
        ]
        stop = (
            "To get no more mail about it, give up keeping the entry on Your account "
            f"({account_link}), or delete your account there."
        )
    else:
        subject = f"Safety Net: your request to keep {group} was declined"
        middle = [
            f"A reviewer declined your request to keep the entry of {group} in Safety Net.",
            f"The reviewer's reason: {claim.reason}",
            "To try again, sign in and ask again on Your account, with what the reason asks "
            "for (your role in the group, a contact a reviewer can check):\n"
            f"{account_link}",
        ]
        stop = "To get no more mail from the directory, delete your account on that page."
    body = "\n\n".join(
        [
            "Hello,",
            *middle,
            f"You get this email because you asked to keep the entry of {group}; it is the "
            f"only one about that request. {stop}",
        ]
    )
    return Message(
        kind=OUTCOME_MAIL,
        recipient=recipient,
        subject=subject,
        body=body + "\n",
        dedupe_key=f"{OUTCOME_MAIL}:claim:{claim.id}",
        due_at=at,
        account_id=claim.account_id,
    )


# ---------------------------------------------------------------------------------------
# Inside
# ---------------------------------------------------------------------------------------


def _grant(
    connection: Connection, actor: Actor, account_id: str, organisation_id: str, at: datetime
) -> None:
    if _is_editor(connection, account_id, organisation_id):
        return
    connection.execute(
        sa.insert(schema.organization_editor).values(
            account_id=account_id,
            organization_id=organisation_id,
            granted_at=at,
            granted_by=actor.label,
        )
    )
    record_event(
        connection,
        actor,
        "editor granted",
        at,
        account_id=account_id,
        organisation_id=organisation_id,
    )


def _is_editor(connection: Connection, account_id: str | None, organisation_id: str) -> bool:
    editor = schema.organization_editor
    found = connection.execute(
        sa.select(editor.c.id).where(
            editor.c.account_id == account_id, editor.c.organization_id == organisation_id
        )
    ).first()
    return found is not None


def _pending_claim(connection: Connection, account_id: str | None, organisation_id: str):
    claim = schema.claim
    return connection.execute(
        sa.select(claim.c.id).where(
            claim.c.account_id == account_id,
            claim.c.organization_id == organisation_id,
            claim.c.status == PENDING,
        )
    ).first()


def _organisation_name(connection: Connection, organisation_id: str) -> str:
    organisation = schema.organization
    name = connection.execute(
        sa.select(organisation.c.name).where(
            organisation.c.id == organisation_id, organisation.c.archived.is_(False)
        )
    ).scalar_one_or_none()
    if name is None:
        raise RecordNotFoundError(
            f"no organisation has the id {organisation_id!r}. Fix: choose one from the list"
        )
    return name


def _claims(connection: Connection, where: sa.ColumnElement) -> list[Claim]:
    claim, organisation = schema.claim, schema.organization
    rows = connection.execute(
        sa.select(
            claim.c.id,
            claim.c.account_id,
            claim.c.organization_id,
            organisation.c.name,
            claim.c.claimant_name,
            claim.c.role_in_group,
            claim.c.contact,
            claim.c.status,
            claim.c.reason,
            claim.c.created_at,
            claim.c.decided_at,
        )
        .join(organisation, organisation.c.id == claim.c.organization_id)
        .where(where)
        .order_by(claim.c.id)
    ).all()
    return [Claim(*row) for row in rows]


def _one_claim(connection: Connection, claim_id: int) -> Claim:
    found: Sequence[Claim] = _claims(connection, schema.claim.c.id == claim_id)
    if not found:
        raise StoreError(f"no claim has the number {claim_id}. Fix: reload the queue")
    return found[0]
