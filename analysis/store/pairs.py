"""Pairs of similar services as a reviewers' queue: not the same, the same, or partners.

The analysis (`analysis.provision.duplication`) finds pairs of two organisations' local
services that reach mostly the same people. A reviewer decides each pair once
(`decide_pair`):

- *not the same*, with a reason: the pair is hidden from then on (`undecided`);
- *the same service*: the other service is archived through `write_records` (a soft
  delete: its versions stay), and the decision names the one kept, whose history then
  shows the merged one's too (`merged_history`);
- *could work together*: each organisation gets an introduction (a row, and mail to its
  editors); each group agrees or declines for itself (`answer_introduction`). Only when
  both agreed does either see the other's contact details (`shared_contacts`), and the
  public sees the collaboration (`collaborations`): names, never contacts.

Consent to share a group's contact details is the group's own: only its editors answer
its introduction. A reviewer decides the pair but cannot agree on a group's behalf (the
command line, the machine's keeper, still may).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final, NamedTuple
from urllib.parse import urlencode

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.errors import RecordNotFoundError, StoreError, check_choice
from analysis.model import (
    EMAIL,
    NEED_IN_COMMON,
    ORG_ID,
    ORG_NAME,
    PHONE,
    SERVICE_A,
    SERVICE_B,
    WARD_CODE,
    WEBSITE,
)
from analysis.settings import public_url
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
from analysis.store.history import Change, record_history
from analysis.store.outbox import Message, editor_addresses, queue_message
from analysis.store.reads import stored_records
from analysis.store.records import ARCHIVED
from analysis.store.schema import (
    AGREED,
    BY_REVIEW,
    COULD_WORK_TOGETHER,
    DECLINED_INTRODUCTION,
    INTRODUCTION_MAIL,
    NOT_ANSWERED,
    NOT_THE_SAME,
    ORGANIZATION_RESOURCE,
    PAIR_DECISIONS,
    SERVICE_RESOURCE,
    THE_SAME,
    PairDecisionKind,
)
from analysis.store.writes import Stored, Write, columns, utc_now, write_records

PAIR_DECIDED: Final = "pair decided"
INTRODUCTION_ANSWERED: Final = "introduction answered"
"""Actions of the history of access (`analysis.store.audit`)."""


@dataclass(frozen=True)
class PairCounts:
    """One ward's pairs of similar services: open, and how the decided ones went."""

    open: int = 0
    """Pairs the analysis finds there that no reviewer has decided yet."""
    dismissed: int = 0
    """Decided "not the same": a reason given, hidden from the queue."""
    merged: int = 0
    """Decided "the same service": one kept, the other archived."""
    collaborations: int = 0
    """Introduced as "could work together", and both groups agreed."""


@dataclass(frozen=True)
class Introduction:
    """One organisation's side of an introduction offered on a pair."""

    pair_id: int
    organisation_id: str
    organisation_name: str
    service_name: str
    other_organisation_id: str
    other_organisation_name: str
    other_service_name: str
    answer: str
    other_answer: str
    why: str
    offered_at: datetime

    @property
    def both_agreed(self) -> bool:
        return self.answer == AGREED and self.other_answer == AGREED


@dataclass(frozen=True)
class Contacts:
    """An organisation's contact details, shared with the group it agreed to meet."""

    organisation_id: str
    organisation_name: str
    email: str
    phone: str
    website: str
    editors: tuple[str, ...]
    """Emails of its editors who agreed (they were told agreeing shares it)."""


class Collaboration(NamedTuple):
    """Two groups that both agreed to work together: names only, for the public."""

    org_a: str
    org_b: str
    service_a: str
    service_b: str
    started_at: datetime
    ward_code: str | None
    service_a_id: str
    service_b_id: str


@dataclass(frozen=True)
class Merged:
    """A service merged into another: its own history, kept."""

    service_id: str
    service_name: str
    merged_at: datetime
    changes: tuple[Change, ...]


