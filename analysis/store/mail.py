"""Delivering the outbox: each due message claimed by one sender, sent, and marked sent.

`deliver_due` takes the due messages (`analysis.store.outbox`) and, for each, claims it
in a short transaction of its own (``claimed_until`` set only when no one else holds a
live claim), sends it through a `Transport`, then marks it sent in another. Two senders
running at once (cron overlapping a manual run, two servers) therefore never both send a
message: the second finds it claimed and leaves it.

A failed send is never lost: the message keeps its error, counts the attempt and is due
again after a wait that doubles with each failure (`config.MAIL_RETRY_MINUTES`, up to
`config.MAIL_RETRY_MAX_HOURS`). After `config.MAIL_MAX_ATTEMPTS` it is given up on — kept
and listed (`unsent_messages`), never dropped — until `retry_given_up` makes it due again.

Delivery is at-least-once across a crash and exactly once otherwise: a sender that dies
after the server took a message but before marking it sent leaves the claim to run out,
and a later run sends it again. Every email carries a Message-ID made from its outbox
row (``<outbox-<id>@<host of the public address>>``), so the second copy has the same id
as the first and mail programs can recognise it.

Several due reminders to one person go as one email (`BUNDLED_KINDS`): the rows stay one
per service, so "queued once, sent once" is still a property of each row, and the email
says each row's text once, the paragraphs they share only once.

Transports: `SmtpTransport` (stdlib ``smtplib``; `config.SMTP_URL_ENV`) and
`FolderTransport` (an ``.eml`` file per message; used when no mail server is set).
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.errors import StoreError
from analysis.settings import public_url
from analysis.store import config, schema
from analysis.store.access import Actor, authorise
from analysis.store.schema import REMINDER_MAIL
from analysis.store.writes import utc_now


class MailError(StoreError):
    """Mail cannot be sent as configured (a bad server URL, sender or folder)."""


class DeliveryFailure(Exception):
    """One send failed; the outbox keeps the message with ``reason`` and tries it again.

    ``permanent``: the server refused the recipient for good (5xx), so retrying cannot
    help and the message is given up on at once (still kept and listed). ``stops_run``:
    the server or folder cannot be reached at all, so the run stops rather than count a
    failed attempt against every other message.
    """

    def __init__(self, reason: str, *, permanent: bool = False, stops_run: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.stops_run = stops_run


class Transport(Protocol):
    """Where emails go: `send` one (raising `DeliveryFailure`), `close` when done."""

    @property
    def description(self) -> str: ...

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


BUNDLED_KINDS: Final = frozenset({REMINDER_MAIL})
"""Kinds whose due messages to one person go as one email: an editor keeping a group of
eight services hears once, not eight times."""

BUNDLE_SUBJECTS: Final = {REMINDER_MAIL: "Safety Net: {count} entries to check"}
"""Subject of an email bundling several messages of a kind."""


# ---------------------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedMessage:
    """A message a run could not send: which, to whom, and why."""

    outbox_id: int
    recipient: str
    subject: str
    reason: str
    given_up: bool


@dataclass(frozen=True)
class DeliveryReport:
    """What `deliver_due` did.

    ``sent`` counts outbox messages, ``emails`` the emails they went in (bundles count
    once); ``taken_by_others`` the due messages another sender had claimed; ``stopped``
    why the run ended early (the server unreachable), else None. ``to_retry`` and
    ``given_up`` count the outbox's unsent messages after the run that failed before:
    those to be tried again and those given up on.
    """

    sent: int = 0
    emails: int = 0
    failed: tuple[FailedMessage, ...] = ()
    taken_by_others: int = 0
    stopped: str | None = None
    to_retry: int = 0
    given_up: int = 0


def deliver_due(
    store: Engine,
    actor: Actor,
    *,
    transport: Transport,
    now: datetime | None = None,
    limit: int = config.MAIL_BATCH_ROWS,
    lease: timedelta = timedelta(minutes=config.MAIL_LEASE_MINUTES),
) -> DeliveryReport:
    """Send the outbox's due messages (at most ``limit``) through ``transport``.

    Parameters
    ----------
    now
        The time the run takes as now (default: the clock, read at each step).
    lease
        How long a claim lasts; a message whose sender died is sent again after it.

    Raises
    ------
    NotAllowedError
        When ``actor`` may not send mail (admins and the command line may).
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    with store.begin() as connection:
        authorise(connection, actor, "send mail")
        due = _due_rows(connection, clock(), limit)
    sender, host = mail_from(), message_host()
    sent = emails = taken = 0
    failed: list[FailedMessage] = []
    stopped: str | None = None
    try:
        for group in _envelopes(due):
            rows = _claim(store, [row.id for row in group], clock(), lease)
            taken += len(group) - len(rows)
            if not rows:
                continue
            try:
                transport.send(compose(rows, sender=sender, host=host, at=clock()))
            except DeliveryFailure as failure:
                failed += _record_failure(store, rows, failure, clock())
                if failure.stops_run:
                    stopped = failure.reason
                    break
            else:
                _record_sent(store, [row.id for row in rows], clock())
                sent, emails = sent + len(rows), emails + 1
    finally:
        transport.close()
    to_retry, given_up = _failed_counts(store)
    return DeliveryReport(sent, emails, tuple(failed), taken, stopped, to_retry, given_up)


