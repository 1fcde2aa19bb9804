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
    check_indicator_columns,
    load_taxonomy,
    need_by_category,
)

HEADER = "id,label,description,synonyms,need_indicator,catchment_km"
FOOD_ROW = "food,Food,Food banks,Foodbank;Food parcels,need_income*population,1.5"
OLDER_ROW = "befriending,Befriending,Company,Loneliness;Isolation,pop_65_plus,2"

SHIPPED = load_taxonomy()
SHIPPED_TERMS = [
    (term, category.id)
    for category in SHIPPED.categories
    for term in (category.id, category.label, *category.synonyms)
]


def write_csv(tmp_path, *rows, header=HEADER):
    path = tmp_path / "taxonomy.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def make_category(category_id, synonyms=(), need_indicator=("population",)):
    return Category(
        id=category_id,
        label=category_id.title(),
        description="",
        synonyms=tuple(synonyms),
        need_indicator=tuple(need_indicator),
        catchment_km=1.0,
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


def test_shipped_indicators_and_catchments():
    assert SHIPPED.get("food").need_indicator == ("need_income", "population")
    assert SHIPPED.get("money_advice").need_indicator == ("need_income", "population")
    assert SHIPPED.get("befriending").need_indicator == ("pop_65_plus",)
    assert SHIPPED.get("mental_health").need_indicator == ("need_health", "population")
    assert SHIPPED.get("families").need_indicator == ("pop_0_15",)
    assert SHIPPED.need_columns() == (
        "need_income",
        "population",
        "pop_65_plus",
        "need_health",
        "need_employment",
        "need_housing",
        "pop_0_15",
    )
    catchments = {category.id: category.catchment_km for category in SHIPPED.categories}
    assert 1.0 <= catchments["food"] <= 1.5
    assert 1.0 <= catchments["prescriptions"] <= 1.5
    assert 2.0 <= catchments["money_advice"] <= 3.0
    assert catchments["transport"] == 5.0
    assert all(km > 0 for km in catchments.values())


def test_shipped_need_columns_exist_in_the_bundled_area(bristol):
    need = need_by_category(SHIPPED, bristol.neighbourhoods)
    assert list(need.columns) == list(SHIPPED.ids())
    assert need.index.equals(bristol.neighbourhoods.index)
    assert (need.fillna(0) >= 0).all().all()
    assert need["families"].equals(bristol.neighbourhoods["pop_0_15"].astype(float))


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
        ("Wellbeing", "mental_health"),
        ("Debt", "money_advice"),
        ("Money", "money_advice"),
        ("Money advice", "money_advice"),
        ("Benefits", "money_advice"),
        ("Welfare rights", "money_advice"),
        ("Advice", "money_advice"),
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
        ("Health and wellbeing", ("physical_health", "mental_health")),
        ("Housing / Unknown thing / Debt", ("housing", "money_advice")),
        ("Advice; advice | ADVICE", ("money_advice",)),
        ("Something else entirely", ()),
        ("", ()),
    ],
)
def test_match_all_splits_lists_of_terms(text, expected):
    assert SHIPPED.match_all(text) == expected


@pytest.mark.parametrize("text", ["Debt/Money", "Computers/IT", "Health and wellbeing", "", "?"])
def test_match_needs_one_whole_term(text):
    assert SHIPPED.match(text) is None


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
    path = write_csv(tmp_path, "", "carers,Carers,,Carer;;Respite; ,,3", "")
    taxonomy = load_taxonomy(path)
    assert taxonomy.get("carers") == Category(
        id="carers",
        label="Carers",
        description="",
        synonyms=("Carer", "Respite"),
        need_indicator=("population",),
        catchment_km=3.0,
    )


def test_byte_order_mark_and_quoted_commas_are_accepted(tmp_path):
    path = tmp_path / "taxonomy.csv"
    row = 'money_advice,"Money, debt and benefits",,Debt,need_income * population,2.5'
    path.write_text(f"\ufeff{HEADER}\n{row}\n", encoding="utf-8")
    category = load_taxonomy(path).get("money_advice")
    assert category.label == "Money, debt and benefits"
    assert category.need_indicator == ("need_income", "population")


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
        match=r"line 1: the header lacks column\(s\) description, need_indicator, catchment_km "
        r"\(it has id, label, synonyms\)\. Fix: use the header id,label,description,",
    ):
        load_taxonomy(path)