# ---------------------------------------------------------------------------------------
# Deciding a pair
# ---------------------------------------------------------------------------------------


def decide_pair(
    store: Engine,
    actor: Actor,
    service_a: str,
    service_b: str,
    decision: PairDecisionKind,
    *,
    reason: str = "",
    kept: str | None = None,
    ward_code: str | None = None,
    at: datetime | None = None,
) -> int:
    """Decide a pair of similar services once; return the decision's id.

    Parameters
    ----------
    decision
        ``"not the same"`` (needs ``reason``), ``"the same"`` (needs ``kept``, one of the
        two: the other is archived) or ``"could work together"`` (the two organisations
        are offered an introduction; ``reason`` says why, in their mail).
    ward_code
        The ward that holds the pair (the analysis's ``ward_code``), for the ward's counts.

    Raises
    ------
    NotAllowedError
        When ``actor`` may not decide pairs (reviewers and admins do).
    StoreError
        When the pair was decided before (the first decision named), a reason or the
        service to keep is missing, or an introduction would be within one organisation.
    RecordNotFoundError
        When a service is not in the store.
    """
    check_choice("decision", decision, PAIR_DECISIONS, error=StoreError)
    first, second = sorted((str(service_a), str(service_b)))
    _check_decision(first, second, decision, reason, kept)
    at = at or utc_now()
    try:
        with store.begin() as connection:
            authorise(connection, actor, "decide pair")
            services = _two_services(connection, first, second)
            earlier = _decision_of(connection, first, second)
            if earlier is not None:
                raise StoreError(_decided_before(earlier))
            orgs = (services[first].record[ORG_ID], services[second].record[ORG_ID])
            if decision == COULD_WORK_TOGETHER and orgs[0] == orgs[1]:
                raise StoreError(
                    f"both services are run by {orgs[0]!r}: an introduction is between two "
                    "organisations. Fix: decide 'the same' or 'not the same' instead"
                )
            pair_id = _insert_decision(
                connection, actor, first, second, decision, reason, kept, ward_code, at
            )
            detail = f"{first} and {second}: {decision}"
            if decision == THE_SAME:
                merged = second if kept == first else first
                _archive_merged(connection, services[merged], merged, actor, at)
                detail = f"{merged} merged into {kept}"
            if decision == COULD_WORK_TOGETHER:
                _offer_introductions(connection, pair_id, services, (first, second), reason, at)
            record_event(connection, actor, PAIR_DECIDED, at, detail=detail)
    except sa.exc.IntegrityError:
        # Another reviewer decided the same pair a moment ago: name their decision.
        with store.connect() as connection:
            earlier = _decision_of(connection, first, second)
        if earlier is None:
            raise
        raise StoreError(_decided_before(earlier)) from None
    return pair_id


def undecided(connection: Connection, pairs_df: pd.DataFrame) -> pd.DataFrame:
    """The pairs of ``pairs_df`` (columns ``service_a``, ``service_b``) no reviewer has
    decided: a decided pair is hidden from then on."""
    decided = {(row.service_a, row.service_b) for row in _decisions(connection)}
    if pairs_df.empty or not decided:
        return pairs_df
    keys = zip(*_ordered(pairs_df), strict=True)
    return pairs_df[[key not in decided for key in keys]]


def merged_history(store: Engine, service_id: str) -> list[Merged]:
    """The services merged into ``service_id``, each with its whole history, oldest first."""
    table = schema.pair_decision
    with store.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.service_a, table.c.service_b, table.c.decided_at)
            .where(table.c.decision == THE_SAME, table.c.kept_service == service_id)
            .order_by(table.c.decided_at, table.c.id)
        ).all()
        merged_ids = [
            row.service_b if row.service_a == service_id else row.service_a for row in rows
        ]
        names = _service_names(connection, merged_ids)
    return [
        Merged(
            merged, names.get(merged, merged), row.decided_at, tuple(record_history(store, merged))
        )
        for merged, row in zip(merged_ids, rows, strict=True)
    ]