def _due_rows(connection: Connection, now: datetime, limit: int) -> list[sa.Row]:
    outbox = schema.outbox
    return list(
        connection.execute(
            sa.select(outbox)
            .where(
                outbox.c.sent_at.is_(None),
                outbox.c.due_at <= now,
                outbox.c.attempts < config.MAIL_MAX_ATTEMPTS,
                _unclaimed(now),
            )
            .order_by(outbox.c.due_at, outbox.c.id)
            .limit(limit)
        )
    )


def _unclaimed(now: datetime) -> sa.ColumnElement[bool]:
    claimed_until = schema.outbox.c.claimed_until
    return sa.or_(claimed_until.is_(None), claimed_until < now)


def _envelopes(rows: Sequence[sa.Row]) -> list[list[sa.Row]]:
    """The emails ``rows`` go in: one per row, bundled kinds one per recipient."""
    groups: dict[tuple[str, str] | int, list[sa.Row]] = {}
    for row in rows:
        key = (row.kind, row.recipient.lower()) if row.kind in BUNDLED_KINDS else row.id
        groups.setdefault(key, []).append(row)
    return list(groups.values())


def _claim(store: Engine, ids: Sequence[int], now: datetime, lease: timedelta) -> list[sa.Row]:
    """The rows of ``ids`` this sender now holds: each claimed only when unsent and
    unclaimed (or its claim ran out), in one short transaction."""
    outbox = schema.outbox
    won: list[int] = []
    with store.begin() as connection:
        for outbox_id in ids:
            # The condition is checked by the UPDATE itself, so of two senders racing for
            # a row exactly one changes it (the other's UPDATE matches no row).
            claimed = connection.execute(
                sa.update(outbox)
                .where(outbox.c.id == outbox_id, outbox.c.sent_at.is_(None), _unclaimed(now))
                .values(claimed_until=now + lease)
            )
            if claimed.rowcount == 1:
                won.append(outbox_id)
        if not won:
            return []
        return list(
            connection.execute(sa.select(outbox).where(outbox.c.id.in_(won)).order_by(outbox.c.id))
        )


def _record_sent(store: Engine, ids: Sequence[int], now: datetime) -> None:
    outbox = schema.outbox
    with store.begin() as connection:
        connection.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(list(ids)))
            .values(
                sent_at=now,
                claimed_until=None,
                attempts=outbox.c.attempts + 1,
                error=None,
            )
        )


def _record_failure(
    store: Engine, rows: Sequence[sa.Row], failure: DeliveryFailure, now: datetime
) -> list[FailedMessage]:
    outbox = schema.outbox
    failed: list[FailedMessage] = []
    with store.begin() as connection:
        for row in rows:
            attempts = config.MAIL_MAX_ATTEMPTS if failure.permanent else row.attempts + 1
            connection.execute(
                sa.update(outbox)
                .where(outbox.c.id == row.id)
                .values(
                    attempts=attempts,
                    error=failure.reason,
                    claimed_until=None,
                    due_at=now + retry_wait(attempts),
                )
            )
            given_up = attempts >= config.MAIL_MAX_ATTEMPTS
            failed.append(
                FailedMessage(row.id, row.recipient, row.subject, failure.reason, given_up)
            )
    return failed


