"""The outcome of a claim and of a proposed change reaches the person who made it by mail:
one message, queued with the decision, to their account's address, never naming the
reviewer; the public (no account) and a reviewer publishing directly get none."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from analysis import settings
from analysis.errors import StoreError
from analysis.store import accounts, claims, config, proposals, schema
from analysis.store.access import PUBLIC, command_line
from analysis.store.editing import open_service
from analysis.store.mail import deliver_due
from analysis.store.outbox import queue_message
from analysis.store.reads import stored_records
from analysis.store.schema import OUTCOME_MAIL, REVIEWER
from tests.store.conftest import DEMO_AT
from tests.store.test_mail_smtp import _transport, smtp  # noqa: F401 (the fixture)

KEEPER = command_line("tests")
BASE = "http://localhost:8501"
PUBLIC_URL = "https://safetynet.example.org"
ORG = "ember-together"
SERVICE = "ember-together--benefits-help"
AT = DEMO_AT + timedelta(days=1)


@pytest.fixture(autouse=True)
def _public_url(monkeypatch):
    monkeypatch.setenv(settings.PUBLIC_URL_ENV, PUBLIC_URL)


@pytest.fixture
def reviewer(demo_store):
    return accounts.invite(
        demo_store, KEEPER, "rev@example.org", base_url=BASE, role=REVIEWER, name="Rita Reviewer"
    ).account.actor


@pytest.fixture
def claimant(demo_store):
    return accounts.invite(demo_store, KEEPER, "pat@example.org", base_url=BASE).account


def _claim(store, person):
    return claims.request_claim(
        store, person.actor, ORG, claimant_name="Pat", role_in_group="chair", contact="07700"
    )


@pytest.fixture
def editor(demo_store, claimant, reviewer):
    """``claimant`` made an editor of `ORG` without a claim (so without an outcome mail)."""
    claims.grant_editor(demo_store, KEEPER, claimant.id, ORG)
    return claimant


def _outcomes(store) -> list[sa.Row]:
    outbox = schema.outbox
    with store.connect() as connection:
        return connection.execute(
            sa.select(outbox).where(outbox.c.kind == OUTCOME_MAIL).order_by(outbox.c.id)
        ).all()


def _propose_capacity(store, actor, capacity: float):
    stored = open_service(store, SERVICE)
    return proposals.submit(
        store,
        actor,
        organisation_id=ORG,
        service_id=SERVICE,
        service_record={**stored.record, "capacity": capacity},
        service_version=stored.version,
        at=AT,
    )


def _assert_no_reviewer_in(row: sa.Row) -> None:
    text = f"{row.subject}\n{row.body}"
    assert "rev@example.org" not in text and "Rita" not in text
    assert "a reviewer" in text.casefold()


def test_an_approved_claim_tells_the_claimant_they_can_now_edit(demo_store, claimant, reviewer):
    claim = _claim(demo_store, claimant)
    claims.decide_claim(demo_store, reviewer, claim.id, approve=True, at=AT)
    [row] = _outcomes(demo_store)
    assert (row.recipient, row.account_id) == ("pat@example.org", claimant.id)
    assert row.dedupe_key == f"outcome:claim:{claim.id}"
    assert row.due_at == AT and row.sent_at is None
    assert row.subject == "Safety Net: you now keep the entry of Ember Together"
    assert "A reviewer approved your request to keep the entry of Ember Together" in row.body
    assert "You can now edit Ember Together's entry" in row.body
    assert f"{PUBLIC_URL}/?page=edit&org=ember-together" in row.body
    assert f"give up keeping the entry on Your account ({PUBLIC_URL}/?page=account)" in row.body
    _assert_no_reviewer_in(row)


def test_a_declined_claim_gives_the_reason_and_how_to_ask_again(demo_store, claimant, reviewer):
    claim = _claim(demo_store, claimant)
    claims.decide_claim(demo_store, reviewer, claim.id, approve=False, reason="unknown to us")
    [row] = _outcomes(demo_store)
    assert row.recipient == "pat@example.org"
    assert row.subject == "Safety Net: your request to keep Ember Together was declined"
    assert "A reviewer declined your request to keep the entry of Ember Together" in row.body
    assert "The reviewer's reason: unknown to us" in row.body
    assert "To try again, sign in and ask again on Your account" in row.body
    assert f"{PUBLIC_URL}/?page=account" in row.body
    assert "page=edit" not in row.body
    _assert_no_reviewer_in(row)


def test_an_approved_change_tells_the_editor_the_directory_shows_it(demo_store, editor, reviewer):
    done = _propose_capacity(demo_store, editor.actor, 80.0)
    assert _outcomes(demo_store) == []  # proposing is not an outcome
    proposals.decide(demo_store, reviewer, done.proposal_id, approve=True, at=AT)
    [row] = _outcomes(demo_store)
    assert (row.recipient, row.account_id) == ("pat@example.org", editor.id)
    assert row.dedupe_key == f"outcome:proposal:{done.proposal_id}"
    assert row.subject == ("Safety Net: your change to Benefits Help (Ember Together) is approved")
    assert "The directory shows it now." in row.body
    assert f"{PUBLIC_URL}/?page=edit&org=ember-together" in row.body
    _assert_no_reviewer_in(row)


def test_a_declined_change_gives_the_reason_and_how_to_try_again(demo_store, editor, reviewer):
    done = _propose_capacity(demo_store, editor.actor, 500.0)
    proposals.decide(demo_store, reviewer, done.proposal_id, approve=False, reason="too many")
    [row] = _outcomes(demo_store)
    assert row.subject == "Safety Net: your change to Benefits Help (Ember Together) was declined"
    assert "A reviewer declined your change to Benefits Help (Ember Together)" in row.body
    assert "The reviewer's reason: too many" in row.body
    assert "To try again, sign in, open the entry" in row.body
    assert f"{PUBLIC_URL}/?page=edit&org=ember-together" in row.body
    _assert_no_reviewer_in(row)


def test_a_new_service_is_named_as_proposed(demo_store, editor, reviewer):
    service = open_service(demo_store, SERVICE).record
    done = proposals.submit(
        demo_store,
        editor.actor,
        organisation_id=ORG,
        service_id=proposals.new_id(),
        service_record={**service, "service_name": "Thursday lunch"},
        kind="new service",
    )
    proposals.decide(demo_store, reviewer, done.proposal_id, approve=False, reason="a duplicate")
    [row] = _outcomes(demo_store)
    assert row.subject == (
        "Safety Net: the new service Thursday lunch you proposed for Ember Together was declined"
    )


def test_deciding_never_queues_a_second_message(demo_store, editor, claimant, reviewer):
    other = accounts.invite(demo_store, KEEPER, "sam@example.org", base_url=BASE).account
    claim = _claim(demo_store, other)
    claims.decide_claim(demo_store, reviewer, claim.id, approve=True)
    with pytest.raises(StoreError, match="approved already"):
        claims.decide_claim(demo_store, reviewer, claim.id, approve=False, reason="oops")
    done = _propose_capacity(demo_store, editor.actor, 80.0)
    proposals.decide(demo_store, reviewer, done.proposal_id, approve=True)
    with pytest.raises(StoreError, match="approved already"):
        proposals.decide(demo_store, reviewer, done.proposal_id, approve=True)
    rows = _outcomes(demo_store)
    assert [row.recipient for row in rows] == ["sam@example.org", "pat@example.org"]
    # Queuing the same outcome again (a retried write) is refused by its key.
    decided = claims.my_claims(demo_store, other.actor)[0]
    with demo_store.begin() as connection:
        again = claims.outcome_message(decided, "sam@example.org", AT)
        assert not queue_message(connection, again, at=AT)
    assert len(_outcomes(demo_store)) == 2


def test_a_suggestion_from_the_public_queues_nothing(demo_store, reviewer):
    with demo_store.connect() as connection:
        org = stored_records(connection, "organization", ids=[ORG])[ORG].record
    service = open_service(demo_store, SERVICE).record
    for approve in (True, False):
        done = proposals.submit(
            demo_store,
            PUBLIC,
            organisation_id=proposals.new_id(),
            organisation_record={**org, "org_name": f"Lantern Lunch Club {approve}"},
            service_id=proposals.new_id(),
            service_record={**service, "service_name": "Thursday lunch"},
            kind="suggestion",
        )
        proposals.decide(
            demo_store, reviewer, done.proposal_id, approve=approve, reason="not in Bristol"
        )
    assert _outcomes(demo_store) == []


def test_a_signed_in_persons_suggestion_is_answered(demo_store, claimant, reviewer):
    with demo_store.connect() as connection:
        org = stored_records(connection, "organization", ids=[ORG])[ORG].record
    service = open_service(demo_store, SERVICE).record
    done = proposals.submit(
        demo_store,
        claimant.actor,
        organisation_id=proposals.new_id(),
        organisation_record={**org, "org_name": "Lantern Lunch Club"},
        service_id=proposals.new_id(),
        service_record={**service, "service_name": "Thursday lunch"},
        kind="suggestion",
    )
    proposals.decide(demo_store, reviewer, done.proposal_id, approve=True)
    [row] = _outcomes(demo_store)
    assert row.subject == "Safety Net: your suggestion of Lantern Lunch Club is approved"
    assert "ask to keep it on Your account" in row.body


def test_a_reviewers_direct_publish_queues_nothing(demo_store, reviewer):
    done = _propose_capacity(demo_store, reviewer, 33.0)
    assert done.published
    assert _outcomes(demo_store) == []


def test_a_deleted_accounts_unsent_outcome_goes_with_it(demo_store, claimant, reviewer):
    claim = _claim(demo_store, claimant)
    claims.decide_claim(demo_store, reviewer, claim.id, approve=False, reason="unknown to us")
    assert len(_outcomes(demo_store)) == 1
    accounts.delete_account(demo_store, claimant.actor, claimant.id)
    assert _outcomes(demo_store) == []


def test_the_outcome_arrives_at_the_mail_server(demo_store, claimant, reviewer, smtp, monkeypatch):  # noqa: F811
    handler, controller = smtp
    monkeypatch.setenv(config.MAIL_FROM_ENV, "Safety Net <directory@example.org>")
    claim = _claim(demo_store, claimant)
    claims.decide_claim(demo_store, reviewer, claim.id, approve=True, at=AT)
    report = deliver_due(demo_store, KEEPER, transport=_transport(controller), now=AT)
    assert (report.sent, report.failed) == (1, ())
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["pat@example.org"]
    [received] = handler.messages()
    assert received["Subject"] == "Safety Net: you now keep the entry of Ember Together"
    text = received.get_content()
    assert "You can now edit Ember Together's entry" in text
    assert f"{PUBLIC_URL}/?page=edit&org=ember-together" in text
    assert [row.sent_at for row in _outcomes(demo_store)] == [AT]