def test_row_with_wrong_number_of_fields(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, "money,Money, debt and benefits,,Debt,population,2")
    with pytest.raises(
        TaxonomyError,
        match=r"line 3: 7 fields but the header has 6\. Fix: put values that contain commas in "
        r"double quotes",
    ):
        load_taxonomy(path)


def test_duplicate_id(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, OLDER_ROW, "food,Meals,,Hot meals,population,1")
    with pytest.raises(
        TaxonomyError,
        match=r"has 1 problem:\n- line 4, column id: 'food' is already the id on line 2\. "
        r"Fix: give each category its own id$",
    ):
        load_taxonomy(path)


@pytest.mark.parametrize("bad_id", ["Food", "food bank", "food-bank", "1food", "food_", "_food"])
def test_id_not_snake_case(tmp_path, bad_id):
    path = write_csv(tmp_path, f"{bad_id},Food,,Foodbank,population,1")
    with pytest.raises(
        TaxonomyError,
        match=rf"line 2, column id: {re.escape(repr(bad_id))} is not snake_case\. "
        r"Fix: use lower-case letters, digits and underscores",
    ):
        load_taxonomy(path)


def test_empty_id(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, ",Meals,,Hot meals,population,1")
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
    path = write_csv(tmp_path, f'food,Food,,Foodbank,population,"{value}"')
    with pytest.raises(
        TaxonomyError,
        match=rf"line 2, column catchment_km: {re.escape(repr(value))} {problem}\. "
        r"Fix: give a radius in kilometres above 0, e\.g\. 1\.5",
    ):
        load_taxonomy(path)


def test_empty_label(tmp_path):
    path = write_csv(tmp_path, "food, ,,Foodbank,population,1")
    with pytest.raises(
        TaxonomyError,
        match=r"line 2, column label: empty\. Fix: give the category a label people will read",
    ):
        load_taxonomy(path)


def test_synonym_claimed_by_two_categories(tmp_path):
    path = write_csv(
        tmp_path,
        "money_advice,Money advice,,Advice;Debt,need_income*population,3",
        "housing,Housing,,Homelessness;Housing advice;ADVICE,need_housing*population,3",
    )
    with pytest.raises(
        TaxonomyError,
        match=r"line 3, column synonyms: 'ADVICE' is also claimed by category 'money_advice' "
        r"\(line 2, column synonyms\)\. Fix: keep each term in exactly one category",
    ):
        load_taxonomy(path)


def test_synonym_equal_to_another_categorys_label(tmp_path):
    path = write_csv(tmp_path, FOOD_ROW, "shopping,Shopping,,Groceries;food,population,1")
    with pytest.raises(
        TaxonomyError,
        match=r"line 3, column synonyms: 'food' is also claimed by category 'food' "
        r"\(line 2, column id\)",
    ):
        load_taxonomy(path)


def test_synonym_without_letters(tmp_path):
    path = write_csv(tmp_path, "food,Food,,Foodbank;--,population,1")
    with pytest.raises(
        TaxonomyError,
        match=r"line 2, column synonyms: '--' has no letters or digits\. Fix: remove it",
    ):
        load_taxonomy(path)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("need_income**population", "has an empty factor"),
        ("*population", "has an empty factor"),
        ("need_income*", "has an empty factor"),
        ("need_income* *population", "has an empty factor"),
        ("Need_Income*population", "has characters other than a-z, 0-9, '_', '\\*' and spaces"),
        ("need-income*population", "has characters other than a-z, 0-9, '_', '\\*' and spaces"),
        ("need_income/100", "has characters other than a-z, 0-9, '_', '\\*' and spaces"),
        ("need income*population", ": factor 'need income' is not one column name"),
    ],
)
def test_malformed_indicator(tmp_path, expression, problem):
    path = write_csv(tmp_path, f"food,Food,,Foodbank,{expression},1")
    with pytest.raises(
        TaxonomyError,
        match=rf"line 2, column need_indicator: {re.escape(repr(expression))} ?{problem}\. "
        r"Fix: write lower-case column names joined by '\*', e\.g\. 'need_income\*population'",
    ):
        load_taxonomy(path)


