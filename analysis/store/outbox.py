"""The outbox: every message the directory sends, queued in the transaction that caused it.

A message is a row (`schema.outbox`) with the time it is due; `analysis.store.mail`
delivers the due ones. Queuing is idempotent: a message with a ``dedupe_key`` already
queued is not queued again, so planning reminders twice, or a retried write, never
sends a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.settings import public_url
from analysis.store import schema
from analysis.store.schema import MailKind


@dataclass(frozen=True)
class Message:
    """One message to queue: to whom, what, and from when it may go."""

    kind: MailKind
    recipient: str
    subject: str
    body: str
    dedupe_key: str
    due_at: datetime
    account_id: str | None = None


def queue_message(connection: Connection, message: Message, *, at: datetime) -> bool:
    """Queue ``message`` in the caller's transaction; False when its key was queued before."""
    outbox = schema.outbox
    known = connection.execute(
        sa.select(outbox.c.id).where(outbox.c.dedupe_key == message.dedupe_key)
    ).first()
    if known is not None:
        return False
    connection.execute(
        sa.insert(outbox).values(
            kind=message.kind,
            account_id=message.account_id,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            dedupe_key=message.dedupe_key,
            created_at=at,
            due_at=message.due_at,
            attempts=0,
        )
    )
    return True


def editor_addresses(connection: Connection, organisation_id: str) -> list[tuple[str, str]]:
    """(account id, email) of each editor of ``organisation_id``, by email."""
    account, editor = schema.account, schema.organization_editor
    rows = connection.execute(
        sa.select(account.c.id, account.c.email)
        .join(editor, editor.c.account_id == account.c.id)
        .where(editor.c.organization_id == organisation_id)
        .order_by(account.c.email)
    )
    return [(row.id, row.email) for row in rows]


def account_address(connection: Connection, account_id: str | None) -> str | None:
    """The email of ``account_id``, or None when there is no such account (deleted)."""
    if account_id is None:
        return None
    account = schema.account
    return connection.execute(
        sa.select(account.c.email).where(account.c.id == account_id)
    ).scalar_one_or_none()


def page_link(page: str, **query: str) -> str:
    """The address of a dashboard page (``?page=<page>&...``) for a link in a message."""
    return f"{public_url().rstrip('/')}/?{urlencode({'page': page, **query})}"