# ---------------------------------------------------------------------------------------
# Introductions
# ---------------------------------------------------------------------------------------


def answer_introduction(
    store: Engine,
    actor: Actor,
    pair_id: int,
    organisation_id: str,
    agree: bool,
    *,
    at: datetime | None = None,
) -> Introduction:
    """Agree to (or decline) an introduction for one organisation the actor keeps.

    An answer may change until both groups have agreed; from then on the contact details
    are shared, and the collaboration is public.

    Raises
    ------
    NotAllowedError
        When ``actor`` does not keep ``organisation_id`` (a reviewer may not answer for a
        group either: sharing its contacts is its own choice).
    RecordNotFoundError
        When that organisation has no introduction on ``pair_id``.
    StoreError
        When both groups have already agreed.
    """
    at = at or utc_now()
    table = schema.introduction
    with store.begin() as connection:
        rights = authorise(connection, actor, "answer introduction", organisation_id)
        _check_keeps(actor, rights, organisation_id)
        sides = _sides(connection, pair_id)
        if organisation_id not in sides:
            raise RecordNotFoundError(
                f"organisation {organisation_id!r} has no introduction on pair {pair_id}. Fix: "
                "answer one listed on your account page"
            )
        if all(answer == AGREED for answer in sides.values()):
            raise StoreError(
                "both groups have already agreed, so the contact details are shared. Fix: "
                "nothing to do; tell the other group if you no longer wish to work together"
            )
        answer = AGREED if agree else DECLINED_INTRODUCTION
        connection.execute(
            table.update()
            .where(table.c.pair_id == pair_id, table.c.organization_id == organisation_id)
            .values(answer=answer, answered_by=actor.label, answered_at=at)
        )
        record_event(
            connection,
            actor,
            INTRODUCTION_ANSWERED,
            at,
            organisation_id=organisation_id,
            detail=f"pair {pair_id}: {answer}",
        )
        introductions = _introductions(connection, pair_id=pair_id)
        if agree and all(each.answer == AGREED for each in introductions):
            _tell_both_agreed(connection, introductions, at)
    return next(each for each in introductions if each.organisation_id == organisation_id)


def introductions_for(store: Engine, actor: Actor) -> list[Introduction]:
    """Introductions to show ``actor``: an editor's pending and agreed ones for the
    organisations they keep; every one for reviewers and admins. Newest first."""
    with store.connect() as connection:
        rights = rights_of(connection, actor)
        if rights.may("decide pair"):
            return _introductions(connection)
        if not rights.organisations:
            return []
        return _introductions(
            connection, organisations=rights.organisations, answers=(NOT_ANSWERED, AGREED)
        )


def shared_contacts(store: Engine, actor: Actor, pair_id: int) -> list[Contacts]:
    """The other group's contact details (both groups' for staff keeping neither side).

    Raises
    ------
    NotAllowedError
        Unless both groups agreed, and ``actor`` keeps one side or is a reviewer or admin.
    RecordNotFoundError
        When ``pair_id`` has no introduction.
    """
    with store.connect() as connection:
        rights = rights_of(connection, actor)
        sides = _sides(connection, pair_id)
        if not sides:
            raise RecordNotFoundError(
                f"pair {pair_id} has no introduction. Fix: choose one on your account page"
            )
        kept = set(sides) & rights.organisations
        if not kept and not rights.may("decide pair"):
            raise NotAllowedError(
                "only the two groups' editors (and reviewers) may see the contact details an "
                "introduction shares. Fix: sign in as an editor of one of the two groups"
            )
        waiting = [org for org, answer in sides.items() if answer != AGREED]
        if waiting:
            raise NotAllowedError(
                "contact details are shared only when both groups have agreed; "
                f"{_organisation_names(connection, waiting)} not yet. Fix: wait for their "
                "answer (they have been sent the introduction)"
            )
        others = [org for org in sorted(sides) if org not in kept] or sorted(sides)
        return [_contacts(connection, pair_id, org) for org in others]