def test_several_problems_are_reported_together(tmp_path):
    path = write_csv(
        tmp_path,
        "Food Bank,Food,,Foodbank,need_income*population,1.5",
        "money_advice,,,Debt;Foodbank,need_income**population,-1",
        "money_advice,Money,,Benefits,population,2",
    )
    with pytest.raises(TaxonomyError, match=r"taxonomy\.csv has 6 problems:\n- line 2, ") as info:
        load_taxonomy(path)
    problems = str(info.value).splitlines()[1:]
    assert [problem.split(":")[0] for problem in problems] == [
        "- line 2, column id",
        "- line 3, column label",
        "- line 3, column catchment_km",
        "- line 3, column need_indicator",
        "- line 3, column synonyms",
        "- line 4, column id",
    ]


def test_line_numbers_count_blank_and_multiline_records(tmp_path):
    path = write_csv(
        tmp_path,
        'food,Food,"Food banks,\nparcels and meals",Foodbank,population,1',
        "",
        "befriending,Befriending,,Loneliness,population,zero",
    )
    with pytest.raises(TaxonomyError, match=r"line 5, column catchment_km: 'zero'"):
        load_taxonomy(path)


# Need by category ------------------------------------------------------------------------


@pytest.fixture
def small_taxonomy():
    return Taxonomy(
        (
            make_category("food", need_indicator=("need_income", "population")),
            make_category("befriending", need_indicator=("pop_65_plus",)),
            make_category("carers"),
        )
    )


def test_need_by_category_multiplies_indicator_columns(small_taxonomy):
    zones = pd.DataFrame(
        {
            "population": [1000, 2000, 1500],
            "need_income": [10.0, 50.0, np.nan],
            "pop_65_plus": [100, 300, 0],
            "lsoa_name": ["a", "b", "c"],
        },
        index=pd.Index(["E01000001", "E01000002", "E01000003"], name="lsoa_code"),
    )
    need = need_by_category(small_taxonomy, zones)
    expected = pd.DataFrame(
        {
            # 10 x 1000, 50 x 2000; a missing score stays missing, never 0 or 1.
            "food": [10_000.0, 100_000.0, np.nan],
            "befriending": [100.0, 300.0, 0.0],
            "carers": [1000.0, 2000.0, 1500.0],
        },
        index=zones.index,
    )
    pd.testing.assert_frame_equal(need, expected)
    assert list(zones.columns) == ["population", "need_income", "pop_65_plus", "lsoa_name"]


def test_need_by_category_checks_columns_first(small_taxonomy):
    zones = pd.DataFrame({"population": [1.0], "pop_65_plus": [2.0]})
    with pytest.raises(TaxonomyError, match=r"category 'food' needs column 'need_income'"):
        need_by_category(small_taxonomy, zones)


def test_need_by_category_refuses_text_columns(small_taxonomy):
    zones = pd.DataFrame({"population": ["1,000"], "need_income": [5.0], "pop_65_plus": [2]})
    with pytest.raises(
        AreaDataError,
        match=r"Neighbourhood column 'population' holds .* values, but need indicators multiply "
        r"numbers\. Fix: make it numeric",
    ):
        need_by_category(small_taxonomy, zones)


def test_check_indicator_columns_names_category_column_and_available(small_taxonomy):
    with pytest.raises(
        TaxonomyError,
        match=r"lacks columns that need indicators use: category 'food' needs column "
        r"'need_income'; category 'befriending' needs column 'pop_65_plus'\. "
        r"Available columns: population, lsoa_code\. Fix: add the columns",
    ):
        check_indicator_columns(small_taxonomy, ["population", "lsoa_code"])


def test_check_indicator_columns_passes_when_all_present(small_taxonomy):
    available = iter(["pop_65_plus", "need_income", "population"])
    assert check_indicator_columns(small_taxonomy, available) is None
