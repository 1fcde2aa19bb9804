"""The need-category taxonomy: the shipped file, term matching, validation and need counts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import settings
from analysis.errors import AreaDataError, TaxonomyError
from analysis.taxonomy import (
    Category,
    Taxonomy,
    TermsRead,
    check_indicator_columns,
    need_by_category,
    need_fallbacks,
    need_units,
)
from analysis.taxonomy_file import load_taxonomy
from analysis.vocabulary_map import BROAD

# need_unit last, so that each row below is the older six fields and then its unit.
HEADER = "id,label,description,synonyms,need_indicator,catchment_km,need_unit"
FOOD_ROW = (
    "food,Food,Food banks,Foodbank;Food parcels,rate_income*population,1.5,"
    "income-deprived residents"
)
OLDER_ROW = "befriending,Befriending,Company,Loneliness;Isolation,pop_65_plus,2,residents 65+"

SHIPPED = load_taxonomy()
SHIPPED_TERMS = [
    (term, category.id)
    for category in SHIPPED.categories
    for term in (category.id, category.label, *category.synonyms)
    # An id whose word is broad ("language") names its category only written as the id.
    if not (term == category.id and SHIPPED.is_broad(term.title()))
]


def write_csv(tmp_path, *rows, header=HEADER):
    path = tmp_path / "taxonomy.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def make_category(category_id, synonyms=(), need_indicator=("population",), need_unit=""):
    return Category(
        id=category_id,
        label=category_id.title(),
        description="",
        synonyms=tuple(synonyms),
        need_indicator=tuple(need_indicator),
        catchment_km=1.0,
        need_unit=need_unit,
    )


# The shipped file ------------------------------------------------------------------------


def test_shipped_file_has_the_15_categories_in_order():
    assert SHIPPED.ids() == (
        "food",
        "prescriptions",
        "befriending",
        "mental_health",
        "money_advice",
        "employment",
        "housing",
        "domestic_abuse",
        "digital",
        "transport",
        "carers",
        "families",
        "language",
        "physical_health",
        "practical_help",
    )


def test_default_path_is_the_repository_file():
    assert settings.TAXONOMY_PATH.name == "taxonomy.csv"
    assert settings.TAXONOMY_PATH.parent.name == "data"
    assert load_taxonomy(settings.TAXONOMY_PATH) == SHIPPED


SHIPPED_NEED = {
    "food": ("rate_income*population", "income-deprived residents"),
    "prescriptions": ("pop_65_plus", "residents aged 65+"),
    "befriending": ("pop_16_plus", "adults aged 16+"),
    "mental_health": (
        "weight_health*population",
        "residents weighted by the health deprivation score",
    ),
    "money_advice": ("rate_income*population", "income-deprived residents"),
    "employment": ("rate_employment*pop_16_64", "employment-deprived residents aged 16-64"),
    "housing": (
        "weight_housing*population",
        "residents weighted by the barriers to housing and services score",
    ),
    "domestic_abuse": ("population", "residents"),
    "digital": ("rate_idaopi*pop_65_plus", "income-deprived residents aged 65+"),
    "transport": ("pop_65_plus", "residents aged 65+"),
    "carers": ("population", "residents"),
    "families": ("rate_idaci*pop_0_15", "children aged 0-15 in income-deprived families"),
    "language": ("population", "residents"),
    "physical_health": (
        "weight_health*population",
        "residents weighted by the health deprivation score",
    ),
    "practical_help": ("rate_idaopi*pop_65_plus", "income-deprived residents aged 65+"),
}


def test_shipped_indicators_are_in_people_with_their_unit():
    assert {
        category.id: ("*".join(category.need_indicator), category.need_unit)
        for category in SHIPPED.categories
    } == SHIPPED_NEED


def test_shipped_indicators_and_catchments():
    catchments = {category.id: category.catchment_km for category in SHIPPED.categories}
    assert 1.0 <= catchments["food"] <= 1.5
    assert 1.0 <= catchments["prescriptions"] <= 1.5
    assert 2.0 <= catchments["money_advice"] <= 3.0
    assert catchments["transport"] == 5.0
    assert all(km > 0 for km in catchments.values())


def test_shipped_need_columns_exist_in_the_bundled_area(bristol):
    zones = bristol.neighbourhoods
    need = need_by_category(SHIPPED, zones)
    assert list(need.columns) == list(SHIPPED.ids())
    assert need.index.equals(zones.index)
    assert need.notna().all().all() and (need >= 0).all().all()
    assert need["families"].equals(zones["rate_idaci"] * zones["pop_0_15"].astype(float))
    assert need_fallbacks(SHIPPED, zones) == {}
    assert need_units(SHIPPED, zones) == {key: unit for key, (_, unit) in SHIPPED_NEED.items()}


def test_bristol_need_in_people_is_a_share_of_its_residents(bristol):
    zones = bristol.neighbourhoods
    total = need_by_category(SHIPPED, zones).sum()
    residents = zones["population"].sum()
    # Bristol's IoD 2019 income rate is about 14 %; need in people never exceeds its group.
    assert 0.13 < total["food"] / residents < 0.15
    assert total["employment"] < zones["pop_16_64"].sum()
    assert total["families"] < zones["pop_0_15"].sum()
    assert total["digital"] < total["transport"] == zones["pop_65_plus"].sum()
    assert total["befriending"] == zones["pop_16_plus"].sum()
    assert total["mental_health"] < residents


# Matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Foodbank", "food"),
        ("Food bank", "food"),
        ("FOOD-BANK", "food"),
        ("Food parcels", "food"),
        ("Meals", "food"),
        ("Hot meals", "food"),
        ("Shopping", "food"),
        ("Medication", "prescriptions"),
        ("Pharmacy", "prescriptions"),
        ("Isolation", "befriending"),
        ("Loneliness", "befriending"),
        ("Befriending", "befriending"),
        ("Mental Health", "mental_health"),
        ("Mental wellbeing", "mental_health"),
        ("Emotional health", "mental_health"),
        ("Support groups", "mental_health"),
        ("Debt", "money_advice"),
        ("Money", "money_advice"),
        ("Money advice", "money_advice"),
        ("Benefits", "money_advice"),
        ("Welfare rights", "money_advice"),
        ("Debt advice", "money_advice"),
        ("Socialising", "befriending"),
        ("Warm spaces", "befriending"),
        ("Welcoming spaces", "befriending"),
        ("Language exchange", "befriending"),
        ("Childminders", "families"),
        ("SEND support", "families"),
        ("Under fives", "families"),
        ("Chiropody", "physical_health"),
        ("Translation", "language"),
        ("language", "language"),
        ("Employment rights", "employment"),
        ("Homelessness", "housing"),
        ("Domestic violence", "domestic_abuse"),
        ("Computers", "digital"),
        ("IT", "digital"),
        ("Digital skills", "digital"),
        ("Hospital transport", "transport"),
        ("Community transport", "transport"),
        ("Carers", "carers"),
        ("Young people", "families"),
        ("Parenting", "families"),
        ("Interpreting", "language"),
        ("ESOL", "language"),
        ("Disability", "physical_health"),
        ("Gardening", "practical_help"),
        ("Handyperson", "practical_help"),
        ("mental_health", "mental_health"),
        ("Money, debt and benefits advice", "money_advice"),
        ("Children & families", "families"),
        ("Drugs & alcohol", "mental_health"),
    ],
)
def test_directory_words_map_to_their_category(text, expected):
    assert SHIPPED.match(text) == expected
    assert SHIPPED.match_all(text) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Debt/Money", ("money_advice",)),
        ("Computers/IT", ("digital",)),
        ("Shopping, Prescriptions", ("food", "prescriptions")),
        ("Food & Housing", ("food", "housing")),
        ("Carers and young people", ("carers", "families")),
        ("Health and wellbeing", ()),
        ("Physical health and mental wellbeing", ("physical_health", "mental_health")),
        ("Housing / Unknown thing / Debt", ("housing", "money_advice")),
        ("Advice; advice | ADVICE", ()),
        ("Advice / Debt", ("money_advice",)),
        ("Something else entirely", ()),
        ("", ()),
    ],
)
def test_match_all_splits_lists_of_terms(text, expected):
    assert SHIPPED.match_all(text) == expected


@pytest.mark.parametrize("text", ["Debt/Money", "Computers/IT", "Health and wellbeing", "", "?"])
def test_match_needs_one_whole_term(text):
    assert SHIPPED.match(text) is None


# Broad terms -----------------------------------------------------------------------------

BROAD_WORDS = [
    "Advice",
    "Support",
    "Community",
    "Wellbeing",
    "Activities",
    "Information",
    "Help",
    "Services",
    "Groups",
    "Health",
    "Language",
    "Older people",
]


@pytest.mark.parametrize("text", BROAD_WORDS)
def test_broad_terms_decide_no_category(text):
    assert SHIPPED.is_broad(text) and SHIPPED.is_broad(text.upper())
    assert SHIPPED.match(text) is None
    assert SHIPPED.read_terms(text) == TermsRead(broad=(text,))


def test_no_broad_term_is_a_synonym_of_a_category():
    synonyms = {term for category in SHIPPED.categories for term in category.synonyms}
    assert not [term for term in synonyms if SHIPPED.is_broad(term)]
    assert not [term for term in SHIPPED.broad_terms if SHIPPED.match(term) is not None]


def test_a_list_keeps_its_broad_terms_apart_from_categories_and_unmapped_parts():
    assert SHIPPED.read_terms("Advice/Debt/Knitting") == TermsRead(
        ("money_advice",), ("Advice",), ("Knitting",)
    )
    # Words joined by "and" are words, never ids: speech and language needs are no
    # interpreting, and "language" there is the broad word.
    assert SHIPPED.read_terms("Speech, language and communication") == TermsRead(
        broad=("language",), unmapped=("Speech",)
    )


def test_every_id_written_as_an_id_names_its_category():
    assert [SHIPPED.match(c) for c in SHIPPED.ids()] == list(SHIPPED.ids())
    assert not any(SHIPPED.is_broad(c) for c in SHIPPED.ids())


def test_broad_terms_file_beside_the_taxonomy(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW)
    (tmp_path / "broad_terms.csv").write_text("term,note\nSupport,generalist\n\n", "utf-8")
    taxonomy = load_taxonomy(path)
    assert taxonomy.broad_terms == ("Support",)
    assert taxonomy.is_broad("support") and not taxonomy.is_broad("Foodbank")


def test_a_broad_term_that_is_a_synonym_is_refused_with_both_lines(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW)
    (tmp_path / "broad_terms.csv").write_text("term,note\nSupport,\nfood parcels,\n", "utf-8")
    with pytest.raises(
        TaxonomyError,
        match=r"broad_terms\.csv, line 3: broad term 'food parcels' is also claimed by category "
        r"'food' \(line 2, column synonyms\)\. Fix: remove it from one of the two files",
    ):
        load_taxonomy(path)


def test_a_broad_terms_file_needs_its_term_column(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW)
    broad = tmp_path / "words.csv"
    broad.write_text("word\nSupport\n", "utf-8")
    with pytest.raises(TaxonomyError, match=r"words\.csv, line 1: no column 'term'"):
        load_taxonomy(path, broad_terms_path=broad)


def test_broad_is_no_category_id():
    with pytest.raises(TaxonomyError, match=r"id 'broad' is reserved for broad terms"):
        Taxonomy((make_category("broad"),))


# Other vocabularies ----------------------------------------------------------------------


def test_shipped_vocabulary_map_categorises_esd_and_family_hubs_ids():
    assert SHIPPED.match_code("esdServiceTypes", "298") == "carers"
    assert SHIPPED.match_code("", "esdServiceType:169") == "language"
    assert SHIPPED.match_code("", "http://id.esd.org.uk/service/1149") == BROAD
    # A Family Hubs GUID is its own vocabulary, whatever the feed calls it, in any case.
    assert SHIPPED.match_code("x", "9944D79D-00C8-43B7-B369-2F1BACA1DCB0") == "money_advice"
    # An id of a list the map does not have, or of no known vocabulary: unknown.
    assert SHIPPED.match_code("esdServiceTypes", "999999") is None
    assert SHIPPED.match_code("bccsource", "298") is None


def test_labels_of_other_vocabularies_map_like_synonyms():
    assert SHIPPED.match("Carers support groups") == "carers"  # an esd label
    assert SHIPPED.match("Debt and welfare advice") == "money_advice"  # a Family Hubs label
    assert SHIPPED.is_broad("Community support groups and organisations")
    # A label the vocabularies map two ways ("Nutrition": food, health) maps to nothing.
    assert SHIPPED.match("Nutrition") is None


def test_a_vocabulary_term_of_an_unknown_category_is_refused(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW)
    (tmp_path / "vocabulary_map.csv").write_text(
        "# a comment\nvocabulary,code,label,category\nesd_service,298,Carers,carers\n", "utf-8"
    )
    with pytest.raises(
        TaxonomyError,
        match=r"esd_service term '298' \(Carers\) maps to 'carers', which is not a category.*"
        r"python scripts/build_vocabulary_map\.py",
    ):
        load_taxonomy(path)
    assert load_taxonomy(path, with_vocabulary_map=False).vocabulary == ()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("code,label\n", r"must be the header vocabulary,code,label,category"),
        ("vocabulary,code,label,category\nlgsl,1,A,food\n", r"line 2, column vocabulary: 'lgsl'"),
        ("vocabulary,code,label,category\nesd_service,,A,food\n", r"line 2: a term needs a code"),
        (
            "vocabulary,code,label,category\nesd_service,1,A,food\nesd_service,1,B,food\n",
            r"line 3: esd_service '1' is already mapped on line 2",
        ),
    ],
)
def test_a_malformed_vocabulary_map_is_refused(tmp_path, body, problem):
    path = write_csv(tmp_path, FOOD_ROW)
    (tmp_path / "vocabulary_map.csv").write_text(body, "utf-8")
    with pytest.raises(TaxonomyError, match=problem):
        load_taxonomy(path)


_EDGES = st.text(alphabet=" \t\n.,;:!?-_()[]'\"/&*", max_size=4)


@given(data=st.data(), term=st.sampled_from(SHIPPED_TERMS), before=_EDGES, after=_EDGES)
def test_match_ignores_case_and_surrounding_space_and_punctuation(data, term, before, after):
    text, expected = term
    upper = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    cased = "".join(c.upper() if up else c.lower() for c, up in zip(text, upper, strict=True))
    assert SHIPPED.match(before + cased + after) == expected


def test_get_unknown_id_lists_the_known_ids():
    with pytest.raises(
        TaxonomyError, match=r"Unknown need category 'fod'; known ids: food, prescriptions, "
    ):
        SHIPPED.get("fod")


def test_taxonomy_refuses_a_term_in_two_categories():
    with pytest.raises(
        TaxonomyError,
        match=r"term 'ADVICE' of category 'housing' also belongs to 'money_advice'",
    ):
        Taxonomy((make_category("money_advice", ["Advice"]), make_category("housing", ["ADVICE"])))


# Validation ------------------------------------------------------------------------------


def test_blank_indicator_means_population_and_blank_lines_are_skipped(tmp_path):
    path = write_csv(tmp_path, "", "carers,Carers,,Carer;;Respite; ,,3,", "")
    taxonomy = load_taxonomy(path)
    assert taxonomy.get("carers") == Category(
        id="carers",
        label="Carers",
        description="",
        synonyms=("Carer", "Respite"),
        need_indicator=("population",),
        catchment_km=3.0,
        need_unit="residents",
    )


def test_byte_order_mark_and_quoted_commas_are_accepted(tmp_path):
    path = tmp_path / "taxonomy.csv"
    row = (
        'money_advice,"Money, debt and benefits",,Debt,rate_income * population,2.5,'
        '"income-deprived residents, all ages"'
    )
    path.write_text(f"\ufeff{HEADER}\n{row}\n", encoding="utf-8")
    category = load_taxonomy(path).get("money_advice")
    assert category.label == "Money, debt and benefits"
    assert category.need_indicator == ("rate_income", "population")
    assert category.need_unit == "income-deprived residents, all ages"


def test_columns_may_come_in_any_order(tmp_path):
    path = write_csv(
        tmp_path,
        "adults aged 16+,pop_16_plus,befriending,2,Befriending,,Loneliness",
        header="need_unit,need_indicator,id,catchment_km,label,description,synonyms",
    )
    category = load_taxonomy(path).get("befriending")
    assert (category.need_indicator, category.need_unit) == (("pop_16_plus",), "adults aged 16+")


def test_missing_file(tmp_path):
    with pytest.raises(TaxonomyError, match=r"nope\.csv does not exist\. Fix: give the path"):
        load_taxonomy(tmp_path / "nope.csv")


def test_empty_file(tmp_path):
    path = tmp_path / "taxonomy.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"is empty\. Fix: start it with the header line id,"):
        load_taxonomy(path)


def test_header_without_rows(tmp_path):
    with pytest.raises(TaxonomyError, match=r"- no categories below the header\. Fix: add one"):
        load_taxonomy(write_csv(tmp_path))


def test_missing_columns_are_all_named(tmp_path):
    path = write_csv(tmp_path, "food,Food,Foodbank", header="id,label,synonyms")
    with pytest.raises(
        TaxonomyError,
        match=r"line 1: the header lacks column\(s\) description, need_indicator, need_unit, "
        r"catchment_km \(it has id, label, synonyms\)\. Fix: use the header "
        r"id,label,description,synonyms,need_indicator,need_unit,catchment_km$",
    ):
        load_taxonomy(path)


def test_a_file_without_units_is_told_to_add_the_column(tmp_path):
    path = write_csv(
        tmp_path,
        "food,Food,,Foodbank,rate_income*population,1.5",
        header="id,label,description,synonyms,need_indicator,catchment_km",
    )
    with pytest.raises(TaxonomyError, match=r"line 1: the header lacks column\(s\) need_unit "):
        load_taxonomy(path)


def test_row_with_wrong_number_of_fields(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, "money,Money, debt and benefits,,Debt,population,2,")
    with pytest.raises(
        TaxonomyError,
        match=r"line 3: 8 fields but the header has 7\. Fix: put values that contain commas in "
        r"double quotes",
    ):
        load_taxonomy(path)


def test_duplicate_id(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, OLDER_ROW, "food,Meals,,Hot meals,population,1,")
    with pytest.raises(
        TaxonomyError,
        match=r"has 1 problem:\n- line 4, column id: 'food' is already the id on line 2\. "
        r"Fix: give each category its own id$",
    ):
        load_taxonomy(path)


@pytest.mark.parametrize("bad_id", ["Food", "food bank", "food-bank", "1food", "food_", "_food"])
def test_id_not_snake_case(tmp_path, bad_id):
    path = write_csv(tmp_path, f"{bad_id},Food,,Foodbank,population,1,")
    with pytest.raises(
        TaxonomyError,
        match=rf"line 2, column id: {re.escape(repr(bad_id))} is not snake_case\. "
        r"Fix: use lower-case letters, digits and underscores",
    ):
        load_taxonomy(path)


def test_empty_id(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, ",Meals,,Hot meals,population,1,")
    with pytest.raises(
        TaxonomyError, match=r"line 3, column id: empty\. Fix: give the category a snake_case id"
    ):
        load_taxonomy(path)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("walkable", "is not a number"),
        ("", "is not a number"),
        ("1,5", "is not a number"),
        ("0", "is not positive"),
        ("-2", "is not positive"),
        ("nan", "is not a finite number"),
        ("inf", "is not a finite number"),
    ],
)
def test_bad_catchment(tmp_path, value, problem):
    path = write_csv(tmp_path, f'food,Food,,Foodbank,population,"{value}",')
    with pytest.raises(
        TaxonomyError,
        match=rf"line 2, column catchment_km: {re.escape(repr(value))} {problem}\. "
        r"Fix: give a radius in kilometres above 0, e\.g\. 1\.5",
    ):
        load_taxonomy(path)


def test_empty_label(tmp_path):
    path = write_csv(tmp_path, "food, ,,Foodbank,population,1,")
    with pytest.raises(
        TaxonomyError,
        match=r"line 2, column label: empty\. Fix: give the category a label people will read",
    ):
        load_taxonomy(path)


def test_synonym_claimed_by_two_categories(tmp_path):
    path = write_csv(
        tmp_path,
        "money_advice,Money advice,,Advice;Debt,rate_income*population,3,income-deprived",
        "housing,Housing,,Homelessness;Housing advice;ADVICE,population,3,residents",
    )
    with pytest.raises(
        TaxonomyError,
        match=r"line 3, column synonyms: 'ADVICE' is also claimed by category 'money_advice' "
        r"\(line 2, column synonyms\)\. Fix: keep each term in exactly one category",
    ):
        load_taxonomy(path)


def test_synonym_equal_to_another_categorys_label(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, "shopping,Shopping,,Groceries;food,population,1,")
    with pytest.raises(
        TaxonomyError,
        match=r"line 3, column synonyms: 'food' is also claimed by category 'food' "
        r"\(line 2, column id\)",
    ):
        load_taxonomy(path)


def test_synonym_without_letters(tmp_path):
    path = write_csv(tmp_path, "food,Food,,Foodbank;--,population,1,")
    with pytest.raises(
        TaxonomyError,
        match=r"line 2, column synonyms: '--' has no letters or digits\. Fix: remove it",
    ):
        load_taxonomy(path)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("rate_income**population", "has an empty factor"),
        ("*population", "has an empty factor"),
        ("rate_income*", "has an empty factor"),
        ("rate_income* *population", "has an empty factor"),
        ("Rate_Income*population", "has characters other than a-z, 0-9, '_', '\\*' and spaces"),
        ("rate-income*population", "has characters other than a-z, 0-9, '_', '\\*' and spaces"),
        ("need_income/100", "has characters other than a-z, 0-9, '_', '\\*' and spaces"),
        ("rate income*population", ": factor 'rate income' is not one column name"),
    ],
)
def test_malformed_indicator(tmp_path, expression, problem):
    path = write_csv(tmp_path, f"food,Food,,Foodbank,{expression},1,income-deprived residents")
    with pytest.raises(
        TaxonomyError,
        match=rf"line 2, column need_indicator: {re.escape(repr(expression))} ?{problem}\. "
        r"Fix: write lower-case column names joined by '\*', e\.g\. 'rate_income\*population'$",
    ):
        load_taxonomy(path)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        (
            "need_income*population",
            r"uses 'need_income', a 0-100 score, so the need would not be in people\. Fix: use "
            r"a 0-1 rate or weight instead, e\.g\. 'rate_income\*population' or "
            r"'weight_health\*population'",
        ),
        (
            "population*pop_65_plus",
            r"multiplies 2 counts of residents \(population, pop_65_plus\)\. Fix: keep one "
            r"count and multiply it by rates or weights, e\.g\. 'rate_employment\*pop_16_64'",
        ),
        (
            "rate_income",
            r"has no count of residents, so it gives a share, not people\. Fix: multiply it by "
            r"the residents it is a share of, e\.g\. 'rate_income\*population'",
        ),
        (
            "rate_income*weight_health",
            r"has no count of residents, so it gives a share, not people",
        ),
    ],
)
def test_indicator_that_does_not_count_people(tmp_path, expression, problem):
    path = write_csv(tmp_path, f"food,Food,,Foodbank,{expression},1,people")
    with pytest.raises(
        TaxonomyError,
        match=rf"has 1 problem:\n- line 2, column need_indicator: "
        rf"{re.escape(repr(expression))} {problem}",
    ):
        load_taxonomy(path)


def test_indicator_with_a_column_the_model_does_not_know_is_taken_as_it_is(tmp_path):
    path = write_csv(tmp_path, "carers,Carers,,Carer,unpaid_carers,3,unpaid carers (Census 2021)")
    category = load_taxonomy(path).get("carers")
    assert category.need_indicator == ("unpaid_carers",)
    assert category.need_unit == "unpaid carers (Census 2021)"


@pytest.mark.parametrize(
    ("expression", "unit", "problem"),
    [
        (
            "rate_income*population",
            "",
            r"line 2, column need_unit: empty, but need_indicator 'rate_income\*population' does "
            r"not count all residents\. Fix: say in words what one unit of need is, e\.g\. "
            r"'income-deprived residents'$",
        ),
        (
            "rate_income*population",
            "rate_income*population",
            r"line 2, column need_unit: 'rate_income\*population' is a formula, not words\. "
            r"Fix: say in words what one unit of need is",
        ),
        (
            "pop_16_plus",
            "pop_16_plus",
            r"'pop_16_plus' is a formula, not words",
        ),
        (
            "population",
            "residents " + "of the city " * 7,
            r"column need_unit: 'residents of the city .*' has 93 characters, more than 80\. "
            r"Fix: shorten it; the description can say more$",
        ),
        (
            "weight_health*population",
            "residents in poor health",
            r"line 2, column need_unit: 'residents in poor health' reads as a head count, but "
            r"need_indicator 'weight_health\*population' weights residents by an index score "
            r"\(weight_health\)\. Fix: say so, e\.g\. 'residents weighted by the health "
            r"deprivation score'$",
        ),
    ],
)
def test_bad_need_unit(tmp_path, expression, unit, problem):
    path = write_csv(tmp_path, f'food,Food,,Foodbank,{expression},1,"{unit}"')
    with pytest.raises(TaxonomyError, match=problem):
        load_taxonomy(path)


def test_weighted_unit_is_accepted_whatever_its_case(tmp_path):
    path = write_csv(
        tmp_path, 'housing,Housing,,Homeless,weight_housing*population,3,"Residents, Weighted"'
    )
    assert load_taxonomy(path).get("housing").need_unit == "Residents, Weighted"


def test_several_problems_are_reported_together(tmp_path):
    path = write_csv(
        tmp_path,
        "Food Bank,Food,,Foodbank,rate_income*population,1.5,income-deprived residents",
        "money_advice,,,Debt;Foodbank,rate_income**population,-1,",
        "money_advice,Money,,Benefits,rate_income*population,2,",
    )
    with pytest.raises(TaxonomyError, match=r"taxonomy\.csv has 7 problems:\n- line 2, ") as info:
        load_taxonomy(path)
    problems = str(info.value).splitlines()[1:]
    assert [problem.split(":")[0] for problem in problems] == [
        "- line 2, column id",
        "- line 3, column label",
        "- line 3, column catchment_km",
        "- line 3, column need_indicator",
        "- line 3, column synonyms",
        "- line 4, column id",
        "- line 4, column need_unit",
    ]


def test_line_numbers_count_blank_and_multiline_records(tmp_path):
    path = write_csv(
        tmp_path,
        'food,Food,"Food banks,\nparcels and meals",Foodbank,population,1,',
        "",
        "befriending,Befriending,,Loneliness,population,zero,",
    )
    with pytest.raises(TaxonomyError, match=r"line 5, column catchment_km: 'zero'"):
        load_taxonomy(path)


# Need by category ------------------------------------------------------------------------


@pytest.fixture
def small_taxonomy():
    return Taxonomy(
        (
            make_category("food", need_indicator=("rate_income", "population"), need_unit="poor"),
            make_category("befriending", need_indicator=("pop_16_plus",), need_unit="adults"),
            make_category(
                "health", need_indicator=("weight_health", "population"), need_unit="weighted"
            ),
            make_category("carers"),
        )
    )


ZONES = pd.DataFrame(
    {
        "population": [1000, 2000, 1500],
        "pop_16_plus": [800, 1500, 1500],
        "rate_income": [0.1, 0.25, np.nan],
        "weight_health": [0.5, 0.0, 1.0],
        "lsoa_name": ["a", "b", "c"],
    },
    index=pd.Index(["E01000001", "E01000002", "E01000003"], name="lsoa_code"),
)


def test_need_by_category_counts_people(small_taxonomy):
    zones = ZONES.copy()
    need = need_by_category(small_taxonomy, zones)
    expected = pd.DataFrame(
        {
            # 0.1 x 1000, 0.25 x 2000 income-deprived residents; a missing rate stays
            # missing, never 0 or 1.
            "food": [100.0, 500.0, np.nan],
            "befriending": [800.0, 1500.0, 1500.0],
            "health": [500.0, 0.0, 1500.0],
            "carers": [1000.0, 2000.0, 1500.0],
        },
        index=zones.index,
    )
    pd.testing.assert_frame_equal(need, expected)
    pd.testing.assert_frame_equal(zones, ZONES)
    assert need_fallbacks(small_taxonomy, zones) == {}
    assert need_units(small_taxonomy, zones) == {
        "food": "poor",
        "befriending": "adults",
        "health": "weighted",
        "carers": "residents",
    }


def test_an_area_without_rates_or_adults_counts_residents_and_says_so(small_taxonomy):
    zones = ZONES.drop(columns=["rate_income", "pop_16_plus", "weight_health"])
    need = need_by_category(small_taxonomy, zones)
    for category_id in ("food", "befriending", "health", "carers"):
        assert need[category_id].tolist() == [1000.0, 2000.0, 1500.0], category_id
    assert need_fallbacks(small_taxonomy, zones) == {
        "food": ("rate_income",),
        "befriending": ("pop_16_plus",),
        "health": ("weight_health",),
    }
    assert need_units(small_taxonomy, zones) == dict.fromkeys(
        ("food", "befriending", "health", "carers"), "residents"
    )


def test_only_the_categories_lacking_a_column_fall_back(small_taxonomy):
    zones = ZONES.drop(columns=["weight_health"])
    need = need_by_category(small_taxonomy, zones)
    assert need["food"].tolist()[:2] == [100.0, 500.0]
    assert need["health"].tolist() == [1000.0, 2000.0, 1500.0]
    assert need_fallbacks(small_taxonomy, zones) == {"health": ("weight_health",)}
    assert need_units(small_taxonomy, zones)["food"] == "poor"


def test_a_fallback_needs_the_population(small_taxonomy):
    zones = pd.DataFrame({"pop_16_plus": [1.0], "weight_health": [0.5]})
    with pytest.raises(
        TaxonomyError,
        match=r"lacks columns that need indicators use: category 'food' needs column "
        r"'rate_income'; category 'food' needs column 'population'; category 'health' needs "
        r"column 'population'; category 'carers' needs "
        r"column 'population'\. Available columns: pop_16_plus, weight_health\. Fix: add the "
        r"columns to the area's neighbourhood data, or change need_indicator",
    ):
        need_by_category(small_taxonomy, zones)


def test_a_missing_column_without_fallback_is_an_error():
    taxonomy = Taxonomy(
        (
            make_category("carers", need_indicator=("unpaid_carers",), need_unit="carers"),
            make_category("older", need_indicator=("pop_65_plus",), need_unit="65+"),
        )
    )
    zones = pd.DataFrame({"population": [1.0]})
    with pytest.raises(
        TaxonomyError,
        match=r"category 'carers' needs column 'unpaid_carers'; category 'older' needs column "
        r"'pop_65_plus'\. Available columns: population\.",
    ):
        need_by_category(taxonomy, zones)


def test_need_by_category_refuses_text_columns(small_taxonomy):
    zones = ZONES.assign(population=["1,000", "2,000", "1,500"])
    with pytest.raises(
        AreaDataError,
        match=r"Neighbourhood column 'population' holds .* values, but need indicators multiply "
        r"numbers\. Fix: make it numeric \(counts of people or 0-1 rates\)",
    ):
        need_by_category(small_taxonomy, zones)


def test_check_indicator_columns_passes_when_all_present_or_falling_back(small_taxonomy):
    assert check_indicator_columns(small_taxonomy, iter(["population"])) is None
    assert check_indicator_columns(small_taxonomy, iter(ZONES.columns)) is None


def test_unit_of_a_category_made_in_code_without_one():
    assert make_category("carers").unit() == "residents"
    assert make_category("x", need_indicator=("rate_idaci", "pop_0_15")).unit() == (
        "rate_idaci × pop_0_15"
    )
    assert make_category("x", need_unit="adults").unit() == "adults"