def collaborations(connection: Connection) -> list[Collaboration]:
    """Pairs introduced where both groups agreed, oldest first: public names only."""
    pairs, intro = schema.pair_decision, schema.introduction
    rows = connection.execute(
        sa.select(
            pairs.c.id,
            pairs.c.service_a,
            pairs.c.service_b,
            pairs.c.ward_code,
            sa.func.max(intro.c.answered_at).label("started_at"),
        )
        .join(intro, intro.c.pair_id == pairs.c.id)
        .where(pairs.c.decision == COULD_WORK_TOGETHER)
        .group_by(pairs.c.id, pairs.c.service_a, pairs.c.service_b, pairs.c.ward_code)
        .having(sa.func.count() == sa.func.sum(sa.case((intro.c.answer == AGREED, 1), else_=0)))
        .order_by("started_at", pairs.c.id)
    ).all()
    ids = [service for row in rows for service in (row.service_a, row.service_b)]
    services = _service_names(connection, ids)
    owners = _service_organisations(connection, ids)
    orgs = _organisation_name_map(connection, owners.values())
    return [
        Collaboration(
            orgs.get(owners.get(row.service_a, ""), ""),
            orgs.get(owners.get(row.service_b, ""), ""),
            services.get(row.service_a, row.service_a),
            services.get(row.service_b, row.service_b),
            row.started_at,
            row.ward_code,
            row.service_a,
            row.service_b,
        )
        for row in rows
    ]


# ---------------------------------------------------------------------------------------
# Counts per ward
# ---------------------------------------------------------------------------------------


def pair_counts(connection: Connection, pairs_df: pd.DataFrame) -> dict[str, PairCounts]:
    """Per ward code: pairs open, dismissed, merged and collaborations started.

    A pair's ward is its ``ward_code`` in ``pairs_df`` (the row sharing most need when it
    appears in several categories); a decided pair counts by the ward recorded with its
    decision, so a merged service that has left the analysis still counts.
    """
    wards = _pair_wards(pairs_df)
    agreed = {(each.service_a_id, each.service_b_id) for each in collaborations(connection)}
    tally: dict[str, PairCounts] = {}

    def add(ward: str | None, **one: int) -> None:
        if ward:
            now = tally.get(ward, PairCounts())
            tally[ward] = replace(now, **{name: getattr(now, name) + n for name, n in one.items()})

    decided = set()
    for row in _decisions(connection):
        key = (row.service_a, row.service_b)
        decided.add(key)
        ward = row.ward_code or wards.get(key)
        if row.decision == NOT_THE_SAME:
            add(ward, dismissed=1)
        elif row.decision == THE_SAME:
            add(ward, merged=1)
        elif key in agreed:
            add(ward, collaborations=1)
    for key, ward in wards.items():
        if key not in decided:
            add(ward, open=1)
    return dict(sorted(tally.items()))


# ---------------------------------------------------------------------------------------
# Inside
# ---------------------------------------------------------------------------------------


def _check_decision(first: str, second: str, decision: str, reason: str, kept: str | None) -> None:
    if first == second:
        raise StoreError(
            f"a pair is two services, not {first!r} twice. Fix: choose two different services"
        )
    if decision == NOT_THE_SAME and not reason.strip():
        raise StoreError(
            "'not the same' needs a reason. Fix: say how the two differ, so the next "
            "reviewer knows why the pair was dismissed"
        )
    if decision == THE_SAME and kept not in (first, second):
        raise StoreError(
            f"'the same' needs the service to keep, one of {first!r} and {second!r}, not "
            f"{kept!r}. Fix: choose which of the two stays in the directory"
        )


