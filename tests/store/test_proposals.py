"""Claims and proposed versions: held for a reviewer, approved or declined, compared,
restored; the public sees only published versions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from analysis.errors import StaleRecordError, StoreError
from analysis.store import accounts, claims, proposals
from analysis.store.access import command_line
from analysis.store.editing import open_service, save_service
from analysis.store.history import record_history
from analysis.store.reads import load_directory_from_store
from analysis.store.schema import APPROVED, DECLINED, PENDING, REVIEWER, SUPERSEDED
from tests.store.conftest import DEMO_AT

KEEPER = command_line("tests")
BASE = "http://localhost:8501"
ORG = "ember-together"
SERVICE = "ember-together--benefits-help"
DAY = timedelta(days=1)


@pytest.fixture
def people(demo_store):
    """An editor of `ORG` (through an approved claim) and a reviewer."""
    editor = accounts.invite(demo_store, KEEPER, "ed@example.org", base_url=BASE).account
    reviewer = accounts.invite(
        demo_store, KEEPER, "rev@example.org", base_url=BASE, role=REVIEWER
    ).account
    claim = claims.request_claim(
        demo_store,
        editor.actor,
        ORG,
        claimant_name="Ed Smith",
        role_in_group="coordinator",
        contact="07700 900456",
    )
    claims.decide_claim(demo_store, reviewer.actor, claim.id, approve=True)
    return editor.actor, reviewer.actor


def _capacity_now(store) -> float:
    services = load_directory_from_store(store).services.set_index("service_id")
    return float(services.loc[SERVICE, "capacity"])


def _propose(store, actor, capacity: float, at=None):
    stored = open_service(store, SERVICE)
    return proposals.submit(
        store,
        actor,
        organisation_id=ORG,
        service_id=SERVICE,
        service_record={**stored.record, "capacity": capacity},
        service_version=stored.version,
        at=at,
    )


def test_a_claim_is_seen_by_reviewers_and_its_outcome_by_the_claimant(demo_store):
    person = accounts.invite(demo_store, KEEPER, "p@example.org", base_url=BASE).account.actor
    reviewer = accounts.invite(
        demo_store, KEEPER, "r@example.org", base_url=BASE, role=REVIEWER
    ).account.actor
    claim = claims.request_claim(
        demo_store, person, ORG, claimant_name="Pat", role_in_group="chair", contact="p@x.org"
    )
    assert [c.id for c in claims.claims_to_decide(demo_store, reviewer)] == [claim.id]
    with pytest.raises(StoreError, match="already asked"):
        claims.request_claim(
            demo_store, person, ORG, claimant_name="Pat", role_in_group="chair", contact="x"
        )
    with pytest.raises(StoreError, match="needs a reason"):
        claims.decide_claim(demo_store, reviewer, claim.id, approve=False)
    claims.decide_claim(demo_store, reviewer, claim.id, approve=False, reason="unknown to us")
    [mine] = claims.my_claims(demo_store, person)
    assert (mine.status, mine.reason, mine.organisation_name) == (
        DECLINED,
        "unknown to us",
        "Ember Together",
    )
    assert claims.claims_to_decide(demo_store, reviewer) == []


def test_an_organisation_can_have_several_editors_and_a_reviewer_can_revoke_one(demo_store, people):
    editor, reviewer = people
    second = accounts.invite(demo_store, KEEPER, "two@example.org", base_url=BASE).account
    claim = claims.request_claim(
        demo_store, second.actor, ORG, claimant_name="Two", role_in_group="volunteer", contact="t"
    )
    claims.decide_claim(demo_store, reviewer, claim.id, approve=True)
    kept_by = claims.editors_of(demo_store, reviewer, ORG)
    assert [e.claimant_name for e in kept_by] == ["Ed Smith", "Two"]
    claims.revoke_editor(demo_store, reviewer, second.id, ORG, reason="left the group")
    assert [e.account_id for e in claims.editors_of(demo_store, reviewer, ORG)] == [
        editor.account_id
    ]


def test_an_editors_change_is_held_until_a_reviewer_approves_it(demo_store, people):
    editor, reviewer = people
    before = _capacity_now(demo_store)
    done = _propose(demo_store, editor, 80.0, at=DEMO_AT + DAY)
    assert not done.published and done.proposal_id
    assert _capacity_now(demo_store) == before  # the public sees the published version
    [held] = proposals.queue(demo_store, reviewer)
    changes = proposals.proposal_changes(demo_store, held)
    assert [(c.field, c.published, c.proposed) for c in changes] == [("capacity", before, 80.0)]
    assert [p.status for p in proposals.pending_for(demo_store, editor, ORG)] == [PENDING]
    decided = proposals.decide(demo_store, reviewer, done.proposal_id, approve=True)
    assert decided.status == APPROVED
    assert _capacity_now(demo_store) == 80.0
    *_, capacity, verified = record_history(demo_store, SERVICE)
    assert (capacity.updated_by, capacity.source_kind, capacity.field_name) == (
        editor.label,
        "review",
        "capacity",
    )
    # The approved change checked the entry: its review cycle starts again.
    assert (verified.field_name, verified.replacement) == (
        "last_verified",
        capacity.updated_at.isoformat(),
    )


def test_a_reviewers_own_edit_publishes_directly(demo_store, people):
    _, reviewer = people
    done = _propose(demo_store, reviewer, 33.0)
    assert done.published and done.proposal_id is None
    assert _capacity_now(demo_store) == 33.0


def test_a_declined_change_is_not_published_and_the_editor_sees_why(demo_store, people):
    editor, reviewer = people
    before = _capacity_now(demo_store)
    done = _propose(demo_store, editor, 500.0)
    proposals.decide(demo_store, reviewer, done.proposal_id, approve=False, reason="too many")
    [mine] = proposals.my_proposals(demo_store, editor)
    assert (mine.status, mine.reason) == (DECLINED, "too many")
    assert _capacity_now(demo_store) == before


def test_a_second_proposal_of_the_same_service_replaces_the_first(demo_store, people):
    editor, reviewer = people
    first = _propose(demo_store, editor, 50.0)
    second = _propose(demo_store, editor, 60.0)
    assert [p.id for p in proposals.queue(demo_store, reviewer)] == [second.proposal_id]
    statuses = {p.id: p.status for p in proposals.my_proposals(demo_store, editor)}
    assert statuses[first.proposal_id] == SUPERSEDED


def test_approving_a_change_to_a_record_changed_since_is_refused_and_stays_pending(
    demo_store, people
):
    editor, reviewer = people
    done = _propose(demo_store, editor, 50.0)
    save_service(demo_store, SERVICE, {"capacity": 70.0}, expected_version=1, actor=reviewer)
    with pytest.raises(StaleRecordError, match="changed by someone else"):
        proposals.decide(demo_store, reviewer, done.proposal_id, approve=True)
    assert [p.status for p in proposals.queue(demo_store, reviewer)] == [PENDING]
    assert _capacity_now(demo_store) == 70.0


def test_a_suggested_group_files_into_the_queue_and_is_added_on_approval(demo_store, people):
    _, reviewer = people
    from analysis.store.access import PUBLIC
    from analysis.store.reads import stored_records

    with demo_store.connect() as connection:
        org = stored_records(connection, "organization", ids=[ORG])[ORG].record
    service = open_service(demo_store, SERVICE).record
    org_id, service_id = proposals.new_id(), proposals.new_id()
    done = proposals.submit(
        demo_store,
        PUBLIC,
        organisation_id=org_id,
        organisation_record={**org, "org_name": "Lantern Lunch Club"},
        service_id=service_id,
        service_record={**service, "service_name": "Thursday lunch"},
        kind="suggestion",
        note="meets at St Anne's hall",
    )
    assert not done.published
    proposals.decide(demo_store, reviewer, done.proposal_id, approve=True)
    directory = load_directory_from_store(demo_store)
    assert "Lantern Lunch Club" in set(directory.organisations["org_name"])
    assert service_id in set(directory.services["service_id"])


def test_any_two_versions_can_be_compared_and_an_old_one_restored(demo_store, people):
    editor, reviewer = people
    original = open_service(demo_store, SERVICE).record["capacity"]
    _propose(demo_store, reviewer, 10.0)
    _propose(demo_store, reviewer, 20.0)
    assert proposals.versions(demo_store, "service", SERVICE) == [1, 2, 3]
    [change] = proposals.compare_versions(demo_store, "service", SERVICE, 1, 3)
    assert (change.field, change.published, change.proposed) == ("capacity", original, 20.0)
    held = proposals.restore_version(demo_store, editor, "service", SERVICE, 1, expected_version=3)
    assert not held.published and _capacity_now(demo_store) == 20.0
    proposals.decide(demo_store, reviewer, held.proposal_id, approve=True)
    assert _capacity_now(demo_store) == original
    assert proposals.versions(demo_store, "service", SERVICE) == [1, 2, 3, 4]
