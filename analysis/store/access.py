"""Who may do what: the actor of every write, their rights, and the one check.

Every write of the store is called with an `Actor` and checked here, inside the write's
transaction, against the rights the database holds *now* (`rights_of`): a role changed
or an editor revoked a moment ago counts at once, whatever a page still shows. The
public has no account; the command line is the machine's keeper (whoever can run it can
open the database file anyway), so it may do everything.

The matrix (`ALLOWED`), after the roles of the directory:

- ``public``: read the directory (public contact details only), suggest a missing group,
  give feedback on a service;
- ``editor``: that, and claim an organisation; for the organisations they keep: see
  every contact detail, propose changes (held for a reviewer), confirm a service is still
  correct (verify), see and resolve the public's feedback, answer an introduction;
- ``reviewer``: that for every organisation, and publish changes directly, decide claims
  and proposals, revoke editors, invite groups and reset their passwords, import files,
  decide pairs of similar services, see the history of access;
- ``admin``: that, and manage accounts (roles, deletion), see account holders'
  personal data (emails, names) and send the outbox's mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.errors import StoreError
from analysis.store import schema
from analysis.store.schema import ADMIN, EDITOR, REVIEWER

PUBLIC_ROLE: Final = "public"
"""The role of everyone not signed in."""

Role = Literal["public", "editor", "reviewer", "admin"]
ROLES: Final = get_args(Role)

Action = Literal[
    "read directory",
    "suggest group",
    "claim organisation",
    "see private contacts",
    "propose change",
    "publish change",
    "decide proposal",
    "decide claim",
    "revoke editor",
    "invite",
    "reset password",
    "import",
    "verify",
    "give feedback",
    "see feedback",
    "resolve feedback",
    "decide pair",
    "answer introduction",
    "send mail",
    "see access history",
    "manage accounts",
    "see personal data",
]
"""Everything the store lets someone do; the ones in `PER_ORGANISATION` concern one
organisation."""
ACTIONS: Final = get_args(Action)

PER_ORGANISATION: Final = frozenset(
    {
        "see private contacts",
        "propose change",
        "verify",
        "see feedback",
        "resolve feedback",
        "answer introduction",
    }
)
"""Actions an editor may take only for the organisations they keep."""

_PUBLIC: Final = frozenset({"read directory", "suggest group", "give feedback"})
_EDITOR: Final = _PUBLIC | {"claim organisation"} | PER_ORGANISATION
_REVIEWER: Final = _EDITOR | {
    "publish change",
    "decide proposal",
    "decide claim",
    "revoke editor",
    "invite",
    "reset password",
    "import",
    "decide pair",
    "see access history",
}
_ADMIN: Final = _REVIEWER | {"manage accounts", "see personal data", "send mail"}

ALLOWED: Final[Mapping[str, frozenset[str]]] = {
    PUBLIC_ROLE: _PUBLIC,
    EDITOR: _EDITOR,
    REVIEWER: _REVIEWER,
    ADMIN: _ADMIN,
}
"""Role -> the actions it may take (for ``editor``, per-organisation ones on its own)."""

ROLE_NAMES: Final = {
    PUBLIC_ROLE: "a member of the public",
    EDITOR: "an editor",
    REVIEWER: "a reviewer",
    ADMIN: "an admin",
}
"""How each role is named in a refusal and in a history shown to those who may not see
who someone is."""


class NotAllowedError(StoreError):
    """The actor may not do what was asked (their role, or not their organisation)."""

    exit_code = 1


@dataclass(frozen=True)
class Actor:
    """Who asks: an account (by id), the public, or the command line.

    ``label`` is what the history records: ``account:<id>`` for an account, so that a
    deleted account's versions read "a former user" and no personal data is copied into
    the history.
    """

    kind: Literal["public", "account", "command line"]
    account_id: str | None = None
    label: str = PUBLIC_ROLE

    @property
    def is_public(self) -> bool:
        return self.kind == "public"


PUBLIC: Final = Actor("public")
"""Anyone not signed in."""

ACCOUNT_LABEL_PREFIX: Final = "account:"


def account_actor(account_id: str) -> Actor:
    """The actor for a signed-in account."""
    return Actor("account", account_id, f"{ACCOUNT_LABEL_PREFIX}{account_id}")


def command_line(label: str = "command line") -> Actor:
    """The keeper of the machine, recorded in the history as ``label``."""
    return Actor("command line", None, label)


@dataclass(frozen=True)
class Rights:
    """What an actor may do now: a role, and the organisations they keep."""

    role: Role
    organisations: frozenset[str] = frozenset()

    def may(self, action: Action, organisation_id: str | None = None) -> bool:
        """Whether these rights allow ``action`` (on ``organisation_id`` when it concerns
        one)."""
        if action not in ALLOWED[self.role]:
            return False
        if self.role == EDITOR and action in PER_ORGANISATION:
            return organisation_id is not None and organisation_id in self.organisations
        return True


_COMMAND_LINE_RIGHTS: Final = Rights(ADMIN)
_PUBLIC_RIGHTS: Final = Rights(PUBLIC_ROLE)


def rights_of(connection: Connection, actor: Actor) -> Rights:
    """The rights the database gives ``actor`` now.

    Raises
    ------
    NotAllowedError
        When the account no longer exists (deleted while signed in).
    """
    if actor.kind == "command line":
        return _COMMAND_LINE_RIGHTS
    if actor.kind == "public" or actor.account_id is None:
        return _PUBLIC_RIGHTS
    account, editor = schema.account, schema.organization_editor
    role = connection.execute(
        sa.select(account.c.role).where(account.c.id == actor.account_id)
    ).scalar_one_or_none()
    if role is None:
        raise NotAllowedError(
            "this account no longer exists, so it may do nothing. Fix: sign out, and ask a "
            "reviewer for a new invitation if you still keep a group's entry"
        )
    organisations = connection.execute(
        sa.select(editor.c.organization_id).where(editor.c.account_id == actor.account_id)
    ).scalars()
    return Rights(role, frozenset(organisations))


def authorise(
    connection: Connection, actor: Actor, action: Action, organisation_id: str | None = None
) -> Rights:
    """Check ``actor`` may take ``action`` now; return their rights.

    Raises
    ------
    NotAllowedError
        Naming the action, the role and what would allow it.
    """
    rights = rights_of(connection, actor)
    if rights.may(action, organisation_id):
        return rights
    raise NotAllowedError(refusal(rights, action))


def refusal(rights: Rights, action: Action) -> str:
    """Why ``rights`` do not allow ``action``, and what would."""
    who = ROLE_NAMES[rights.role]
    if rights.role == EDITOR and action in ALLOWED[EDITOR]:
        return (
            f"{who} may {action} only for an organisation they keep. Fix: claim the "
            "organisation first (a reviewer approves the claim)"
        )
    needed = next(role for role in (EDITOR, REVIEWER, ADMIN) if action in ALLOWED[role])
    fix = "sign in" if rights.role == PUBLIC_ROLE else "ask an admin"
    return f"{who} may not {action}; that needs {ROLE_NAMES[needed]}. Fix: {fix}"