def _two_services(connection: Connection, first: str, second: str) -> dict[str, Stored]:
    found = stored_records(connection, SERVICE_RESOURCE, ids=[first, second])
    missing = [sid for sid in (first, second) if sid not in found]
    if missing:
        raise RecordNotFoundError(
            f"no service has the id {missing[0]!r}. Fix: decide a pair the analysis shows"
        )
    archived = [sid for sid in (first, second) if found[sid].record[ARCHIVED]]
    if archived:
        raise StoreError(
            f"service {archived[0]!r} is archived, so it is no longer in the directory. Fix: "
            "restore it first, or leave the pair undecided"
        )
    return found


def _decisions(connection: Connection) -> list[sa.Row]:
    table = schema.pair_decision
    return connection.execute(
        sa.select(
            table.c.id, table.c.service_a, table.c.service_b, table.c.decision, table.c.ward_code
        ).order_by(table.c.id)
    ).all()


def _decision_of(connection: Connection, first: str, second: str) -> sa.Row | None:
    table = schema.pair_decision
    return connection.execute(
        sa.select(table.c.decision, table.c.decided_at, table.c.kept_service).where(
            table.c.service_a == first, table.c.service_b == second
        )
    ).first()


def _decided_before(earlier: sa.Row) -> str:
    kept = f", keeping {earlier.kept_service!r}" if earlier.kept_service else ""
    return (
        f"this pair was already decided: '{earlier.decision}'{kept}, on "
        f"{earlier.decided_at:%d %B %Y %H:%M} UTC. A pair is decided once. Fix: nothing to "
        "do; to undo a merge, restore the archived service"
    )


def _insert_decision(
    connection: Connection,
    actor: Actor,
    first: str,
    second: str,
    decision: str,
    reason: str,
    kept: str | None,
    ward_code: str | None,
    at: datetime,
) -> int:
    return int(
        connection.execute(
            sa.insert(schema.pair_decision).values(
                service_a=first,
                service_b=second,
                decision=decision,
                reason=reason.strip(),
                kept_service=kept if decision == THE_SAME else None,
                ward_code=ward_code or None,
                decided_by=actor.label,
                decided_at=at,
            )
        ).inserted_primary_key[0]
    )


def _archive_merged(
    connection: Connection, stored: Stored, service_id: str, actor: Actor, at: datetime
) -> None:
    """Archive the merged service as any soft delete is: a new version, its history kept."""
    write_records(
        connection,
        [
            Write(
                SERVICE_RESOURCE,
                service_id,
                {**stored.record, ARCHIVED: True},
                expected_version=stored.version,
            )
        ],
        stored={service_id: stored},
        actor=actor.label,
        source_kind=BY_REVIEW,
        at=at,
    )


def _offer_introductions(
    connection: Connection,
    pair_id: int,
    services: Mapping[str, Stored],
    ids: tuple[str, str],
    why: str,
    at: datetime,
) -> None:
    connection.execute(
        sa.insert(schema.introduction),
        [
            columns(
                schema.introduction,
                pair_id=pair_id,
                organization_id=services[sid].record[ORG_ID],
                answer=NOT_ANSWERED,
            )
            for sid in ids
        ],
    )
    for introduction in _introductions(connection, pair_id=pair_id):
        for account_id, email in editor_addresses(connection, introduction.organisation_id):
            queue_message(
                connection,
                Message(
                    kind=INTRODUCTION_MAIL,
                    recipient=email,
                    subject=f"An introduction: {introduction.other_organisation_name} runs "
                    f"{introduction.other_service_name} for the same residents",
                    body=_introduction_body(introduction),
                    dedupe_key=f"{INTRODUCTION_MAIL}:{pair_id}:{account_id}",
                    due_at=at,
                    account_id=account_id,
                ),
                at=at,
            )


def _account_page() -> str:
    return f"{public_url().rstrip('/')}/?{urlencode({'page': ACCOUNT_PAGE})}"


