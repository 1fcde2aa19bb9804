"""Accounts: invitations, passwords, sign-in with lockout, sessions, resets, deletion.

Local accounts are for community groups (who are in no council's directory) and for the
embedded default; staff may sign in through their organisation's identity provider
instead (`sign_in_with_identity`). Passwords are hashed with Argon2id (argon2-cffi's
defaults, RFC 9106) and never logged or returned. Invitation links, reset links and
sessions are random secrets of 256 bits of which only a SHA-256 is stored: a copy of the
database opens no account, and each link works once, until it expires.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlencode

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from analysis.errors import StoreError, check_choice
from analysis.store import config, schema
from analysis.store.access import (
    ACCOUNT_LABEL_PREFIX,
    ROLE_NAMES,
    Actor,
    NotAllowedError,
    account_actor,
    authorise,
)
from analysis.store.audit import record_event
from analysis.store.schema import (
    ACCOUNT_ROLES,
    EDITOR,
    INVITATION,
    RESET,
    SESSION,
    AccountRole,
    TokenPurpose,
)
from analysis.store.writes import utc_now

FORMER_USER: Final = "a former user"
"""How the history names someone whose account was deleted."""

ACCOUNT_PAGE: Final = "account"
"""The dashboard page that opens invitation and reset links (``?page=account``)."""

_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER: Final = PasswordHasher()
# Verified against when no account has the email, so that a wrong email takes as long as
# a wrong password and does not tell which emails have accounts.
_DUMMY_HASH: Final = _HASHER.hash(secrets.token_urlsafe(16))


class SignInError(StoreError):
    """A sign-in, invitation or reset was refused: wrong password, locked, expired link."""

    exit_code = 1


@dataclass(frozen=True)
class Account:
    """One account as its holder and admins see it (never its password hash)."""

    id: str
    email: str
    name: str
    role: AccountRole
    has_password: bool
    signs_in_with_provider: bool
    locked_until: datetime | None
    created_at: datetime
    last_sign_in_at: datetime | None

    @property
    def actor(self) -> Actor:
        return account_actor(self.id)


@dataclass(frozen=True)
class Link:
    """A secret link just made (shown once: only its hash is kept)."""

    account: Account
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    """A sign-in: the secret the browser's session keeps, for whom, until when."""

    token: str
    account: Account
    expires_at: datetime


# ---------------------------------------------------------------------------------------
# Checks of what a person types
# ---------------------------------------------------------------------------------------


def normal_email(text: str) -> str:
    """The email as the store keeps it (trimmed, casefolded).

    Raises
    ------
    StoreError
        When it does not look like an email address.
    """
    email = text.strip().casefold()
    if not _EMAIL.match(email) or len(email) > 320:
        raise StoreError(
            f"{text.strip()!r} is not an email address. Fix: type one like name@example.org"
        )
    return email


def check_password(password: str, email: str) -> None:
    """Refuse a password too short or equal to the email (NIST SP 800-63B).

    Raises
    ------
    SignInError
        Naming the rule and the fix.
    """
    if len(password) < config.MIN_PASSWORD_LENGTH:
        raise SignInError(
            f"the password has {len(password)} characters; it needs at least "
            f"{config.MIN_PASSWORD_LENGTH}. Fix: use a longer one — a few words you will "
            "remember make a good one"
        )
    if len(password) > 1024:
        raise SignInError("the password is over 1,024 characters. Fix: use a shorter one")
    if password.strip().casefold() == email.casefold():
        raise SignInError("the password is the email address. Fix: choose another password")


# ---------------------------------------------------------------------------------------
# Accounts and links made by reviewers, admins and the command line
# ---------------------------------------------------------------------------------------


def invite(
    store: Engine,
    actor: Actor,
    email: str,
    *,
    base_url: str,
    role: AccountRole = EDITOR,
    name: str = "",
    at: datetime | None = None,
) -> Link:
    """Make (or find) the account of ``email`` and a single-use link to set its password.

    A reviewer invites groups (role ``editor``); only an admin, or the command line,
    makes reviewers and admins. The link opens the dashboard's account page.

    Raises
    ------
    NotAllowedError
        When ``actor`` may not invite, or not to that role.
    StoreError
        When the email or role is not valid.
    """
    check_choice("role", role, ACCOUNT_ROLES, error=StoreError)
    email = normal_email(email)
    at = at or utc_now()
    with store.begin() as connection:
        authorise(connection, actor, "invite" if role == EDITOR else "manage accounts")
        account_id = _account_id_by_email(connection, email)
        if account_id is None:
            account_id = uuid.uuid4().hex
            connection.execute(
                sa.insert(schema.account).values(
                    id=account_id,
                    email=email,
                    name=name.strip(),
                    role=role,
                    failed_sign_ins=0,
                    created_at=at,
                )
            )
            record_event(connection, actor, "account created", at, account_id=account_id)
        else:
            # A link for an existing account sets its password: for anyone but an editor
            # that is an admin's act, as a reset is (`reset_link`).
            if _account(connection, account_id).role != EDITOR:
                authorise(connection, actor, "manage accounts")
            if role != EDITOR:
                _set_role(connection, actor, account_id, role, at)
        token = _new_token(connection, account_id, INVITATION, actor, at)
        record_event(connection, actor, "invited", at, account_id=account_id)
        account = _account(connection, account_id)
    expires = at + timedelta(days=config.INVITATION_DAYS)
    return Link(account, link_url(base_url, INVITATION, token), expires)


