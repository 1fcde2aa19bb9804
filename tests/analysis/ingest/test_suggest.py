"""Categories from what a service says it does: whole-word suggestions, accepted or chosen."""

from __future__ import annotations

import pytest

from analysis.ingest.cells import FeedTerm
from analysis.ingest.oruk_record import service_record
from analysis.ingest.suggest import (
    CHOSEN_CATEGORY,
    FIELD_WEIGHTS,
    SUGGESTED_CATEGORY,
    categorise_rows,
    category_shares,
    find_phrases,
    phrase_index,
    suggest_categories,
)
from analysis.model import (
    CATEGORIES,
    FIELD_SERVICE_DESCRIPTION,
    ORG_NAME,
    SERVICE_NAME,
)
from tests.analysis.ingest.helpers import TAXONOMY

INDEX = phrase_index(TAXONOMY)


def suggested(name: str = "", description: str = "", org: str = "") -> tuple[str, ...]:
    texts = {SERVICE_NAME: name, FIELD_SERVICE_DESCRIPTION: description, ORG_NAME: org}
    found = suggest_categories(texts, INDEX)
    return found.category_ids if found else ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Eastside Food Bank", ("food",)),
        ("ESOL classes", ("language",)),
        ("Chiropody clinic", ("physical_health",)),
        ("Language exchange meetup", ("befriending",)),
        ("Warm Welcome Space at St Anne's", ("befriending",)),
        ("Carers' coffee morning", ("carers", "befriending")),
        # No substring hits, broad words decide nothing, and nothing is guessed.
        ("Seafood stall", ()),
        ("St Mary's Church", ()),
        ("Parish Council", ()),
        ("Advice and support drop-in", ()),
    ],
)
def test_whole_words_of_the_synonyms_suggest_categories(name, expected):
    assert suggested(name) == expected


def test_the_words_that_matched_are_kept_as_written():
    found = suggest_categories(
        {SERVICE_NAME: "Eastside FOOD-BANK", FIELD_SERVICE_DESCRIPTION: "Food parcels weekly"},
        INDEX,
    )
    assert found.words("food") == ("FOOD-BANK", "Food parcels")
    assert found.describe() == (
        "food ('FOOD-BANK' in the service name, 'Food parcels' in the description)"
    )


def test_multi_word_synonyms_match_as_phrases_longest_first():
    # 'Substance abuse' is one phrase: its 'abuse' is no domestic abuse.
    assert [
        (m.category, m.words)
        for m in find_phrases("Support with substance abuse", INDEX, field=SERVICE_NAME)
    ] == [("mental_health", "substance abuse")]
    assert suggested("Food", "banks") == ("food",)  # words of two fields never join


def test_capitals_only_synonyms_match_only_in_capitals():
    assert suggested("Free IT help") == ("digital",)
    assert suggested("Is it free? Drop in") == ()
    assert suggested("Send a card") == ()
    assert suggested("SEND parents group") == ("families",)


def test_prose_words_with_another_meaning_count_in_names_only():
    assert suggested(description="We work with you for the benefit of all") == ()
    assert suggested("Work club") == ("employment",)


def test_the_name_outweighs_a_word_of_the_description():
    # A food bank mentioning debt advice is a food bank: debt scores less than half.
    assert suggested("Eastside Food Bank", "Food parcels, and debt advice on Fridays") == ("food",)
    assert suggested("Drop-in", "Help with debts and housing") == ("money_advice", "housing")


def _rows(*rows: dict[str, str]) -> dict[str, list[str]]:
    """The cells `categorise_rows` reads, of rows given as field -> text."""
    fields = (CATEGORIES, *FIELD_WEIGHTS)
    return {field: [row.get(field, "") for row in rows] for field in fields}


ROWS = (
    {SERVICE_NAME: "Eastside Food Bank", CATEGORIES: "Advice; Support"},
    {SERVICE_NAME: "St Mary's Church", CATEGORIES: "Advice"},
    {SERVICE_NAME: "Heron Pantry", CATEGORIES: "food"},
    {SERVICE_NAME: "Wren Hall", CATEGORIES: ""},
)


