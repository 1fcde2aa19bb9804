"""The whole role × action matrix, walked through the store's own functions.

Each cell calls the real write (or privileged read) as someone of that role and checks
it is done or refused with `NotAllowedError` — so a page that shows a button by mistake
still cannot do what the role may not. The expected table is written out here, not read
from `analysis.store.access`, so that a change of the rules must change this test too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analysis.settings import DEMO_SERVICES_PATH
from analysis.store import accounts, claims, editing, feedback, pairs, proposals
from analysis.store.access import PUBLIC, Actor, NotAllowedError, command_line, rights_of
from analysis.store.audit import access_events
from analysis.store.importing import import_file
from analysis.store.schema import (
    CHANGE_PROPOSAL,
    COULD_WORK_TOGETHER,
    EDITOR,
    NOT_THE_SAME,
    OUT_OF_DATE,
    REPORTED_CLOSED,
    REVIEWER,
    SUGGESTION,
)

BASE_URL = "http://localhost:8501"
OWN = "ember-together"
OWN_SERVICE = "ember-together--benefits-help"
OTHER = "wren-works"
OTHER_SERVICE_PREFIX = "wren-works--"
KEEPER = command_line("tests")

EVERYONE = {"public", "editor", "reviewer", "admin"}
SIGNED_IN = {"editor", "reviewer", "admin"}
STAFF = {"reviewer", "admin"}
ADMINS = {"admin"}

EXPECTED: dict[str, set[str]] = {
    "suggest a missing group": EVERYONE,
    "claim an organisation": SIGNED_IN,
    "propose a change to an organisation they keep": SIGNED_IN,
    "propose a change to another organisation": STAFF,
    "see private contacts of an organisation they keep": SIGNED_IN,
    "see private contacts of another organisation": STAFF,
    "publish a change directly": STAFF,
    "add a new organisation": STAFF,
    "decide a proposal": STAFF,
    "decide a claim": STAFF,
    "revoke an editor": STAFF,
    "invite a group": STAFF,
    "make a reset link for an editor": STAFF,
    "import a file": STAFF,
    "verify a service they keep": SIGNED_IN,
    "verify another organisation's service": STAFF,
    "see the history of access": STAFF,
    "give feedback": EVERYONE,
    "see feedback on an organisation they keep": SIGNED_IN,
    "see feedback on another organisation": STAFF,
    "resolve feedback on an organisation they keep": SIGNED_IN,
    "resolve feedback on another organisation": STAFF,
    "decide a pair of similar services": STAFF,
    "answer an introduction for an organisation they keep": SIGNED_IN,
    # Agreeing shares a group's contact details: only its own editors may, whatever their
    # role (a reviewer decides the pair, but cannot consent for the group).
    "answer an introduction for another organisation": set(),
    "invite a reviewer": ADMINS,
    "change a role": ADMINS,
    "delete someone else's account": ADMINS,
    "see account holders' emails": ADMINS,
}


class World:
    """A demo store with one account of each role; the editor keeps `OWN`."""

    def __init__(self, store) -> None:
        self.store = store
        self.ids = {
            role: accounts.invite(
                store, KEEPER, f"{role}@example.org", base_url=BASE_URL, role=role_kind
            ).account.id
            for role, role_kind in (("editor", EDITOR), ("reviewer", REVIEWER), ("admin", "admin"))
        }
        self.other_editor = accounts.invite(
            store, KEEPER, "other@example.org", base_url=BASE_URL
        ).account.id
        claims.grant_editor(store, KEEPER, self.ids["editor"], OWN)
        claims.grant_editor(store, KEEPER, self.other_editor, OTHER)

    def actor(self, role: str) -> Actor:
        if role == "public":
            return PUBLIC
        return accounts.get_account(self.store, KEEPER, self.ids[role]).actor

    def service(self, service_id: str):
        return editing.open_service(self.store, service_id)

    def other_service(self) -> str:
        from analysis.store.reads import load_directory_from_store

        services = load_directory_from_store(self.store).services
        return next(s for s in services["service_id"] if s.startswith(OTHER_SERVICE_PREFIX))

    def pending_proposal(self) -> int:
        stored = self.service(OWN_SERVICE)
        editor = self.actor("editor")
        done = proposals.submit(
            self.store,
            editor,
            organisation_id=OWN,
            service_id=OWN_SERVICE,
            service_record={**stored.record, "capacity": 99.0},
            service_version=stored.version,
        )
        return done.proposal_id

    def introduction(self) -> int:
        """A pair of `OWN`'s and `OTHER`'s services offered an introduction."""
        return pairs.decide_pair(
            self.store, KEEPER, OWN_SERVICE, self.other_service(), COULD_WORK_TOGETHER
        )

    def pending_claim(self) -> int:
        return claims.request_claim(
            self.store,
            accounts.get_account(self.store, KEEPER, self.other_editor).actor,
            OWN,
            claimant_name="Sam",
            role_in_group="treasurer",
            contact="07700 900123",
        ).id


def _propose(world: World, actor: Actor, service_id: str) -> None:
    stored = world.service(service_id)
    proposals.submit(
        world.store,
        actor,
        organisation_id=stored.record["org_id"],
        service_id=service_id,
        service_record={**stored.record, "audience": "older people"},
        service_version=stored.version,
        kind=CHANGE_PROPOSAL,
    )


def _report(world: World, service_id: str) -> int:
    """A report from the public on ``service_id``."""
    reporter = feedback.reporter_key("a browser session")
    return feedback.give_feedback(
        world.store, PUBLIC, service_id, OUT_OF_DATE, "", reporter=reporter
    )


def _may_see_contacts(world: World, actor: Actor, organisation_id: str) -> None:
    with world.store.connect() as connection:
        if not rights_of(connection, actor).may("see private contacts", organisation_id):
            raise NotAllowedError("no")


def _answer_for_own(world: World, actor: Actor) -> None:
    """Answer `OWN`'s introduction as someone keeping `OWN` (staff are made its editors)."""
    pair = world.introduction()
    if actor.account_id is not None and actor.account_id != world.ids["editor"]:
        claims.grant_editor(world.store, KEEPER, actor.account_id, OWN)
    pairs.answer_introduction(world.store, actor, pair, OWN, True)