def reset_link(
    store: Engine, actor: Actor, email: str, *, base_url: str, at: datetime | None = None
) -> Link:
    """A single-use link for the holder of ``email`` to set a new password.

    Reviewers make them for editors; admins and the command line for anyone.

    Raises
    ------
    NotAllowedError, StoreError
        When ``actor`` may not, or no account has that email.
    """
    email = normal_email(email)
    at = at or utc_now()
    with store.begin() as connection:
        account_id = _account_id_by_email(connection, email)
        if account_id is None:
            raise StoreError(f"no account has the email {email}. Fix: invite them instead")
        account = _account(connection, account_id)
        authorise(
            connection, actor, "reset password" if account.role == EDITOR else "manage accounts"
        )
        token = _new_token(connection, account_id, RESET, actor, at)
        record_event(connection, actor, "reset link made", at, account_id=account_id)
    expires = at + timedelta(hours=config.RESET_HOURS)
    return Link(account, link_url(base_url, RESET, token), expires)


def link_url(base_url: str, purpose: TokenPurpose, token: str) -> str:
    """The dashboard address that opens a link of ``purpose``."""
    query = urlencode({"page": ACCOUNT_PAGE, purpose: token})
    return f"{base_url.rstrip('/')}/?{query}"


def set_role(
    store: Engine, actor: Actor, account_id: str, role: AccountRole, at: datetime | None = None
) -> None:
    """Change an account's role (admins).

    Raises
    ------
    NotAllowedError, StoreError
        When ``actor`` is not an admin, or the role or account is unknown, or it would
        leave no admin.
    """
    check_choice("role", role, ACCOUNT_ROLES, error=StoreError)
    with store.begin() as connection:
        authorise(connection, actor, "manage accounts")
        _set_role(connection, actor, account_id, role, at or utc_now())


def delete_account(
    store: Engine, actor: Actor, account_id: str, at: datetime | None = None
) -> None:
    """Delete an account and its personal data; its versions stay, by "a former user".

    Admins delete any account but the last admin; a person may delete their own.

    Raises
    ------
    NotAllowedError, StoreError
    """
    at = at or utc_now()
    with store.begin() as connection:
        if actor.account_id != account_id:
            authorise(connection, actor, "manage accounts")
        account = _account(connection, account_id)
        if account.role == schema.ADMIN:
            _keep_an_admin(connection, account_id)
        connection.execute(sa.delete(schema.account).where(schema.account.c.id == account_id))
        record_event(connection, actor, "account deleted", at, account_id=account_id)


def list_accounts(store: Engine, actor: Actor) -> list[Account]:
    """Every account, by email (admins: emails and names are personal data).

    Raises
    ------
    NotAllowedError
    """
    with store.connect() as connection:
        authorise(connection, actor, "see personal data")
        rows = connection.execute(_ACCOUNT_QUERY.order_by(schema.account.c.email)).all()
    return [_from_row(row) for row in rows]


def account_names(store: Engine, actor: Actor, labels: set[str]) -> dict[str, str]:
    """How history labels are shown to ``actor``: the email (and name) for admins, the role
    for others; a deleted account's label reads "a former user"; other labels (an import,
    the command line) as they are."""
    ids = sorted(
        label.removeprefix(ACCOUNT_LABEL_PREFIX)
        for label in labels
        if label.startswith(ACCOUNT_LABEL_PREFIX)
    )
    account = schema.account
    with store.connect() as connection:
        personal = _may(connection, actor, "see personal data")
        rows = connection.execute(
            sa.select(account.c.id, account.c.email, account.c.name, account.c.role).where(
                account.c.id.in_(ids)
            )
        ).all()
    found = {f"{ACCOUNT_LABEL_PREFIX}{row.id}": _shown_as(row, personal) for row in rows}
    return {
        label: found.get(label, FORMER_USER if label.startswith(ACCOUNT_LABEL_PREFIX) else label)
        for label in labels
    }