def test_a_suggestion_is_a_warning_until_accepted():
    found = categorise_rows(_rows(*ROWS), [2, 3, 4, 5], taxonomy=TAXONOMY)
    assert [row.ids for row in found] == [(), (), ("food",), ()]
    assert [row.source for row in found] == ["none", "none", "terms", "none"]
    codes = [[issue.code for issue in row.issues] for row in found]
    assert codes == [
        ["uncategorised", SUGGESTED_CATEGORY],
        ["uncategorised"],
        [],
        ["uncategorised"],
    ]
    issue = found[0].issues[1]
    assert (issue.value, issue.reason, issue.fix) == (
        "Advice; Support",
        "'Advice', 'Support' are broad and name no specific need; suggested from what it "
        "says it does: food ('Food Bank' in the service name)",
        "accept the suggestion (--accept-suggestions; in the dashboard, the review table), "
        "or give its category, e.g. 'food'",
    )


def test_accepted_suggestions_and_choices_decide_the_categories():
    found = categorise_rows(
        _rows(*ROWS),
        [2, 3, 4, 5],
        taxonomy=TAXONOMY,
        accept_suggestions=True,
        category_choices={3: ("befriending", "nonsense"), 4: ("carers",)},
    )
    assert [row.ids for row in found] == [("food",), ("befriending",), ("carers",), ()]
    assert [row.source for row in found] == ["suggestion", "choice", "choice", "none"]
    accepted = found[0].issues[0]
    assert (accepted.code, accepted.reason) == (
        SUGGESTED_CATEGORY,
        "'Advice', 'Support' are broad and name no specific need; filed under food, "
        "suggested from what it says it does: food ('Food Bank' in the service name)",
    )
    chosen = found[1].issues[0]
    assert chosen.code == CHOSEN_CATEGORY
    assert chosen.reason == (
        "categories chosen in review: befriending (the file gave 'Advice'); 'nonsense' left "
        "out: not a need category"
    )
    assert chosen.fix.startswith("use these ids: food, prescriptions, ")


def test_shares_count_accepted_rows_only_and_list_the_rows_to_review():
    found = categorise_rows(
        _rows(*ROWS), [2, 3, 4, 5], taxonomy=TAXONOMY, category_choices={3: ("befriending",)}
    )
    shares = category_shares(
        found,
        rows=[2, 3, 4, 5],
        names=["Eastside Food Bank", "St Mary's Church", "Heron Pantry", "Wren Hall"],
        rejected=[False, False, False, True],
    )
    assert (shares.by_terms, shares.by_suggestion, shares.by_choice, shares.uncategorised) == (
        1,
        0,
        1,
        1,
    )
    assert shares.broad_terms == {"Advice": 2, "Support": 1}
    assert [(r.row, r.source, r.suggested, r.words) for r in shares.review] == [
        (2, "none", ("food",), (("Food Bank",),)),
        (3, "choice", (), ()),
    ]
    assert shares.lines() == (
        "categories of the 3 accepted services: 1 (33 %) by their own terms, 1 (33 %) by "
        "suggestion (0 accepted, 1 chosen in review), 1 (33 %) not at all",
        "suggested categories: 1 uncategorised services have categories suggested from "
        "their names and descriptions (listed as suggested_category): accept them with "
        "--accept-suggestions, or review them in the dashboard",
        "broad terms (they name no specific need, so decide no category): 'Advice' (2 "
        "services), 'Support' (1 service)",
    )


# Feeds: terms by their vocabulary id ------------------------------------------------------


def test_a_feed_term_keeps_its_vocabulary_and_id_when_the_map_knows_them():
    service = {
        "service_taxonomys": [
            {"taxonomy": {"id": "esdServiceType:298", "name": "Carers", "vocabulary": "esd"}},
            {"taxonomy": {"id": "t7", "name": "Food banks", "vocabulary": "bccsource"}},
        ],
        "attributes": [
            {
                "taxonomy_term": {
                    "id": "3f7b145d-84af-42d7-8fae-eaca714b02b2",
                    "term": "Youth",
                    "term_uri": "http://id.esd.org.uk/service/643",
                    "taxonomy": "esdServiceTypes",
                }
            },
            {
                "taxonomy_term": {
                    "id": "x1",
                    "name": "Debt and welfare advice",
                    "code": "9944d79d-00c8-43b7-b369-2f1baca1dcb0",
                    "taxonomy_detail": {"name": "Family Hubs"},
                }
            },
        ],
    }
    terms = service_record(service, {}, [], row=1).get(CATEGORIES)
    assert terms == (
        FeedTerm("Carers", "esd", "esdServiceType:298"),
        "Food banks",
        FeedTerm("Youth", "esdServiceTypes", "http://id.esd.org.uk/service/643"),
        FeedTerm("Debt and welfare advice", "Family Hubs", "9944d79d-00c8-43b7-b369-2f1baca1dcb0"),
    )