def retry_wait(attempts: int) -> timedelta:
    """Wait before the next try of a message that failed ``attempts`` times.

    Notes
    -----
    ``MAIL_RETRY_MINUTES * 2 ** (attempts - 1)``, at most ``MAIL_RETRY_MAX_HOURS``:
    15 minutes, 30, 1 hour, 2, 4, 8, 16, then daily.
    """
    longest = timedelta(hours=config.MAIL_RETRY_MAX_HOURS)
    exponent = min(max(attempts - 1, 0), 16)  # 2**16 quarter-hours already exceed a day
    return min(timedelta(minutes=config.MAIL_RETRY_MINUTES * 2**exponent), longest)


def _failed_counts(store: Engine) -> tuple[int, int]:
    """(to retry, given up): unsent messages that failed before."""
    outbox = schema.outbox
    with store.connect() as connection:
        rows = connection.execute(
            sa.select(outbox.c.attempts).where(
                outbox.c.sent_at.is_(None), outbox.c.error.is_not(None)
            )
        ).scalars()
        attempts = list(rows)
    given_up = sum(count >= config.MAIL_MAX_ATTEMPTS for count in attempts)
    return len(attempts) - given_up, given_up


# ---------------------------------------------------------------------------------------
# The outbox as people see it
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxEntry:
    """An unsent message: to whom, what, when it is next due, how often it failed, why."""

    outbox_id: int
    kind: str
    recipient: str
    subject: str
    due_at: datetime
    attempts: int
    reason: str | None

    @property
    def given_up(self) -> bool:
        """True when no run tries it again until `retry_given_up`."""
        return self.attempts >= config.MAIL_MAX_ATTEMPTS


def unsent_messages(store: Engine, actor: Actor) -> list[OutboxEntry]:
    """Every message not sent yet, the failed ones first, then by when they are due.

    Raises
    ------
    NotAllowedError
        When ``actor`` may not send mail (the list holds people's addresses).
    """
    outbox = schema.outbox
    with store.begin() as connection:
        authorise(connection, actor, "send mail")
        rows = connection.execute(
            sa.select(outbox)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.error.is_(None), outbox.c.due_at, outbox.c.id)
        ).all()
    return [
        OutboxEntry(
            row.id, row.kind, row.recipient, row.subject, row.due_at, row.attempts, row.error
        )
        for row in rows
    ]


def retry_given_up(store: Engine, actor: Actor, *, now: datetime | None = None) -> int:
    """Make every given-up message due now, with its attempts counted from zero again;
    return how many. Their last error stays until they are sent.

    Raises
    ------
    NotAllowedError
        When ``actor`` may not send mail.
    """
    now = now or utc_now()
    outbox = schema.outbox
    with store.begin() as connection:
        authorise(connection, actor, "send mail")
        done = connection.execute(
            sa.update(outbox)
            .where(outbox.c.sent_at.is_(None), outbox.c.attempts >= config.MAIL_MAX_ATTEMPTS)
            .values(attempts=0, due_at=now, claimed_until=None)
        )
    return int(done.rowcount)


# ---------------------------------------------------------------------------------------
# Composing
# ---------------------------------------------------------------------------------------


def compose(rows: Sequence[sa.Row], *, sender: str, host: str, at: datetime) -> EmailMessage:
    """The plain-text UTF-8 email of one outbox row, or of several bundled for one person.

    Its Message-ID is that of its first row (`message_id`): sent again after a crash, the
    same rows give the same id.
    """
    first = rows[0]
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = first.recipient
    if len(rows) == 1:
        message["Subject"] = first.subject
    else:
        subject = BUNDLE_SUBJECTS.get(first.kind, "Safety Net: {count} messages")
        message["Subject"] = subject.format(count=len(rows))
    message["Date"] = format_datetime(at.replace(tzinfo=UTC))
    message["Message-ID"] = message_id(first.id, host)
    # RFC 3834: an automatic message, so out-of-office replies are not sent back to it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(bundle_text([row.body for row in rows]), charset="utf-8")
    return message