def _shown_as(row: sa.Row, personal: bool) -> str:
    if not personal:
        return ROLE_NAMES[row.role]
    return f"{row.name} <{row.email}>" if row.name else row.email


# ---------------------------------------------------------------------------------------
# Signing in
# ---------------------------------------------------------------------------------------


def accept_link(
    store: Engine,
    token: str,
    *,
    password: str,
    name: str | None = None,
    at: datetime | None = None,
) -> Session:
    """Use an invitation or reset link: set the password, and sign in.

    Raises
    ------
    SignInError
        When the link is unknown, used or expired, or the password breaks a rule.
    """
    at = at or utc_now()
    with store.begin() as connection:
        row = _token_row(connection, token, (INVITATION, RESET))
        if row is None or row.used_at is not None or row.expires_at <= at:
            raise SignInError(_dead_link(row, at))
        account = _account(connection, row.account_id)
        check_password(password, account.email)
        values = {"password_hash": _HASHER.hash(password), "failed_sign_ins": 0}
        values["locked_until"] = None
        if name is not None and name.strip():
            values["name"] = name.strip()
        connection.execute(
            sa.update(schema.account).where(schema.account.c.id == account.id).values(**values)
        )
        token_table = schema.account_token
        connection.execute(
            sa.update(token_table).where(token_table.c.id == row.id).values(used_at=at)
        )
        # A new password ends every sign-in made with the old one (OWASP: reset).
        connection.execute(
            sa.update(token_table)
            .where(
                token_table.c.account_id == account.id,
                token_table.c.purpose == SESSION,
                token_table.c.used_at.is_(None),
            )
            .values(used_at=at)
        )
        what = "invitation accepted" if row.purpose == INVITATION else "password reset"
        record_event(connection, account.actor, what, at, account_id=account.id)
        return _start_session(connection, account.id, at)


def link_account(store: Engine, token: str, at: datetime | None = None) -> Account:
    """The account a still-valid invitation or reset link is for (to greet them by email).

    Raises
    ------
    SignInError
        When the link is unknown, used or expired.
    """
    at = at or utc_now()
    with store.connect() as connection:
        row = _token_row(connection, token, (INVITATION, RESET))
        if row is None or row.used_at is not None or row.expires_at <= at:
            raise SignInError(_dead_link(row, at))
        return _account(connection, row.account_id)


def sign_in(store: Engine, email: str, password: str, *, at: datetime | None = None) -> Session:
    """Sign in with a password; lock the account after repeated failures.

    Raises
    ------
    SignInError
        When the email and password do not match, or the account is locked (the message
        says until when).
    """
    at = at or utc_now()
    wrong = SignInError(
        "that email and password do not match an account. Fix: check both; after "
        f"{config.MAX_FAILED_SIGN_INS} wrong passwords the account is locked for "
        f"{config.LOCK_MINUTES} minutes. Forgotten it? Ask a reviewer for a reset link"
    )
    try:
        email = normal_email(email)
    except StoreError:
        raise wrong from None
    with store.begin() as connection:
        row = connection.execute(
            sa.select(
                schema.account.c.id,
                schema.account.c.password_hash,
                schema.account.c.failed_sign_ins,
                schema.account.c.locked_until,
            ).where(schema.account.c.email == email)
        ).one_or_none()
        if row is None or row.password_hash is None:
            _verify(_DUMMY_HASH, password)
            raise wrong
        if row.locked_until is not None and row.locked_until > at:
            raise SignInError(_locked(row.locked_until))
        if not _verify(row.password_hash, password):
            _count_failure(connection, row.id, row.failed_sign_ins, at)
        else:
            _signed_in(connection, row.id, row.password_hash, password, at)
            return _start_session(connection, row.id, at)
    # The failure's count is committed above; only then is the refusal raised.
    failures = row.failed_sign_ins + 1
    if failures >= config.MAX_FAILED_SIGN_INS:
        raise SignInError(_locked(at + timedelta(minutes=config.LOCK_MINUTES)))
    raise wrong