def _suggest(world: World, actor: Actor) -> None:
    org_id, service_id = proposals.new_id(), proposals.new_id()
    organisation = world.service(OWN_SERVICE)  # any complete records will do as a suggestion
    from analysis.store.reads import stored_records

    with world.store.connect() as connection:
        org = stored_records(connection, "organization", ids=[OWN])[OWN].record
    proposals.submit(
        world.store,
        actor,
        organisation_id=org_id,
        organisation_record={**org, "org_name": "Brand New Group"},
        service_id=service_id,
        service_record={**organisation.record, "org_id": org_id},
        kind=SUGGESTION,
        note="they meet at the library",
    )


def _new_organisation(world: World, actor: Actor) -> None:
    from analysis.store.reads import stored_records

    with world.store.connect() as connection:
        org = stored_records(connection, "organization", ids=[OWN])[OWN].record
    proposals.submit(
        world.store,
        actor,
        organisation_id=proposals.new_id(),
        organisation_record={**org, "org_name": "Another Group"},
        kind="new organisation",
    )


ACTIONS: dict[str, Callable[[World, Actor], object]] = {
    "suggest a missing group": _suggest,
    "claim an organisation": lambda w, a: claims.request_claim(
        w.store, a, OTHER, claimant_name="Jo", role_in_group="chair", contact="jo@example.org"
    ),
    "propose a change to an organisation they keep": lambda w, a: _propose(w, a, OWN_SERVICE),
    "propose a change to another organisation": lambda w, a: _propose(w, a, w.other_service()),
    "see private contacts of an organisation they keep": lambda w, a: _may_see_contacts(w, a, OWN),
    "see private contacts of another organisation": lambda w, a: _may_see_contacts(w, a, OTHER),
    "publish a change directly": lambda w, a: editing.save_service(
        w.store, OWN_SERVICE, {"capacity": 12.0}, expected_version=1, actor=a
    ),
    "add a new organisation": _new_organisation,
    "decide a proposal": lambda w, a: proposals.decide(
        w.store, a, w.pending_proposal(), approve=True
    ),
    "decide a claim": lambda w, a: claims.decide_claim(
        w.store, a, w.pending_claim(), approve=False, reason="not known to us"
    ),
    "revoke an editor": lambda w, a: claims.revoke_editor(
        w.store, a, w.other_editor, OTHER, reason="left the group"
    ),
    "invite a group": lambda w, a: accounts.invite(
        w.store, a, "new-group@example.org", base_url=BASE_URL
    ),
    "make a reset link for an editor": lambda w, a: accounts.reset_link(
        w.store, a, "other@example.org", base_url=BASE_URL
    ),
    "import a file": lambda w, a: import_file(w.store, DEMO_SERVICES_PATH, source="again", actor=a),
    "verify a service they keep": lambda w, a: editing.verify_service(
        w.store, OWN_SERVICE, expected_version=1, actor=a
    ),
    "verify another organisation's service": lambda w, a: editing.verify_service(
        w.store, w.other_service(), expected_version=1, actor=a
    ),
    "see the history of access": lambda w, a: access_events(w.store, a),
    "give feedback": lambda w, a: feedback.give_feedback(
        w.store, a, OWN_SERVICE, REPORTED_CLOSED, "", reporter=feedback.reporter_key(a.label)
    ),
    "see feedback on an organisation they keep": lambda w, a: feedback.open_feedback(
        w.store, a, organisation_id=OWN
    ),
    "see feedback on another organisation": lambda w, a: feedback.open_feedback(
        w.store, a, organisation_id=OTHER
    ),
    "resolve feedback on an organisation they keep": lambda w, a: feedback.resolve_feedback(
        w.store, a, _report(w, OWN_SERVICE), "corrected"
    ),
    "resolve feedback on another organisation": lambda w, a: feedback.resolve_feedback(
        w.store, a, _report(w, w.other_service()), "corrected"
    ),
    "decide a pair of similar services": lambda w, a: pairs.decide_pair(
        w.store, a, OWN_SERVICE, w.other_service(), NOT_THE_SAME, reason="different people"
    ),
    "answer an introduction for an organisation they keep": _answer_for_own,
    "answer an introduction for another organisation": lambda w, a: pairs.answer_introduction(
        w.store, a, w.introduction(), OTHER, True
    ),
    "invite a reviewer": lambda w, a: accounts.invite(
        w.store, a, "staff@example.org", base_url=BASE_URL, role=REVIEWER
    ),
    "change a role": lambda w, a: accounts.set_role(w.store, a, w.other_editor, REVIEWER),
    "delete someone else's account": lambda w, a: accounts.delete_account(
        w.store, a, w.other_editor
    ),
    "see account holders' emails": lambda w, a: accounts.list_accounts(w.store, a),
}


def test_the_matrix_names_every_action_once():
    assert set(ACTIONS) == set(EXPECTED)


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_role_may_do_exactly_what_its_row_allows(demo_store, role, action):
    world = World(demo_store)
    actor = world.actor(role)
    if role in EXPECTED[action]:
        ACTIONS[action](world, actor)
    else:
        with pytest.raises(NotAllowedError):
            ACTIONS[action](world, actor)


def test_a_revoked_editor_is_refused_at_once_though_their_session_still_holds_an_actor(
    demo_store,
):
    world = World(demo_store)
    editor = world.actor("editor")
    _propose(world, editor, OWN_SERVICE)
    claims.revoke_editor(demo_store, KEEPER, world.ids["editor"], OWN, reason="left")
    with pytest.raises(NotAllowedError, match="only for an organisation they keep"):
        _propose(world, editor, OWN_SERVICE)


def test_a_deleted_account_may_do_nothing(demo_store):
    world = World(demo_store)
    editor = world.actor("editor")
    accounts.delete_account(demo_store, KEEPER, world.ids["editor"])
    with pytest.raises(NotAllowedError, match="no longer exists"):
        _propose(world, editor, OWN_SERVICE)