def message_id(outbox_id: int, host: str) -> str:
    """The Message-ID of an outbox row: the same every time it is sent."""
    return f"<outbox-{outbox_id}@{host}>"


def bundle_text(bodies: Sequence[str]) -> str:
    """Several messages as one text: the paragraphs they all begin and end with said once,
    each one's own paragraphs in between, in order.

    Notes
    -----
    Paragraphs are separated by a blank line. Two reminders for services of one group
    share their first paragraph (who they are for) and their last ones (what to do, how to
    stop), so those open and close the email once.
    """
    if len(bodies) == 1:
        return bodies[0]
    split = [[part.strip() for part in body.strip().split("\n\n")] for body in bodies]
    head = _common_length(split)
    tail = _common_length([parts[head:][::-1] for parts in split])
    middle = [part for parts in split for part in parts[head : len(parts) - tail]]
    shared_tail = split[0][len(split[0]) - tail :] if tail else []
    return "\n\n".join([*split[0][:head], *middle, *shared_tail]) + "\n"


def _common_length(sequences: Sequence[Sequence[str]]) -> int:
    length = 0
    for parts in zip(*sequences, strict=False):
        if len(set(parts)) != 1:
            break
        length += 1
    # Leave every message at least one paragraph of its own.
    return min(length, min(len(parts) for parts in sequences) - 1)


def mail_from() -> str:
    """The sender of every message (`config.MAIL_FROM_ENV`, else the default).

    Raises
    ------
    MailError
        When it is not an email address.
    """
    sender = os.environ.get(config.MAIL_FROM_ENV, "").strip() or config.DEFAULT_MAIL_FROM
    _, address = parseaddr(sender)
    if "@" not in address:
        raise MailError(
            f"{config.MAIL_FROM_ENV} {sender!r} is not an email address. Fix: set it to "
            "an address the mail server may send as, e.g. 'Safety Net <directory@example.org>'"
        )
    return sender


def message_host() -> str:
    """The host the Message-IDs name: the dashboard's public address's."""
    return urlsplit(public_url()).hostname or "localhost"


# ---------------------------------------------------------------------------------------
# Transports
# ---------------------------------------------------------------------------------------


def transport_from_environment() -> Transport:
    """The mail server of `config.SMTP_URL_ENV`, else the folder of
    `config.MAIL_FOLDER_ENV` (default `config.DEFAULT_MAIL_FOLDER`).

    Raises
    ------
    MailError
        When the server URL is not one `SmtpSettings.from_url` reads.
    """
    url = os.environ.get(config.SMTP_URL_ENV, "").strip()
    if url:
        return SmtpTransport(SmtpSettings.from_url(url))
    folder = os.environ.get(config.MAIL_FOLDER_ENV, "").strip()
    return FolderTransport(Path(folder) if folder else config.DEFAULT_MAIL_FOLDER)


_STARTTLS_CHOICES: Final = ("optional", "required")
"""``starttls=optional`` (the default): STARTTLS when the server offers it."""
_LOOPBACK: Final = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach a mail server, read from an ``smtp://`` or ``smtps://`` URL."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: str = "optional"
    username: str | None = None
    password: str | None = None
    timeout: float = config.SMTP_TIMEOUT_SECONDS

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Read ``smtp[s]://[user:password@]host[:port][?starttls=required]``.

        Raises
        ------
        MailError
            Naming what is wrong with the URL (never its password) and the fix.
        """
        parts = urlsplit(url)
        shown = f"{config.SMTP_URL_ENV} {_redacted(url)!r}"
        if parts.scheme not in config.SMTP_DEFAULT_PORTS:
            begins = f"starts with {parts.scheme}://" if parts.scheme else "has no scheme"
            raise MailError(
                f"{shown} {begins}; it must start with smtp:// or smtps://. "
                "Fix: write it as smtp://user:password@host:587 (STARTTLS) or "
                "smtps://user:password@host:465 (TLS)"
            )
        try:
            port = parts.port or config.SMTP_DEFAULT_PORTS[parts.scheme]
        except ValueError as error:
            raise MailError(f"{shown} has a port that is not a number. Fix: e.g. :587") from error
        if not parts.hostname:
            raise MailError(f"{shown} names no host. Fix: e.g. smtp://mail.example.org:587")
        starttls = parse_qs(parts.query).get("starttls", ["optional"])[-1]
        if starttls not in _STARTTLS_CHOICES:
            raise MailError(
                f"{shown} asks for starttls={starttls!r}. Fix: leave it out (STARTTLS when "
                "offered) or write ?starttls=required"
            )
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=parts.scheme == "smtps",
            starttls=starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @property
    def description(self) -> str:
        """The server as messages name it (no credentials)."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"the mail server {scheme}://{self.host}:{self.port}"


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