def _introduction_body(introduction: Introduction) -> str:
    why = f" Why: {introduction.why}." if introduction.why else ""
    return (
        "Hello,\n\n"
        f"A reviewer of the community directory thinks {introduction.organisation_name} and "
        f"{introduction.other_organisation_name} could work together. You run "
        f"{introduction.service_name}; they run {introduction.other_service_name}, for "
        f"mostly the same residents.{why}\n\n"
        f"You get this because you keep {introduction.organisation_name}'s entry in the "
        "directory.\n\n"
        f"To be introduced, agree on your account page: {_account_page()}\n"
        "Contact details are shared only when both groups have agreed, and only with each "
        "other.\n\n"
        "Not interested? Decline on the same page and you will hear no more about it. To "
        "stop all mail from the directory, delete your account on that page, or ask a "
        "reviewer to take you off your group's entry.\n"
    )


def _tell_both_agreed(
    connection: Connection, introductions: Sequence[Introduction], at: datetime
) -> None:
    for introduction in introductions:
        for account_id, email in editor_addresses(connection, introduction.organisation_id):
            queue_message(
                connection,
                Message(
                    kind=INTRODUCTION_MAIL,
                    recipient=email,
                    subject=f"{introduction.other_organisation_name} agreed too",
                    body=(
                        f"Hello,\n\n{introduction.organisation_name} and "
                        f"{introduction.other_organisation_name} have both agreed to be "
                        "introduced. Their contact details are on your account page: "
                        f"{_account_page()}\n\nYou get this because you keep "
                        f"{introduction.organisation_name}'s entry in the directory.\n"
                    ),
                    dedupe_key=f"{INTRODUCTION_MAIL}:{introduction.pair_id}:{account_id}:agreed",
                    due_at=at,
                    account_id=account_id,
                ),
                at=at,
            )


def _check_keeps(actor: Actor, rights: Rights, organisation_id: str) -> None:
    if actor.kind == "command line" or organisation_id in rights.organisations:
        return
    raise NotAllowedError(
        "only the group's own editors may answer its introduction: agreeing shares its "
        "contact details. Fix: ask one of its editors, or claim the organisation first"
    )


def _sides(connection: Connection, pair_id: int) -> dict[str, str]:
    table = schema.introduction
    rows = connection.execute(
        sa.select(table.c.organization_id, table.c.answer).where(table.c.pair_id == pair_id)
    )
    return {row.organization_id: row.answer for row in rows}


def _introductions(
    connection: Connection,
    *,
    pair_id: int | None = None,
    organisations: Iterable[str] | None = None,
    answers: Iterable[str] | None = None,
) -> list[Introduction]:
    """Introductions (of one pair, of some organisations, with some answers), each with
    the other side's answer, newest first."""
    mine, theirs = schema.introduction.alias("mine"), schema.introduction.alias("theirs")
    pairs = schema.pair_decision
    where: list[sa.ColumnElement] = []
    if pair_id is not None:
        where.append(mine.c.pair_id == pair_id)
    if organisations is not None:
        where.append(mine.c.organization_id.in_(sorted(organisations)))
    if answers is not None:
        where.append(mine.c.answer.in_(list(answers)))
    rows = connection.execute(
        sa.select(
            mine.c.pair_id,
            mine.c.organization_id,
            mine.c.answer,
            theirs.c.organization_id.label("other_id"),
            theirs.c.answer.label("other_answer"),
            pairs.c.service_a,
            pairs.c.service_b,
            pairs.c.reason,
            pairs.c.decided_at,
        )
        .join(theirs, (theirs.c.pair_id == mine.c.pair_id) & (theirs.c.id != mine.c.id))
        .join(pairs, pairs.c.id == mine.c.pair_id)
        .where(*where)
        .order_by(pairs.c.decided_at.desc(), mine.c.pair_id.desc(), mine.c.organization_id)
    ).all()
    service_ids = [sid for row in rows for sid in (row.service_a, row.service_b)]
    services, owners = (
        _service_names(connection, service_ids),
        _service_organisations(connection, service_ids),
    )
    orgs = _organisation_name_map(
        connection, [org for row in rows for org in (row.organization_id, row.other_id)]
    )

    def run_by(row: sa.Row, organisation_id: str) -> str:
        sid = row.service_a if owners.get(row.service_a) == organisation_id else row.service_b
        return services.get(sid, sid)

    return [
        Introduction(
            pair_id=row.pair_id,
            organisation_id=row.organization_id,
            organisation_name=orgs.get(row.organization_id, row.organization_id),
            service_name=run_by(row, row.organization_id),
            other_organisation_id=row.other_id,
            other_organisation_name=orgs.get(row.other_id, row.other_id),
            other_service_name=run_by(row, row.other_id),
            answer=row.answer,
            other_answer=row.other_answer,
            why=row.reason,
            offered_at=row.decided_at,
        )
        for row in rows
    ]


