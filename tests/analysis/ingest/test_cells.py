"""Reading one cell: the parsers, the word lists and each issue's message, pinned."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from analysis.ingest.cells import (
    FeedTerm,
    Place,
    cell_text,
    default_kind,
    judge_charity_number,
    judge_email,
    judge_period,
    judge_phone,
    judge_status,
    judge_website,
    kind_from_words,
    listed,
    parse_categories,
    parse_date,
    parse_delivery,
    parse_radius_km,
    read_capacity,
    read_categories,
    read_contact_public,
    read_date,
    read_delivery,
    read_kind,
    word_keys,
)
from analysis.ingest.import_report import Issue
from analysis.model import (
    CHARITY_KIND,
    CIC_KIND,
    DELIVERY_MODES,
    FAITH_GROUP_KIND,
    MUTUAL_AID_KIND,
    ORGANISATION_KINDS,
    OTHER_KIND,
    STATUTORY_KIND,
)
from analysis.taxonomy import TermsRead
from tests.analysis.ingest.helpers import TAXONOMY

CATEGORY_FIX = (
    "use category ids or synonyms from data/taxonomy.csv (e.g. food, money_advice), or "
    "add the term to a category's synonyms"
)


def messages(issues: tuple[Issue, ...]) -> list[str]:
    return [f"{i.code} {i.value!r}: {i.reason}. Fix: {i.fix}" for i in issues]


def test_parse_categories():
    assert parse_categories("Foodbank; Debt/Money", TAXONOMY) == TermsRead(("food", "money_advice"))
    assert parse_categories("Food/Knitting; Yoga", TAXONOMY) == TermsRead(
        ("food",), unmapped=("Knitting", "Yoga")
    )
    assert parse_categories("Drugs and alcohol", TAXONOMY) == TermsRead(("mental_health",))
    assert parse_categories("", TAXONOMY) == TermsRead()


def test_broad_terms_name_no_category_and_are_kept_as_broad():
    assert parse_categories("Advice; Support", TAXONOMY) == TermsRead(broad=("Advice", "Support"))
    assert parse_categories("Advice; Foodbank; Knitting", TAXONOMY) == TermsRead(
        ("food",), ("Advice",), ("Knitting",)
    )
    # The id, written as an id, still names its category; the word alone is broad.
    assert parse_categories("language", TAXONOMY) == TermsRead(("language",))
    assert parse_categories("Language", TAXONOMY) == TermsRead(broad=("Language",))


def test_a_feed_term_is_categorised_by_its_vocabulary_id_before_its_name():
    by_id = FeedTerm("Carers support groups", "esdServiceTypes", "298")
    assert parse_categories((by_id,), TAXONOMY) == TermsRead(("carers",))
    # An id the map does not know falls back to the name.
    unknown = FeedTerm("Food banks", "esdServiceTypes", "999999")
    assert parse_categories((unknown,), TAXONOMY) == TermsRead(("food",))
    uri = FeedTerm("", "", "http://id.esd.org.uk/service/298")
    assert parse_categories((uri,), TAXONOMY) == TermsRead(("carers",))


def test_parse_delivery():
    assert parse_delivery("Telephone, Online") == (("phone", "online"), ())
    assert parse_delivery("in-person or remotely via video") == (("in person", "online"), ())
    assert parse_delivery("Venue; carrier pigeon") == (("in person",), ("carrier pigeon",))
    assert parse_delivery("home visits") == (("home delivery",), ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31", "2024-03-31"),
        ("31/03/2024", "2024-03-31"),
        ("1.4.24", "2024-04-01"),
        ("2023-03-15T10:30:45.123Z", "2023-03-15 10:30:45.123"),
        ("2023-03-15T10:30:00+01:00", "2023-03-15 09:30:00"),
        ("5 June 2025", "2025-06-05"),
        ("March 2025", "2025-03-01"),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == pd.Timestamp(expected)


@pytest.mark.parametrize("text", ["", "soon", "31/02/2024", "13/13/2024"])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "km"),
    [("2", 2.0), ("2 km", 2.0), ("1,5km", 1.5), ("800 m", 0.8), ("3 miles", 4.828032), ("x", None)],
)
def test_parse_radius_km(text, km):
    assert parse_radius_km(text) == (pytest.approx(km) if km is not None else None)


def test_a_feed_s_terms_are_read_as_they_are():
    # A term is never split on ';' (it is one term of the feed), but its free-text parts are
    # still read and reported.
    assert parse_categories(("Food; clothing", "Debt/Money"), TAXONOMY) == TermsRead(
        ("food", "money_advice"), unmapped=("clothing",)
    )
    assert parse_categories(("Knitting circle",), TAXONOMY) == TermsRead(
        unmapped=("Knitting circle",)
    )
    assert parse_categories((), TAXONOMY) == TermsRead()


def test_read_categories_issues():
    assert read_categories("", TAXONOMY) == (
        TermsRead(),
        (
            Issue(
                "uncategorised",
                "",
                "no category given; the service is kept as uncategorised",
                "give one or more need categories separated by ';', e.g. 'food; housing'",
            ),
        ),
    )
    _, issues = read_categories("Knitting; Yoga", TAXONOMY)
    assert messages(issues) == [
        "uncategorised 'Knitting; Yoga': no term matches a need category; the service is kept "
        f"as uncategorised. Fix: {CATEGORY_FIX}"
    ]
    _, issues = read_categories("food; Knitting", TAXONOMY)
    assert messages(issues) == [
        f"unmapped_category 'Knitting': matches no need category and is left out. Fix: "
        f"{CATEGORY_FIX}"
    ]
    # A feed's service is flagged only when none of its terms maps.
    assert read_categories(("food", "Knitting"), TAXONOMY, is_feed=True) == (
        TermsRead(("food",), unmapped=("Knitting",)),
        (),
    )
    _, issues = read_categories(("Knitting", "Yoga"), TAXONOMY, is_feed=True)
    assert [(i.code, i.value) for i in issues] == [("uncategorised", "Knitting; Yoga")]


def test_a_cell_of_broad_terms_says_they_are_broad_not_unmapped():
    _, issues = read_categories("Advice; Language", TAXONOMY)
    assert messages(issues) == [
        "uncategorised 'Advice; Language': its terms are broad and name no specific need "
        "('Advice', 'Language'); the service is kept as uncategorised. Fix: give a specific "
        "need category, e.g. food or money_advice (write the id 'language' for that "
        "category)"
    ]
    # Beside a category, a broad term is no issue of the row (the report counts it).
    assert read_categories("Advice; food", TAXONOMY)[1] == ()


def test_a_feed_s_attending_types_are_read_one_by_one():
    assert parse_delivery(("in_person", "Online or by phone")) == (
        ("in person", "phone", "online"),
        (),
    )
    assert parse_delivery(()) == ((), ())


def test_read_delivery_assumes_in_person():
    assert read_delivery("") == (("in person",), ())
    modes, issues = read_delivery("pigeon")
    assert modes == ("in person",)
    assert messages(issues) == [
        "unknown_delivery 'pigeon': not a delivery mode and is left out; 'in person' is "
        "assumed. Fix: use in person, phone, online or home delivery, separated by ';'"
    ]
    modes, issues = read_delivery("phone; pigeon")
    assert modes == ("phone",)
    assert [i.reason for i in issues] == ["not a delivery mode and is left out"]


def test_every_term_stands_for_itself():
    for mode in DELIVERY_MODES:
        assert parse_delivery(mode) == ((mode,), ())
    for kind in ORGANISATION_KINDS:
        assert kind_from_words(kind) == kind
    assert word_keys(("a b", "c"), {"c": "see, sea"}) == {
        "ab": "a b",
        "c": "c",
        "see": "c",
        "sea": "c",
    }


def test_the_kind_constants_are_the_model_s_kinds():
    named = (CHARITY_KIND, CIC_KIND, MUTUAL_AID_KIND, FAITH_GROUP_KIND, STATUTORY_KIND, OTHER_KIND)
    assert set(named) == set(ORGANISATION_KINDS)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Registered Charity", "charity"),
        ("CIO", "charity"),
        ("church", "faith group"),
        ("NHS", "statutory"),
        ("Community Interest Company", "CIC"),
        ("co-op", "other"),
    ],
)
def test_kinds_from_words(text, kind):
    assert read_kind(text) == (kind, ())


def test_read_kind_blank_and_unknown():
    assert read_kind("") == (None, ())
    assert default_kind(has_charity_number=True) == "charity"
    assert default_kind(has_charity_number=False) == "other"
    kind, issues = read_kind("guild")
    assert kind == "other"
    assert messages(issues) == [
        "unknown_kind 'guild': not a kind of organisation; 'other' is used. Fix: use one of: "
        "charity, CIC, mutual aid group, faith group, statutory, other"
    ]


@pytest.mark.parametrize(
    ("cell", "default", "expected"),
    [
        ("Yes", False, True),
        ("✓", False, True),
        ("professionals only", True, False),
        ("", True, True),
        ("", False, False),
        (True, False, True),
        (False, True, False),
    ],
)
def test_read_contact_public(cell, default, expected):
    assert read_contact_public(cell, default=default) == (expected, ())


def test_read_contact_public_unclear():
    value, issues = read_contact_public("maybe", default=True)
    assert value is True
    assert messages(issues) == [
        "bad_contact_public 'maybe': not yes or no; yes is assumed. Fix: write yes (contact "
        "details may be shown publicly) or no"
    ]


@pytest.mark.parametrize(
    ("text", "people"), [("40", 40.0), ("1,200", 1200.0), ("40 per week", 40.0)]
)
def test_read_capacity(text, people):
    assert read_capacity(text) == (people, ())


def test_a_blank_capacity_is_unknown():
    value, issues = read_capacity("")
    assert math.isnan(value)
    assert messages(issues) == [
        "unknown_capacity '': no capacity given, so it is unknown: the analysis counts it at "
        "the median capacity of its category's services in this file. Fix: give the number "
        "of people the service can help per week, e.g. 40"
    ]


@pytest.mark.parametrize("text", ["lots", "-5", "0", "1e999"])
def test_read_capacity_refuses(text):
    value, issues = read_capacity(text)
    assert math.isnan(value)
    assert messages(issues) == [
        f"bad_capacity {text!r}: not a positive number of people per week, so it is unknown: "
        "the analysis counts it at the median capacity of its category's services in this "
        "file. Fix: write a number such as 40 (left empty, it counts as unknown)"
    ]


def test_read_date():
    assert read_date("2024-03-31") == (pd.Timestamp("2024-03-31"), ())
    assert read_date("") == (None, ())
    value, issues = read_date("last spring")
    assert value is None
    assert messages(issues) == [
        "bad_date 'last spring': not a date; left empty. Fix: write the date as YYYY-MM-DD, "
        "e.g. 2025-03-31"
    ]


def test_judge_period():
    today = date(2026, 11, 28)
    start, end = pd.Timestamp("2026-05-01"), pd.Timestamp("2026-02-01")
    (reversed_,) = judge_period(start, end, start_text="1/5/26", end_text="1/2/26", today=today)
    assert (reversed_.code, reversed_.value, reversed_.reason, reversed_.fix) == (
        "dates_reversed",
        "1/2/26",
        "the service ends before it starts (1/5/26)",
        "swap active_from and active_until, or correct one of them",
    )
    (ended,) = judge_period(None, end, start_text="", end_text="1/2/26", today=today)
    assert (ended.code, ended.reason, ended.fix) == (
        "ended",
        "the service ended before 2026-11-28; it is kept but flagged",
        "remove the row if the service has stopped, or correct active_until",
    )
    assert judge_period(None, None, start_text="", end_text="", today=today) == ()
    assert judge_period(start, None, start_text="x", end_text="", today=today) == ()


@pytest.mark.parametrize("status", ["defunct", "Temporarily closed", "inactive"])
def test_judge_status(status):
    (issue,) = judge_status(status)
    assert issue.reason == f"the feed marks the service {status.lower()}; it is kept but flagged"
    assert judge_status("active") == ()


@pytest.mark.parametrize(
    ("judge", "good", "bad", "message"),
    [
        (
            judge_email,
            "hello@example.org",
            "hello at heron",
            "bad_email 'hello at heron': not an email address. Fix: write one address such as "
            "hello@example.org",
        ),
        (
            judge_website,
            "example.org/page",
            "our facebook page",
            "bad_website 'our facebook page': not a web address. Fix: write one address such as "
            "https://example.org",
        ),
        (
            judge_phone,
            "0117 496 0123 ext 4",
            "ring Sue",
            "bad_phone 'ring Sue': not a phone number. Fix: write digits, spaces and an optional "
            "leading +, e.g. 0117 496 0123",
        ),
        (
            judge_phone,
            "+44 117 496 0123",
            "1174960123",
            "phone_lost_zero '1174960123': looks like a UK number whose leading 0 a spreadsheet "
            "dropped. Fix: write it as 01174960123, and format the column as text",
        ),
        (
            judge_charity_number,
            "Reg. charity no: 1234567",
            "12AB",
            "bad_charity_number '12AB': not a registered charity number. Fix: write the number as "
            "registered, e.g. 1234567 (England and Wales), SC012345 (Scotland) or NIC100002 "
            "(Northern Ireland), or leave it empty",
        ),
    ],
)
def test_judges(judge, good, bad, message):
    assert judge(good) == () and judge("") == ()
    assert messages(judge(bad)) == [message]


def test_cell_text_and_listed():
    assert cell_text("food; housing") == "food; housing"
    assert cell_text(("Food banks", "Debt")) == "Food banks; Debt"
    assert listed(("a", "b", "c")) == "a, b or c" and listed(("a",)) == "a"


def test_a_place_is_a_tuple_of_texts():
    assert Place("BS1 1BT") == ("BS1 1BT", "", "")
