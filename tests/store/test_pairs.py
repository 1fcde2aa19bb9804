"""Pairs of similar services decided by reviewers: dismissed (and hidden), merged (one
archived, both histories kept) or introduced; an introduction shares contact details only
once both groups agreed; counts per ward."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis.errors import StoreError
from analysis.model import (
    CATEGORY,
    NEED_IN_COMMON,
    REASON,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    WARD_CODE,
)
from analysis.store import accounts, claims, pairs, schema
from analysis.store.access import PUBLIC, NotAllowedError, command_line
from analysis.store.audit import access_events
from analysis.store.editing import open_service
from analysis.store.history import record_history
from analysis.store.reads import load_directory_from_store
from analysis.store.records import ARCHIVED
from analysis.store.schema import (
    AGREED,
    COULD_WORK_TOGETHER,
    INTRODUCTION_MAIL,
    NOT_ANSWERED,
    NOT_THE_SAME,
    REVIEWER,
    THE_SAME,
)
from tests.store.conftest import DEMO_AT

KEEPER = command_line("tests")
BASE = "http://localhost:8501"
EMBER, LARKSPUR, WREN = "ember-together", "larkspur-pantry-mutual-aid", "wren-works"
BENEFITS = "ember-together--benefits-help"
BENEFITS_TOO = "ember-together--benefits-help-2"
ENERGY = "larkspur-pantry-mutual-aid--energy-bills-help"
HOUSING = "wren-works--housing-advice"
LATER = DEMO_AT + timedelta(days=3)


def _person(store, email: str, role: str = "editor", keeps: str | None = None):
    account = accounts.invite(store, KEEPER, email, base_url=BASE, role=role).account
    if keeps is not None:
        claims.grant_editor(store, KEEPER, account.id, keeps)
    return account.actor


@pytest.fixture
def reviewer(demo_store):
    return _person(demo_store, "rev@example.org", REVIEWER)


def _frame(*rows: tuple[str, str, str, float, str]) -> pd.DataFrame:
    """Pairs as `analysis.provision.duplication` gives them: a, b, ward, need, category."""
    return pd.DataFrame(
        [
            {
                SERVICE_A: a,
                SERVICE_B: b,
                WARD_CODE: ward,
                NEED_IN_COMMON: need,
                CATEGORY: category,
                REASON: "half the need is shared",
            }
            for a, b, ward, need, category in rows
        ]
    )


def test_not_the_same_needs_a_reason_and_the_pair_is_hidden_from_then_on(demo_store, reviewer):
    frame = _frame((BENEFITS, ENERGY, "W1", 10.0, "money"), (HOUSING, ENERGY, "W1", 5.0, "money"))
    with pytest.raises(StoreError, match="'not the same' needs a reason"):
        pairs.decide_pair(demo_store, reviewer, BENEFITS, ENERGY, NOT_THE_SAME, reason=" ")
    # Given in either order, the pair is stored once, ids ordered.
    pairs.decide_pair(
        demo_store, reviewer, ENERGY, BENEFITS, NOT_THE_SAME, reason="one is for energy bills"
    )
    with demo_store.connect() as connection:
        left = pairs.undecided(connection, frame)
        [row] = connection.execute(sa.select(schema.pair_decision)).all()
    assert list(zip(left[SERVICE_A], left[SERVICE_B], strict=True)) == [(HOUSING, ENERGY)]
    assert (row.service_a, row.service_b, row.reason) == (
        BENEFITS,
        ENERGY,
        "one is for energy bills",
    )


def test_a_pair_is_decided_once_and_a_second_decision_names_the_first(demo_store, reviewer):
    pairs.decide_pair(
        demo_store, reviewer, BENEFITS, ENERGY, NOT_THE_SAME, reason="differ", at=LATER
    )
    with pytest.raises(StoreError, match="already decided: 'not the same', on 13 January 2026"):
        pairs.decide_pair(demo_store, reviewer, ENERGY, BENEFITS, THE_SAME, kept=ENERGY)
    assert not open_service(demo_store, ENERGY).record[ARCHIVED]


def test_only_reviewers_and_admins_decide_pairs(demo_store):
    editor = _person(demo_store, "ed@example.org", keeps=EMBER)
    for who in (editor, PUBLIC):
        with pytest.raises(NotAllowedError, match="may not decide pair"):
            pairs.decide_pair(demo_store, who, BENEFITS, ENERGY, NOT_THE_SAME, reason="x")


def test_the_same_archives_the_other_and_keeps_both_histories(demo_store, reviewer):
    with pytest.raises(StoreError, match="needs the service to keep"):
        pairs.decide_pair(demo_store, reviewer, BENEFITS, BENEFITS_TOO, THE_SAME, kept=ENERGY)
    kept_before = open_service(demo_store, BENEFITS).version
    pairs.decide_pair(
        demo_store, reviewer, BENEFITS_TOO, BENEFITS, THE_SAME, kept=BENEFITS, at=LATER
    )
    shown = set(load_directory_from_store(demo_store).services[SERVICE_ID])
    assert BENEFITS in shown and BENEFITS_TOO not in shown
    assert open_service(demo_store, BENEFITS).version == kept_before  # the kept one unchanged
    # The merged one's whole history stays, its archiving the last version, by the reviewer.
    [merged] = pairs.merged_history(demo_store, BENEFITS)
    assert (merged.service_id, merged.service_name, merged.merged_at) == (
        BENEFITS_TOO,
        "Benefits Help",
        LATER,
    )
    assert merged.changes == tuple(record_history(demo_store, BENEFITS_TOO))
    assert [c.version for c in merged.changes][0] == 1
    last = merged.changes[-1]
    assert (last.field_name, last.previous, last.replacement) == (ARCHIVED, False, True)
    assert last.updated_by == reviewer.label
    assert pairs.merged_history(demo_store, BENEFITS_TOO) == []
    [event] = [e for e in access_events(demo_store, KEEPER) if e.action == pairs.PAIR_DECIDED]
    assert event.detail == f"{BENEFITS_TOO} merged into {BENEFITS}"
    with pytest.raises(StoreError, match="is archived"):
        pairs.decide_pair(demo_store, reviewer, BENEFITS_TOO, ENERGY, NOT_THE_SAME, reason="x")


def test_an_introduction_is_between_two_organisations(demo_store, reviewer):
    with pytest.raises(StoreError, match="both services are run by 'ember-together'"):
        pairs.decide_pair(demo_store, reviewer, BENEFITS, BENEFITS_TOO, COULD_WORK_TOGETHER)


def _outbox(store) -> list[sa.Row]:
    with store.connect() as connection:
        return connection.execute(sa.select(schema.outbox).order_by(schema.outbox.c.id)).all()


def test_an_introduction_shares_contacts_only_once_both_groups_agreed(demo_store, reviewer):
    ember = _person(demo_store, "ed@ember.example", keeps=EMBER)
    larkspur = _person(demo_store, "lee@larkspur.example", keeps=LARKSPUR)
    wren = _person(demo_store, "wyn@wren.example", keeps=WREN)
    pair = pairs.decide_pair(
        demo_store,
        reviewer,
        BENEFITS,
        ENERGY,
        COULD_WORK_TOGETHER,
        reason="both help with money",
        ward_code="E05010885",
        at=LATER,
    )
    # Each side's editor is sent a short mail naming the other group and the way to answer.
    mail = {row.recipient: row for row in _outbox(demo_store)}
    assert set(mail) == {"ed@ember.example", "lee@larkspur.example"}
    to_ember = mail["ed@ember.example"]
    assert to_ember.kind == INTRODUCTION_MAIL
    assert "Larkspur Pantry Mutual Aid" in to_ember.subject
    assert "You run Benefits Help; they run Energy Bills Help" in to_ember.body
    assert "because you keep Ember Together's entry" in to_ember.body
    assert "/?page=account" in to_ember.body and "Decline" in to_ember.body
    assert "hello@larkspur" not in to_ember.body  # no contact details before both agree

    [mine] = pairs.introductions_for(demo_store, ember)
    assert (mine.organisation_id, mine.other_organisation_name, mine.answer) == (
        EMBER,
        "Larkspur Pantry Mutual Aid",
        NOT_ANSWERED,
    )
    assert pairs.introductions_for(demo_store, wren) == []
    assert len(pairs.introductions_for(demo_store, reviewer)) == 2
    # Nobody answers for a group but its editors: not a third group, not a reviewer.
    for outsider in (wren, reviewer):
        with pytest.raises(NotAllowedError):
            pairs.answer_introduction(demo_store, outsider, pair, EMBER, True)
    with pytest.raises(NotAllowedError, match="only when both groups have agreed"):
        pairs.shared_contacts(demo_store, ember, pair)

    pairs.answer_introduction(demo_store, ember, pair, EMBER, True, at=LATER)
    with pytest.raises(NotAllowedError, match="Larkspur Pantry Mutual Aid not yet"):
        pairs.shared_contacts(demo_store, ember, pair)
    with demo_store.connect() as connection:
        assert pairs.collaborations(connection) == []
    done = pairs.answer_introduction(
        demo_store, larkspur, pair, LARKSPUR, True, at=LATER + timedelta(hours=1)
    )
    assert done.both_agreed

    [theirs] = pairs.shared_contacts(demo_store, ember, pair)
    assert (theirs.organisation_name, theirs.email, theirs.editors) == (
        "Larkspur Pantry Mutual Aid",
        "hello@larkspur-pantry-mutual-aid.example.org",
        ("lee@larkspur.example",),
    )
    [ours] = pairs.shared_contacts(demo_store, larkspur, pair)
    assert (ours.organisation_id, ours.editors) == (EMBER, ("ed@ember.example",))
    with pytest.raises(NotAllowedError, match="only the two groups' editors"):
        pairs.shared_contacts(demo_store, wren, pair)
    assert {c.organisation_id for c in pairs.shared_contacts(demo_store, reviewer, pair)} == {
        EMBER,
        LARKSPUR,
    }
    with demo_store.connect() as connection:
        [together] = pairs.collaborations(connection)
    assert together[:5] == (
        "Ember Together",
        "Larkspur Pantry Mutual Aid",
        "Benefits Help",
        "Energy Bills Help",
        LATER + timedelta(hours=1),
    )
    assert together.ward_code == "E05010885"
    # Both are told; answering again after both agreed is refused.
    assert sum("agreed too" in row.subject for row in _outbox(demo_store)) == 2
    with pytest.raises(StoreError, match="both groups have already agreed"):
        pairs.answer_introduction(demo_store, ember, pair, EMBER, False)


def test_a_declined_introduction_leaves_the_list_and_starts_nothing(demo_store, reviewer):
    ember = _person(demo_store, "ed@ember.example", keeps=EMBER)
    larkspur = _person(demo_store, "lee@larkspur.example", keeps=LARKSPUR)
    pair = pairs.decide_pair(demo_store, reviewer, BENEFITS, ENERGY, COULD_WORK_TOGETHER)
    pairs.answer_introduction(demo_store, ember, pair, EMBER, True)
    pairs.answer_introduction(demo_store, larkspur, pair, LARKSPUR, False)
    assert pairs.introductions_for(demo_store, larkspur) == []
    [still] = pairs.introductions_for(demo_store, ember)
    assert (still.answer, still.both_agreed) == (AGREED, False)
    with pytest.raises(NotAllowedError, match="not yet"):
        pairs.shared_contacts(demo_store, ember, pair)
    with demo_store.connect() as connection:
        assert pairs.collaborations(connection) == []


def test_counts_per_ward_open_dismissed_merged_and_collaborations(demo_store, reviewer):
    ember = _person(demo_store, "ed@ember.example", keeps=EMBER)
    larkspur = _person(demo_store, "lee@larkspur.example", keeps=LARKSPUR)
    frame = _frame(
        (BENEFITS, ENERGY, "W1", 10.0, "money"),
        (BENEFITS, ENERGY, "W2", 4.0, "debt"),  # the same pair again: W1 shares most need
        (BENEFITS, BENEFITS_TOO, "W1", 8.0, "money"),
        (HOUSING, ENERGY, "W1", 6.0, "money"),
        (BENEFITS_TOO, HOUSING, "W2", 3.0, "money"),
    )
    with demo_store.connect() as connection:
        before = pairs.pair_counts(connection, frame)
    assert before == {"W1": pairs.PairCounts(open=3), "W2": pairs.PairCounts(open=1)}

    pair = pairs.decide_pair(demo_store, reviewer, BENEFITS, ENERGY, COULD_WORK_TOGETHER)
    pairs.decide_pair(demo_store, reviewer, HOUSING, ENERGY, NOT_THE_SAME, reason="differ")
    pairs.decide_pair(
        demo_store, reviewer, BENEFITS, BENEFITS_TOO, THE_SAME, kept=BENEFITS, ward_code="W1"
    )
    # The merged service leaves the analysis, and with it its pairs; the merge still counts.
    after_merge = frame[~frame[SERVICE_A].eq(BENEFITS_TOO) & ~frame[SERVICE_B].eq(BENEFITS_TOO)]
    with demo_store.connect() as connection:
        offered = pairs.pair_counts(connection, after_merge)
    assert offered == {"W1": pairs.PairCounts(dismissed=1, merged=1)}  # not started yet

    pairs.answer_introduction(demo_store, ember, pair, EMBER, True)
    pairs.answer_introduction(demo_store, larkspur, pair, LARKSPUR, True)
    with demo_store.connect() as connection:
        counts = pairs.pair_counts(connection, after_merge)
    assert counts == {"W1": pairs.PairCounts(dismissed=1, merged=1, collaborations=1)}
