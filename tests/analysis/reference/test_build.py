"""build-area on a tiny synthetic authority, and reproducibility of the bundled Bristol set."""

from __future__ import annotations

import filecmp
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import PostcodeNotInAreaError, SourceDataError
from analysis.geography import default_area_path, load_area, lookup_postcode
from analysis.reference.build import build_area
from analysis.reference.deprivation import (
    IMD2019_LSOA_COUNT,
    RATE_GROUPS,
    carry_rates,
    decile_from_rank,
    need_score_from_rank,
    rank_from_need_score,
)
from analysis.reference.sources import csv_separator, discover_sources, read_iod_scores
from tests.analysis.reference import synthetic_sources as syn


@pytest.fixture
def built(tmp_path):
    sources = syn.write_sources(tmp_path / "raw")
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    return meta, load_area(tmp_path / "area")


def test_keeps_only_the_authoritys_wards_and_neighbourhoods(built):
    meta, area = built
    assert area.name == "Testshire"
    assert list(area.wards["ward_code"]) == ["E05999001", "E05999002"]
    zones = area.neighbourhoods.set_index("lsoa_code")
    assert list(zones.index) == ["E01999001", "E01999002", "E01999101", "E01999102"]
    assert list(zones["ward_code"]) == ["E05999001", "E05999001", "E05999002", "E05999002"]
    assert zones["ward_overlap_share"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert meta["counts"] == {"wards": 2, "neighbourhoods": 4, "postcodes": 4, "population": 117}


def test_population_uses_the_last_edition_of_the_latest_year(built):
    meta, area = built
    zones = area.neighbourhoods.set_index("lsoa_code")
    # Revised 2024 edition: (10+1, 20+1, 30+1) people aged 5, 30 and 70 in E01999001.
    assert zones.loc[
        "E01999001", ["pop_0_15", "pop_16_64", "pop_65_plus", "population", "pop_16_plus"]
    ].tolist() == [11, 21, 31, 63, 52]
    assert meta["population"] == {
        "source": "population_syoa",
        "year": 2024,
        "edition": "Mid_2024_2.csv",
    }
    assert any(
        "2 editions (Mid_2024_1.csv, Mid_2024_2.csv); used the last" in n for n in meta["notes"]
    )


def test_population_year_can_be_chosen(tmp_path):
    sources = syn.write_sources(tmp_path / "raw")
    meta = build_area(sources, syn.LAD, tmp_path / "area", population_year=2023)
    assert meta["population"]["year"] == 2023
    assert meta["counts"]["population"] == 60 + 6 + 15 + 24
    with pytest.raises(SourceDataError, match="no estimates for 1999; the file has 2023-2024"):
        build_area(sources, syn.LAD, tmp_path / "area", population_year=1999)


def test_imd_is_carried_by_code_and_to_split_zones(built):
    _, area = built
    zones = area.neighbourhoods.set_index("lsoa_code")
    assert zones["imd_match"].tolist() == ["code", "code", "split", "split"]
    assert zones["imd_lsoa11_code"].tolist() == ["E01999001", "E01999002", "E01999050", "E01999050"]
    assert zones["rank_health"].tolist() == [100, 20_000, 5_000, 5_000]
    assert zones["decile_imd"].tolist() == [1, 7, 2, 2]
    expected = need_score_from_rank(pd.Series([100, 20_000, 5_000, 5_000])).round(2)
    assert zones["need_income"].tolist() == pytest.approx(expected.tolist())


def test_domains_without_a_rate_get_a_weight_of_need_score_over_100(built):
    _, area = built
    zones = area.neighbourhoods
    for domain in ("education", "health", "crime", "housing", "living_environment"):
        assert zones[f"weight_{domain}"].tolist() == pytest.approx(
            (zones[f"need_{domain}"] / 100).tolist(), abs=5e-5
        )
    assert zones["weight_health"].between(0, 1).all()
    assert "weight_income" not in zones.columns


# IoD 2019 scores: rates as fractions, whichever layout -----------------------------------

# Rates of E01999001, E01999002 (by code) and E01999050 (parent of both split east zones).
CARRIED_RATES = {
    "rate_income": [0.25, 0.05, 0.125, 0.125],
    "rate_employment": [0.2, 0.04, 0.1, 0.1],
    "rate_idaci": [0.5, 0.1, 0.25, 0.25],
    "rate_idaopi": [0.125, 0.025, 0.0625, 0.0625],
}


@pytest.mark.parametrize(
    ("layout", "publisher"),
    [
        ("mhclg", "MHCLG (File 5 or File 7)"),
        ("bristol", "Bristol City Council (Deprivation in Bristol 2019)"),
    ],
)
def test_rates_are_carried_as_fractions_from_either_layout(tmp_path, layout, publisher):
    sources = syn.write_sources(tmp_path / "raw", scores=layout)
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods
    for column, expected in CARRIED_RATES.items():
        assert zones[column].tolist() == expected, column
    assert meta["iod_rates"]["layout"] == publisher
    assert meta["iod_rates"]["columns"]["rate_idaci"] == (
        "share of children aged 0-15 living in income-deprived families"
    )
    assert "iod2019_scores" in meta["sources"]
    assert not any("IoD 2019 scores" in w for w in meta["warnings"])
    text = (tmp_path / "area" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "IoD 2019 scores (income, employment, IDACI and IDAOPI rates): Ministry" in text
    assert ("Republished by Bristol City Council" in text) == (layout == "bristol")


def test_file7_is_ranks_scores_and_denominators_at_once(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", scores="file7", population=False)
    found = discover_sources(sources)
    assert {kind: f.path.name for kind, f in found.items() if f.path.name.startswith("imd")} == {
        "imd2019_ranks": "imd_file7.csv",
        "iod2019_scores": "imd_file7.csv",
        "imd2019_denominators": "imd_file7.csv",
    }
    build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods
    assert zones["rate_income"].tolist() == CARRIED_RATES["rate_income"]
    assert zones["rank_income"].tolist() == [100, 20_000, 5_000, 5_000]
    assert zones["population"].tolist() == [1200, 1000, 1000, 1000]


def test_without_a_scores_file_the_build_warns_and_writes_no_rates(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", scores=None)
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods
    assert not [c for c in zones.columns if c.startswith("rate_")]
    assert "weight_health" in zones.columns and "pop_16_plus" in zones.columns
    assert meta["iod_rates"] == {}
    assert any(
        w.startswith("no IoD 2019 scores (MHCLG File 5 or File 7")
        and "(rate_income, rate_employment, rate_idaci, rate_idaopi)" in w
        and "count all residents instead" in w
        for w in meta["warnings"]
    )


def test_scores_alone_still_carry_rates_to_split_zones(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", imd=False)
    build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods
    assert zones["imd_match"].tolist() == ["code", "code", "split", "split"]
    assert zones["rate_idaopi"].tolist() == CARRIED_RATES["rate_idaopi"]
    assert not [c for c in zones.columns if c.startswith(("rank_", "weight_"))]


def test_a_zone_the_scores_file_lacks_gets_no_rates_and_a_warning(tmp_path):
    sources = syn.write_sources(tmp_path / "raw")
    path = sources / "imd_file5.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if "E01999050" not in line), "utf-8")
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods
    assert zones["rate_income"].isna().tolist() == [False, False, True, True]
    assert any(
        "2 neighbourhood(s) carry a 2011 zone that imd_file5.csv has no row for" in w
        for w in meta["warnings"]
    )


def test_carry_rates_follows_the_parts_weighting_each_rate_by_its_group():
    # A kept its code, B1 is split from B, M is merged from C (300 people) and D (100).
    parts = pd.DataFrame(
        {
            "lsoa_code": ["A", "B1", "M", "M"],
            "lsoa11_code": ["A", "B", "C", "D"],
            "population": [100.0, 50.0, 300.0, 100.0],
            "pop_0_15": [10.0, 5.0, 0.0, 40.0],
            "pop_16_64": [60.0, 30.0, 200.0, 50.0],
            "pop_65_plus": [30.0, 15.0, 100.0, 10.0],
        }
    )
    rates = pd.DataFrame(
        {
            "lsoa11_code": ["A", "B", "C", "D", "E"],
            "rate_income": [0.1, 0.2, 0.3, 0.9, 0.5],
            "rate_employment": [0.01, 0.02, 0.03, 0.09, 0.5],
            "rate_idaci": [0.123456, 0.0, 1.0, 0.5, 0.5],
            "rate_idaopi": [0.5, 0.5, 0.2, 0.9, 0.5],
        }
    )
    carried = carry_rates(parts, rates, weights=RATE_GROUPS).set_index("lsoa_code")
    assert carried.columns.tolist() == [
        "rate_income",
        "rate_employment",
        "rate_idaci",
        "rate_idaopi",
    ]
    assert carried.index.tolist() == ["A", "B1", "M"]
    assert carried["rate_income"].tolist() == [0.1, 0.2, (0.3 * 300 + 0.9 * 100) / 400]
    # Each rate is weighted by the people it is a share of: IDACI by children (none in C).
    assert carried.loc["M", "rate_idaci"] == 0.5
    assert carried.loc["M", "rate_employment"] == round((0.03 * 200 + 0.09 * 50) / 250, 4)
    assert carried.loc["M", "rate_idaopi"] == round((0.2 * 100 + 0.9 * 10) / 110, 4)
    assert carried["rate_idaci"].tolist()[:2] == [0.1235, 0.0]


def test_a_part_the_rates_file_lacks_is_left_out_of_the_mean():
    parts = pd.DataFrame(
        {"lsoa_code": ["M", "M", "S"], "lsoa11_code": ["C", "X", "X"], "part_m2": [1.0, 3.0, 1.0]}
    )
    rates = pd.DataFrame({"lsoa11_code": ["C"], **{f"rate_{k}": [0.3] for k in RATE_GROUPS}})
    carried = carry_rates(parts, rates, weights=dict.fromkeys(RATE_GROUPS, "part_m2"))
    assert carried.set_index("lsoa_code")["rate_income"].fillna(-1).to_dict() == {
        "M": 0.3,
        "S": -1,
    }


def test_separator_is_the_commoner_of_semicolon_and_comma():
    assert csv_separator("LSOA code;Education, Skills and Training Score;Crime Score\n") == ";"
    assert csv_separator('"LSOA code (2011)","Income Score (rate)"\n') == ","


def _scores_file(tmp_path, header, *rows, sep=","):
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(sep.join(line) for line in [header, *rows]) + "\n", "utf-8")
    return path


def test_scores_file_lacking_a_rate_column_is_named(tmp_path):
    path = _scores_file(
        tmp_path, ["LSOA code (2011)", *syn.MHCLG_RATE_COLUMNS[:2]], ["E01000001", "0.1", "0.1"]
    )
    with pytest.raises(
        SourceDataError,
        match=r"scores\.csv: looks like the IoD 2019 scores laid out by MHCLG \(File 5 or "
        r"File 7\) but lacks the column\(s\) 'Income Deprivation Affecting Children Index "
        r"\(IDACI\) Score \(rate\)', 'Income .*\. Fix: use the file as published",
    ):
        read_iod_scores(path)


@pytest.mark.parametrize(
    ("header", "value", "sep", "message"),
    [
        (
            ["LSOA code (2011)", *syn.MHCLG_RATE_COLUMNS],
            "25",
            ",",
            r"scores\.csv, row 3 \(LSOA E01000002\), column 'Income Score \(rate\)': '25' is "
            r"not a rate from 0 to 1\. Fix: use the file as MHCLG \(File 5 or File 7\) "
            r"publishes it \(rates as fractions, e\.g\. 0\.125\)\.",
        ),
        (
            ["LSOA code", *syn.BRISTOL_RATE_COLUMNS],
            "",
            ";",
            r"row 3 \(LSOA E01000002\), column 'Income Deprivation Score \(%\)': '' is not a "
            r"rate from 0 to 100\. Fix: use the file as Bristol City Council",
        ),
        (
            ["LSOA code", *syn.BRISTOL_RATE_COLUMNS],
            "-1",
            ";",
            r"'-1' is not a rate from 0 to 100",
        ),
    ],
)
def test_scores_file_with_a_bad_rate_names_row_column_value_and_fix(
    tmp_path, header, value, sep, message
):
    path = _scores_file(
        tmp_path,
        header,
        ["E01000001", "1", "1", "1", "1"],
        ["E01000002", value, "1", "1", "1"],
        sep=sep,
    )
    with pytest.raises(SourceDataError, match=message):
        read_iod_scores(path)


def test_scores_file_repeating_an_lsoa_is_refused(tmp_path):
    row = ["E01000001", "0.1", "0.1", "0.1", "0.1"]
    path = _scores_file(tmp_path, ["LSOA code (2011)", *syn.MHCLG_RATE_COLUMNS], row, row)
    with pytest.raises(
        SourceDataError,
        match=r"LSOA E01000001 appears more than once in column 'LSOA code \(2011\)'\. "
        r"Fix: keep one row per LSOA",
    ):
        read_iod_scores(path)


def test_need_score_follows_the_imd_exponential_transformation():
    """R = (n + 1 - rank) / n; X = -23 ln(1 - R (1 - e^(-100/23))).

    rank 1 -> R = 1 -> X = -23 ln(e^(-100/23)) = 100; rank n -> R = 1/n -> X close to 0;
    the most deprived decile's edge (R = 0.9) -> -23 ln(1 - 0.9 * 0.98708) = 50.43.
    """
    n = IMD2019_LSOA_COUNT
    scores = need_score_from_rank([1, n, n + 1 - 0.9 * n])
    assert scores[0] == pytest.approx(100.0)
    assert scores[1] == pytest.approx(0.00069, abs=1e-5)
    assert scores[2] == pytest.approx(50.43, abs=0.01)
    assert (pd.Series(need_score_from_rank(range(1, n + 1, 97))).diff().dropna() < 0).all()
    with pytest.raises(ValueError, match="IMD ranks must lie in 1..32844"):
        need_score_from_rank([0])


def test_postcodes_are_the_authoritys_with_code_points_ward(built):
    meta, area = built
    pc = area.postcodes.set_index("postcode")
    assert list(pc.index) == ["TS1 1AA", "TS1 1AB", "TS2 2AA", "TS2 2AB"]
    assert pc["ward_code"].tolist() == ["E05999001", "E05999001", "E05999002", "E05999002"]
    # TS2 2AB lies 100 m over the border: it keeps Code-Point's ward and its nearest zone.
    assert pc["lsoa_code"].tolist() == ["E01999001", "E01999002", "E01999101", "E01999102"]
    assert any("1 postcodes have no grid reference" in w for w in meta["warnings"])
    assert lookup_postcode(area, "ts11aa").ward_name == "West"
    with pytest.raises(PostcodeNotInAreaError, match="TS9 9ZZ is not in the postcode table"):
        lookup_postcode(area, "TS9 9ZZ")


def test_build_is_deterministic(tmp_path):
    sources = syn.write_sources(tmp_path / "raw")
    build_area(sources, syn.LAD, tmp_path / "a")
    build_area(sources, syn.LAD, tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "ATTRIBUTION.md",
        "area.json",
        "neighbourhoods.geojson",
        "postcodes.csv",
        "wards.geojson",
    ]
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_attribution_names_each_source_and_carries_the_licence(built, tmp_path):
    text = (tmp_path / "area" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Contains Royal Mail data © Royal Mail copyright" in text
    assert "English Indices of Deprivation 2019" in text
    assert "Open Government Licence v3.0" in text and "Non-endorsement" in text


def test_missing_optional_inputs_give_a_smaller_area_set(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", imd=False, lsoa11=False, codepoint=False)
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    area = load_area(tmp_path / "area")
    assert len(area.neighbourhoods) == 4
    assert not any(c.startswith("rank_") for c in area.neighbourhoods.columns)
    assert not (tmp_path / "area" / "postcodes.csv").exists()
    assert any("no IMD 2019 File 2" in w for w in meta["warnings"])
    assert any("no OS Code-Point Open" in w for w in meta["warnings"])
    with pytest.raises(PostcodeNotInAreaError, match="TS1 1AA is not in the postcode table"):
        lookup_postcode(area, "TS1 1AA")


def test_new_codes_without_2011_boundaries_get_no_imd(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", lsoa11=False)
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods.set_index("lsoa_code")
    assert zones["imd_match"].tolist() == ["code", "code", "none", "none"]
    assert zones["rank_imd"].isna().tolist() == [False, False, True, True]
    assert any("2 neighbourhood(s) have a new 2021 code" in w for w in meta["warnings"])


def test_population_falls_back_to_imd_denominators_shared_by_area(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", population=False)
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods.set_index("lsoa_code")
    # E01999050 (2,000 people) is split into two zones of equal area.
    assert zones["population"].tolist() == [1200, 1000, 1000, 1000]
    assert zones["pop_65_plus"].tolist() == [400, 400, 300, 300]
    assert meta["age_bands"] == {
        "pop_0_15": "0-15",
        "pop_16_64": "16-59",
        "pop_65_plus": "60+",
        "pop_16_plus": "16+",
    }
    assert zones["pop_16_plus"].tolist() == [1000, 900, 800, 800]


# A 2021 zone merged from several 2011 zones ---------------------------------------------

# The authority's 2011 zones (E01888001 belongs to the neighbouring authority).
AUTHORITY_2011 = ("E01999001", "E01999002", "E01999050")


def test_a_merged_zone_takes_the_people_of_all_its_parents(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", population=False, merged=True)
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    zones = load_area(tmp_path / "area").neighbourhoods.set_index("lsoa_code")
    assert zones.index.tolist() == ["E01999101", "E01999102", "E01999201"]
    assert zones["imd_match"].tolist() == ["split", "split", "merged"]
    assert zones.loc["E01999201", "imd_lsoa11_code"] == "E01999001+E01999002"
    # 1,200 + 1,000 people of the two parents; the split pair share E01999050's 2,000.
    assert zones["population"].tolist() == [1000, 1000, 2200]
    assert zones.loc["E01999201", "pop_65_plus"] == 400 + 400
    source_total = sum(syn.DENOMINATORS[code][0] for code in AUTHORITY_2011)
    assert zones["population"].sum() == source_total == meta["counts"]["population"]
    assert "population_2011_to_2021" in meta["rules"]
    assert "weighted by people" in meta["rules"]["imd_2011_to_2021"]


def test_a_merged_zones_values_are_weighted_by_the_people_of_each_parent(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", population=False, merged=True)
    build_area(sources, syn.LAD, tmp_path / "area")
    merged = load_area(tmp_path / "area").neighbourhoods.set_index("lsoa_code").loc["E01999201"]
    (a, b), (people_a, people_b) = syn.MERGED_PARENTS, (1200, 1000)
    # Income is a share of all residents; IDACI of children (200 and 100); IDAOPI of 60+.
    income = (syn.RATES[a][0] * people_a + syn.RATES[b][0] * people_b) / (people_a + people_b)
    assert merged["rate_income"] == round(income, 4)
    assert merged["rate_idaci"] == round((0.5 * 200 + 0.1 * 100) / 300, 4)
    assert merged["rate_idaopi"] == round((0.125 * 400 + 0.025 * 400) / 800, 4)
    need_a, need_b = need_score_from_rank([syn.IMD[a][0], syn.IMD[b][0]])
    need = (need_a * people_a + need_b * people_b) / (people_a + people_b)
    assert merged["need_health"] == round(need, 2)
    assert merged["weight_health"] == round(round(need, 2) / 100, 4)
    # No rank was published for the new zone: it gets the rank of its mean need score.
    [rank] = rank_from_need_score([need])
    assert merged["rank_health"] == rank and syn.IMD[a][0] < rank < syn.IMD[b][0]
    assert merged["decile_health"] == decile_from_rank([rank])[0]


def test_without_denominators_a_merged_zone_is_weighted_by_area(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", merged=True, denominators=False)
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    merged = load_area(tmp_path / "area").neighbourhoods.set_index("lsoa_code").loc["E01999201"]
    # The two parents are halves of the zone: the plain mean of their rates.
    assert merged["rate_income"] == round((syn.RATES["E01999001"][0] + 0.05) / 2, 4)
    # Its residents come from the LSOA 2021 estimates: both west rows of the revised 2024.
    assert merged["population"] == sum(syn.POPULATION_2024_REVISED["E01999001"]) + sum(
        syn.POPULATION_2024_REVISED["E01999002"]
    )
    assert "weighted by area" in meta["rules"]["imd_2011_to_2021"]
    assert "population_2011_to_2021" not in meta["rules"]


def test_rank_from_need_score_inverts_the_transformation():
    ranks = np.arange(1, IMD2019_LSOA_COUNT + 1, 37)
    assert (rank_from_need_score(need_score_from_rank(ranks)) == ranks).all()
    assert decile_from_rank([1, 3284, 3285, 29559, 29560, IMD2019_LSOA_COUNT]).tolist() == [
        1,
        1,
        2,
        9,
        10,
        10,
    ]


# The LSOA 2011 to ward lookup ----------------------------------------------------------


def test_a_lookup_of_another_ward_edition_is_a_warning(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", lookup="old")
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    [warning] = [w for w in meta["warnings"] if w.startswith("lookup.csv")]
    assert warning.startswith(
        "lookup.csv: none of the lookup's 2 ward codes (WD17CD, e.g. E05777001) is a ward of "
        "the boundaries read, so it is of another ward edition"
    )
    assert "Fix: use the LSOA to ward lookup of the same year as the ward boundaries" in warning


def test_a_lookup_of_the_same_edition_is_no_warning(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", lookup="same")
    meta = build_area(sources, syn.LAD, tmp_path / "area")
    assert not [w for w in meta["warnings"] if "lookup" in w]
    assert "lsoa11_ward_lookup" in meta["sources"]


def test_the_cli_prints_the_lookup_warning(tmp_path, capsys):
    sources = syn.write_sources(tmp_path / "raw", lookup="old")
    code = main(
        ["build-area", "--source", str(sources), "--lad", syn.LAD, "--out", str(tmp_path / "a")]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert out.startswith("built Testshire (E06999999)")
    assert "warning: lookup.csv: none of the lookup's 2 ward codes (WD17CD" in err


def test_wards_without_their_authority_are_chosen_by_the_lookup(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", lookup="same", ward_authority=False)
    build_area(sources, syn.LAD, tmp_path / "area")
    assert load_area(tmp_path / "area").wards["ward_code"].tolist() == ["E05999001", "E05999002"]


def test_wards_without_their_authority_and_a_lookup_of_another_edition_stop(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", lookup="old", ward_authority=False)
    with pytest.raises(
        SourceDataError,
        match=r"wards\.geojson: none of the 2 wards lookup\.csv gives for E06999999 \(WD17CD, "
        r"e\.g\. E05777001\) is among its wards \(WD24CD\): the two are different ward "
        r"editions.*Fix: use the LSOA to ward lookup of the same year",
    ):
        build_area(sources, syn.LAD, tmp_path / "area")


def test_no_population_source_is_a_clear_error(tmp_path):
    sources = syn.write_sources(tmp_path / "raw", population=False, denominators=False)
    with pytest.raises(SourceDataError, match="no population source. Fix: add the ONS"):
        build_area(sources, syn.LAD, tmp_path / "area")


def test_missing_required_file_and_unknown_authority(tmp_path):
    sources = syn.write_sources(tmp_path / "raw")
    with pytest.raises(SourceDataError, match="no ward belongs to local authority E06000001"):
        build_area(sources, "E06000001", tmp_path / "area")
    (sources / "wards.geojson").unlink()
    with pytest.raises(SourceDataError, match=r"no ONS ward boundaries \(GeoJSON"):
        build_area(sources, syn.LAD, tmp_path / "area")
    with pytest.raises(SourceDataError, match="does not exist. Fix: pass --source"):
        build_area(tmp_path / "nowhere", syn.LAD, tmp_path / "area")


def test_two_files_of_one_kind_are_refused(tmp_path):
    sources = syn.write_sources(tmp_path / "raw")
    (sources / "lsoa21_copy.geojson").write_bytes((sources / "lsoa21.geojson").read_bytes())
    with pytest.raises(SourceDataError, match="2 files look like ONS LSOA 2021 boundaries"):
        build_area(sources, syn.LAD, tmp_path / "area")


def test_bundled_bristol_set_is_what_the_build_makes(tmp_path, raw_bristol):
    build_area(raw_bristol, "E06000023", tmp_path / "bristol")
    bundled = default_area_path()
    names = sorted(p.name for p in bundled.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "bristol").iterdir())
    _, mismatch, errors = filecmp.cmpfiles(bundled, tmp_path / "bristol", names, shallow=False)
    assert (mismatch, errors) == ([], []), "rebuild with: make area"
    meta = json.loads((bundled / "area.json").read_text(encoding="utf-8"))
    assert meta["iod_rates"]["layout"] == "Bristol City Council (Deprivation in Bristol 2019)"
    assert meta["counts"] == {
        "wards": 34,
        "neighbourhoods": 268,
        "postcodes": 11_738,
        "population": 494_399,
    }
    assert gpd.read_file(bundled / "wards.geojson").is_valid.all()


def test_bristol_scores_file_is_read_as_fractions(raw_bristol):
    rates, layout = read_iod_scores(raw_bristol / "deprivation_in_bristol_2019_scores.csv")
    assert layout.whole == 100
    assert len(rates) == 263 and rates["lsoa11_code"].is_unique
    assert rates.drop(columns="lsoa11_code").stack().between(0, 1).all()


def test_bundled_bristol_income_deprivation_is_about_14_percent(bristol):
    zones = bristol.neighbourhoods
    share = (zones["rate_income"] * zones["population"]).sum() / zones["population"].sum()
    # IoD 2019 income rate of Bristol weighted by its mid-2015 population: 14.1 %.
    assert 0.13 < share < 0.15
    assert zones[[c for c in zones.columns if c.startswith("rate_")]].notna().all().all()
    assert (zones["pop_16_plus"] == zones["population"] - zones["pop_0_15"]).all()