def _contacts(connection: Connection, pair_id: int, organisation_id: str) -> Contacts:
    record = stored_records(connection, ORGANIZATION_RESOURCE, ids=[organisation_id])[
        organisation_id
    ].record
    intro, account = schema.introduction, schema.account
    label = sa.literal(ACCOUNT_LABEL_PREFIX) + account.c.id
    emails = connection.execute(
        sa.select(account.c.email)
        .join(intro, intro.c.answered_by == label)
        .where(intro.c.pair_id == pair_id, intro.c.organization_id == organisation_id)
    ).scalars()
    return Contacts(
        organisation_id,
        record[ORG_NAME],
        record[EMAIL] or "",
        record[PHONE] or "",
        record[WEBSITE] or "",
        tuple(emails),
    )


def _ordered(pairs_df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    a, b = pairs_df[SERVICE_A].astype(str), pairs_df[SERVICE_B].astype(str)
    return a.where(a < b, b), b.where(a < b, a)


def _pair_wards(pairs_df: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Each pair's ward: of its row sharing most need, when it is in several categories."""
    if pairs_df.empty:
        return {}
    first, second = _ordered(pairs_df)
    frame = pd.DataFrame(
        {
            SERVICE_A: first,
            SERVICE_B: second,
            WARD_CODE: pairs_df[WARD_CODE].astype(str),
            NEED_IN_COMMON: pairs_df[NEED_IN_COMMON].astype(float),
        }
    ).sort_values(NEED_IN_COMMON, ascending=False, kind="stable")
    frame = frame.drop_duplicates([SERVICE_A, SERVICE_B])
    return dict(
        zip(zip(frame[SERVICE_A], frame[SERVICE_B], strict=True), frame[WARD_CODE], strict=True)
    )


def _service_names(connection: Connection, ids: Iterable[str]) -> dict[str, str]:
    table = schema.service
    rows = connection.execute(
        sa.select(table.c.id, table.c.name).where(table.c.id.in_(sorted(set(ids))))
    )
    return {row.id: row.name for row in rows}


def _service_organisations(connection: Connection, ids: Iterable[str]) -> dict[str, str]:
    table = schema.service
    rows = connection.execute(
        sa.select(table.c.id, table.c.organization_id).where(table.c.id.in_(sorted(set(ids))))
    )
    return {row.id: row.organization_id for row in rows}


def _organisation_name_map(connection: Connection, ids: Iterable[str]) -> dict[str, str]:
    table = schema.organization
    rows = connection.execute(
        sa.select(table.c.id, table.c.name).where(table.c.id.in_(sorted(set(ids))))
    )
    return {row.id: row.name for row in rows}


def _organisation_names(connection: Connection, ids: Sequence[str]) -> str:
    names = _organisation_name_map(connection, ids)
    return " and ".join(names.get(org, org) for org in ids)