class SmtpTransport:
    """Send through a mail server, one connection for the whole run (opened on first use,
    opened again after a failure)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    @property
    def description(self) -> str:
        return self.settings.description

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server.

        Raises
        ------
        DeliveryFailure
            With the server's answer, or why it could not be reached.
        """
        where = self.settings.description
        try:
            client = self._client or self._connect()
            self._client = client
            client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            answers = list(error.recipients.values())
            said = "; ".join(f"{code} {_text(text)}" for code, text in answers)
            permanent = all(code >= 500 for code, _ in answers)
            raise DeliveryFailure(
                f"{where} refused the recipient: {said}", permanent=permanent
            ) from error
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise DeliveryFailure(
                f"{where} answered {error.smtp_code} {_text(error.smtp_error)}"
            ) from error
        except DeliveryFailure:
            self._drop()
            raise
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise DeliveryFailure(
                f"{where} could not be reached ({error or type(error).__name__}). Fix: check "
                f"{config.SMTP_URL_ENV} and that the server is running",
                stops_run=True,
            ) from error

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        context = ssl.create_default_context()
        if settings.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            client.ehlo()
            encrypted = settings.implicit_tls
            if not encrypted and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
                encrypted = True
            self._check_encryption(encrypted)
            if settings.username is not None:
                client.login(settings.username, settings.password or "")
        except BaseException:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.close()
            raise
        return client

    def _check_encryption(self, encrypted: bool) -> None:
        settings = self.settings
        if encrypted:
            return
        if settings.starttls == "required":
            raise DeliveryFailure(
                f"{settings.description} does not offer STARTTLS, and "
                f"{config.SMTP_URL_ENV} asks for it (starttls=required). Fix: use the "
                "server's TLS port with smtps://, or ask its keeper to enable STARTTLS",
                stops_run=True,
            )
        if settings.username is not None and settings.host not in _LOOPBACK:
            raise DeliveryFailure(
                f"{settings.description} does not offer STARTTLS, so the password would "
                "cross the network unencrypted; nothing was sent. Fix: use smtps:// or a "
                "server that offers STARTTLS",
                stops_run=True,
            )

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()

    def close(self) -> None:
        """End the connection, if one is open."""
        self._drop()


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


class FolderTransport:
    """Write each email as an RFC 5322 ``.eml`` file in a folder, named after its
    Message-ID, so a message written again after a crash replaces its first copy."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def description(self) -> str:
        return f"the folder {self.folder} (no {config.SMTP_URL_ENV} set)"

    def send(self, message: EmailMessage) -> None:
        """Write ``message`` to ``<folder>/<message id>.eml``, whole or not at all.

        Raises
        ------
        DeliveryFailure
            When the folder cannot be written.
        """
        name = str(message["Message-ID"]).strip("<>").replace("/", "_") + ".eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
            try:
                os.close(handle)
                Path(temporary).write_bytes(message.as_bytes(policy=policy.SMTP))
                os.replace(temporary, self.folder / name)
            finally:
                Path(temporary).unlink(missing_ok=True)
        except OSError as error:
            raise DeliveryFailure(
                f"could not write to the folder {self.folder} ({error.strerror or error}). "
                f"Fix: make it writable, set {config.MAIL_FOLDER_ENV} to another folder, or "
                f"set {config.SMTP_URL_ENV} to a mail server",
                stops_run=True,
            ) from error

    def close(self) -> None:
        """Nothing to close: each file is complete when written."""