def sign_in_with_identity(
    store: Engine,
    *,
    issuer: str,
    subject: str,
    email: str,
    name: str = "",
    at: datetime | None = None,
) -> Session:
    """Sign in someone their organisation's identity provider vouched for.

    The account is found by the provider's issuer and subject, else by email (an
    account an admin made beforehand, e.g. a reviewer); else a new editor account is
    made, which can claim organisations like an invited group.

    Raises
    ------
    SignInError
        When the provider gave no email or subject.
    """
    at = at or utc_now()
    if not subject or not email:
        raise SignInError(
            "the identity provider did not say who you are (no subject or email). Fix: "
            "ask the site's keepers to request the 'openid email profile' scopes"
        )
    email = normal_email(email)
    account = schema.account
    with store.begin() as connection:
        found = connection.execute(
            sa.select(account.c.id).where(
                account.c.identity_issuer == issuer, account.c.identity_subject == subject
            )
        ).scalar_one_or_none()
        if found is None:
            found = _account_id_by_email(connection, email)
            if found is not None and _has_other_identity(connection, found, issuer, subject):
                raise SignInError(
                    f"the account of {email} signs in with another identity at the provider. "
                    "Fix: ask an admin, who can delete the old account"
                )
            if found is None:
                found = uuid.uuid4().hex
                connection.execute(
                    sa.insert(account).values(
                        id=found,
                        email=email,
                        name=name,
                        role=EDITOR,
                        failed_sign_ins=0,
                        created_at=at,
                    )
                )
                record_event(
                    connection,
                    account_actor(found),
                    "account created",
                    at,
                    account_id=found,
                    detail="signed in with the identity provider",
                )
            connection.execute(
                sa.update(account)
                .where(account.c.id == found)
                .values(identity_issuer=issuer, identity_subject=subject)
            )
        connection.execute(
            sa.update(account).where(account.c.id == found).values(last_sign_in_at=at)
        )
        return _start_session(connection, found, at)


def session_account(store: Engine, token: str, *, at: datetime | None = None) -> Account:
    """The account a session belongs to, while it lasts.

    Raises
    ------
    SignInError
        When the session ended (expired, signed out, or the account was deleted).
    """
    at = at or utc_now()
    with store.connect() as connection:
        row = _token_row(connection, token, (SESSION,))
        if row is None or row.used_at is not None:
            raise SignInError("you are signed out. Fix: sign in again")
        if row.expires_at <= at:
            raise SignInError(
                f"your sign-in ended after {config.SESSION_HOURS} hours. Fix: sign in again"
            )
        return _account(connection, row.account_id)


def sign_out(store: Engine, token: str, *, at: datetime | None = None) -> None:
    """End a session (its secret no longer signs anyone in)."""
    table = schema.account_token
    with store.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.token_hash == _hash(token), table.c.purpose == SESSION)
            .values(used_at=at or utc_now())
        )


def account_by_email(store: Engine, actor: Actor, email: str) -> Account:
    """The account of ``email`` (admins).

    Raises
    ------
    NotAllowedError, StoreError
        When ``actor`` is not an admin, or no account has that email.
    """
    email = normal_email(email)
    with store.connect() as connection:
        authorise(connection, actor, "see personal data")
        account_id = _account_id_by_email(connection, email)
        if account_id is None:
            raise StoreError(
                f"no account has the email {email}. Fix: see 'python -m analysis users list'"
            )
        return _account(connection, account_id)


def get_account(store: Engine, actor: Actor, account_id: str) -> Account:
    """An account, for its holder or an admin.

    Raises
    ------
    NotAllowedError, StoreError
    """
    with store.connect() as connection:
        if actor.account_id != account_id:
            authorise(connection, actor, "see personal data")
        return _account(connection, account_id)


# ---------------------------------------------------------------------------------------
# Inside
# ---------------------------------------------------------------------------------------

_ACCOUNT_QUERY: Final = sa.select(
    schema.account.c.id,
    schema.account.c.email,
    schema.account.c.name,
    schema.account.c.role,
    schema.account.c.password_hash.is_not(None),
    schema.account.c.identity_subject.is_not(None),
    schema.account.c.locked_until,
    schema.account.c.created_at,
    schema.account.c.last_sign_in_at,
)


def _from_row(row: sa.Row) -> Account:
    return Account(*row)


def _account(connection: Connection, account_id: str) -> Account:
    row = connection.execute(_ACCOUNT_QUERY.where(schema.account.c.id == account_id)).one_or_none()
    if row is None:
        raise StoreError(f"no account has the id {account_id!r}. Fix: use one of the list")
    return _from_row(row)


def _account_id_by_email(connection: Connection, email: str) -> str | None:
    account = schema.account
    return connection.execute(
        sa.select(account.c.id).where(account.c.email == email)
    ).scalar_one_or_none()


def _may(connection: Connection, actor: Actor, action) -> bool:
    try:
        authorise(connection, actor, action)
    except NotAllowedError:
        return False
    return True


def _set_role(
    connection: Connection, actor: Actor, account_id: str, role: AccountRole, at: datetime
) -> None:
    current = _account(connection, account_id)
    if current.role == role:
        return
    if current.role == schema.ADMIN:
        _keep_an_admin(connection, account_id)
    connection.execute(
        sa.update(schema.account).where(schema.account.c.id == account_id).values(role=role)
    )
    record_event(
        connection,
        actor,
        "role changed",
        at,
        account_id=account_id,
        detail=f"{current.role} -> {role}",
    )


def _keep_an_admin(connection: Connection, account_id: str) -> None:
    account = schema.account
    others = connection.execute(
        sa.select(sa.func.count())
        .select_from(account)
        .where(account.c.role == schema.ADMIN, account.c.id != account_id)
    ).scalar_one()
    if not others:
        raise StoreError(
            "this is the only admin: without one nobody could manage accounts. Fix: make "
            "another account an admin first"
        )


def _has_other_identity(connection: Connection, account_id: str, issuer: str, subject: str) -> bool:
    """Whether the account is tied to another identity than ``issuer`` and ``subject``."""
    account = schema.account
    row = connection.execute(
        sa.select(account.c.identity_issuer, account.c.identity_subject).where(
            account.c.id == account_id
        )
    ).one()
    return row.identity_subject is not None and (row.identity_issuer, row.identity_subject) != (
        issuer,
        subject,
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(
    connection: Connection, account_id: str, purpose: TokenPurpose, actor: Actor, at: datetime
) -> str:
    token = secrets.token_urlsafe(32)
    lifetime = {
        INVITATION: timedelta(days=config.INVITATION_DAYS),
        RESET: timedelta(hours=config.RESET_HOURS),
        SESSION: timedelta(hours=config.SESSION_HOURS),
    }[purpose]
    table = schema.account_token
    if purpose != SESSION:  # a new link replaces the older ones of its kind
        connection.execute(
            sa.update(table)
            .where(
                table.c.account_id == account_id,
                table.c.purpose == purpose,
                table.c.used_at.is_(None),
            )
            .values(used_at=at)
        )
    connection.execute(
        sa.insert(table).values(
            account_id=account_id,
            purpose=purpose,
            token_hash=_hash(token),
            created_at=at,
            expires_at=at + lifetime,
            created_by=actor.label,
        )
    )
    return token


def _token_row(connection: Connection, token: str, purposes: tuple[str, ...]) -> sa.Row | None:
    table = schema.account_token
    return connection.execute(
        sa.select(
            table.c.id, table.c.account_id, table.c.purpose, table.c.expires_at, table.c.used_at
        ).where(table.c.token_hash == _hash(token.strip()), table.c.purpose.in_(purposes))
    ).one_or_none()


def _dead_link(row: sa.Row | None, at: datetime) -> str:
    fix = "Fix: ask a reviewer for a new link"
    if row is None:
        return f"this link is not one this site made (perhaps cut short when copied). {fix}"
    if row.used_at is not None:
        return f"this link has been used already, and works only once. {fix}"
    return f"this link expired on {row.expires_at:%d %B %Y at %H:%M} UTC. {fix}"


def _locked(until: datetime) -> str:
    return (
        f"this account is locked after {config.MAX_FAILED_SIGN_INS} wrong passwords, until "
        f"{until:%H:%M} UTC on {until:%d %B %Y}. Fix: try again then, or ask a reviewer for "
        "a password-reset link"
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(connection: Connection, account_id: str, failed: int, at: datetime) -> None:
    failures = failed + 1
    values: dict = {"failed_sign_ins": failures}
    if failures >= config.MAX_FAILED_SIGN_INS:
        values = {
            "failed_sign_ins": 0,
            "locked_until": at + timedelta(minutes=config.LOCK_MINUTES),
        }
        record_event(connection, account_actor(account_id), "locked", at, account_id=account_id)
    connection.execute(
        sa.update(schema.account).where(schema.account.c.id == account_id).values(**values)
    )


def _signed_in(
    connection: Connection, account_id: str, password_hash: str, password: str, at: datetime
) -> None:
    values: dict = {"failed_sign_ins": 0, "locked_until": None, "last_sign_in_at": at}
    if _HASHER.check_needs_rehash(password_hash):
        values["password_hash"] = _HASHER.hash(password)
    connection.execute(
        sa.update(schema.account).where(schema.account.c.id == account_id).values(**values)
    )


def _start_session(connection: Connection, account_id: str, at: datetime) -> Session:
    actor = account_actor(account_id)
    token = _new_token(connection, account_id, SESSION, actor, at)
    expires = at + timedelta(hours=config.SESSION_HOURS)
    return Session(token, _account(connection, account_id), expires)
