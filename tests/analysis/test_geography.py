"""Postcodes, points, CRSs and the bundled Bristol area set."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from analysis.crs import bng_to_lonlat, ensure_crs, lonlat_to_bng, to_display
from analysis.errors import (
    AreaDataError,
    CRSError,
    PointOutsideAreaError,
    PostcodeFormatError,
    PostcodeNotInAreaError,
)
from analysis.geography import (
    describe_districts,
    load_area,
    locate_lonlat,
    lookup_postcode,
    normalise_postcode,
    partial_postcode,
)
from analysis.reference.sources import CODEPOINT_COLUMNS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bs16qu", "BS1 6QU"),
        (" BS1 6QU ", "BS1 6QU"),
        ("bs1  6qu", "BS1 6QU"),
        ("BS16QU", "BS1 6QU"),
        ("bs8 1th", "BS8 1TH"),
        ("b11aa", "B1 1AA"),
        ("ec1a1bb", "EC1A 1BB"),
        ("w1a 0ax", "W1A 0AX"),
        ("\tsw1a\n2aa", "SW1A 2AA"),
    ],
)
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize("text", ["XYZ", "", "12345", "BS1 6Q", "BS1 6QUU", "1S1 6QU"])
def test_malformed_postcode_is_a_format_error(text):
    with pytest.raises(PostcodeFormatError, match="is not a UK postcode. Fix: type a full"):
        normalise_postcode(text)


@pytest.mark.parametrize("text", ["BS1", "bs13", "BS13 7", "EC1A"])
def test_a_district_or_sector_alone_is_told_apart(text):
    with pytest.raises(PostcodeFormatError, match="is not a UK postcode but only its first part"):
        normalise_postcode(text)
    assert partial_postcode(text) == " ".join(text.upper().split())


def test_examples_come_from_the_area(bristol):
    from tests.analysis.tiny import make_area

    assert bristol.example_postcode in bristol.postcodes.index
    middle = bristol.postcodes[["easting", "northing"]].mean()
    gaps = np.hypot(
        bristol.postcodes["easting"] - middle["easting"],
        bristol.postcodes["northing"] - middle["northing"],
    )
    assert gaps.loc[bristol.example_postcode] == gaps.min()
    lon, lat = bristol.typical_lonlat
    assert (round(lat, 2), round(lon, 2)) == (51.46, -2.59)
    assert bristol.districts_text == "BS1–BS11, BS13–BS16, BS31, BS98, BS99"
    assert sum(bristol.postcode_districts.values()) == len(bristol.postcodes)
    tiny = make_area()
    assert (tiny.example_postcode, tiny.districts_text) == ("TS1 1AA", "TS1")
    with pytest.raises(PostcodeFormatError, match="such as TS1 1AA"):
        lookup_postcode(tiny, "XYZ")
    with pytest.raises(PostcodeFormatError, match="type the full postcode such as BS13 0AA"):
        lookup_postcode(bristol, "BS13")


def test_districts_in_words():
    assert describe_districts(["W2", "W1", "W3", "EC1A", "B2", "B1"]) == "B1, B2, EC1A, W1–W3"
    many = [f"AB{n}" for n in range(1, 60, 2)]
    assert describe_districts(many, limit=3) == "AB1, AB3, AB5 … and 27 more"


def test_bristol_has_34_wards_and_268_neighbourhoods(bristol):
    assert len(bristol.wards) == 34
    assert bristol.wards["ward_code"].is_unique
    assert len(bristol.neighbourhoods) == 268
    assert bristol.neighbourhoods["lsoa_code"].is_unique
    assert bristol.wards.crs.to_epsg() == 27700
    assert bristol.neighbourhoods.crs.to_epsg() == 27700
    assert bristol.wards.is_valid.all() and bristol.neighbourhoods.is_valid.all()


def test_every_neighbourhood_is_in_exactly_one_ward_by_largest_overlap(bristol):
    zones, wards = bristol.neighbourhoods, bristol.wards
    assert zones["ward_code"].isin(wards["ward_code"]).all()
    # Oracle: recompute the largest-overlap ward independently.
    pieces = gpd.overlay(zones[["lsoa_code", "geometry"]], wards[["ward_code", "geometry"]])
    pieces["area"] = pieces.area
    largest = pieces.sort_values("area").groupby("lsoa_code")["ward_code"].last()
    assert (zones.set_index("lsoa_code")["ward_code"] == largest).all()
    assert zones.groupby("ward_code").size().between(2, 20).all()


def test_population_totals_equal_the_source_sums(bristol, raw_bristol):
    raw = pd.read_csv(raw_bristol / "bristol_lsoa2021_mid_year_population_syoa_2015_2024.csv")
    latest = raw[raw["Year"] == raw["Year"].max()]
    zones = bristol.neighbourhoods
    assert zones["population"].sum() == latest["Total"].sum() == 494_399
    assert (
        zones[["pop_0_15", "pop_16_64", "pop_65_plus"]].sum(axis=1) == zones["population"]
    ).all()
    old = [c for c in raw.columns if c[:1] in "FM" and c[1:].isdigit() and int(c[1:]) >= 65]
    assert zones["pop_65_plus"].sum() == latest[old].to_numpy().sum()
    assert bristol.meta["population"]["year"] == 2024


def test_imd_ranks_are_carried_from_2011_zones(bristol, raw_bristol):
    raw = pd.read_csv(
        raw_bristol / "imd2019_file2_domains_ranks_deciles_bristol_lsoa11.csv",
        encoding="utf-8-sig",
    ).set_index("LSOA code (2011)")
    zones = bristol.neighbourhoods.set_index("lsoa_code")
    rank = "Income Rank (where 1 is most deprived)"
    assert (zones["rank_income"] == zones["imd_lsoa11_code"].map(raw[rank])).all()
    same_code = zones["imd_match"] == "code"
    assert same_code.sum() == 259
    assert (zones.index[same_code] == zones.loc[same_code, "imd_lsoa11_code"]).all()
    # Split zones take their parent's values: E01033907 lies in E01014540.
    assert zones.loc["E01033907", "imd_match"] == "split"
    assert zones.loc["E01033907", "imd_lsoa11_code"] == "E01014540"
    assert zones[[c for c in zones.columns if c.startswith("need_")]].notna().all().all()


def test_every_bristol_postcode_keeps_code_points_ward(bristol, raw_bristol):
    raw = pd.read_csv(
        raw_bristol / "codepoint_open_bs_postcodes.csv", header=None, names=CODEPOINT_COLUMNS
    )
    raw = raw[raw["Admin_district_code"] == "E06000023"]
    assert len(bristol.postcodes) == len(raw) == 11_738
    for postcode, ward in zip(raw["Postcode"], raw["Admin_ward_code"], strict=True):
        assert lookup_postcode(bristol, postcode).ward_code == ward


def test_lookup_postcode_gives_point_ward_and_neighbourhood(bristol):
    found = lookup_postcode(bristol, "bs81th")
    assert found.as_dict() == {
        "postcode": "BS8 1TH",
        "ward_code": "E05010892",
        "ward_name": "Central",
        "lsoa_code": "E01014538",
        "lat": pytest.approx(51.459066),
        "lon": pytest.approx(-2.603291),
    }
    zone = bristol.neighbourhoods.set_index("lsoa_code").loc[found.lsoa_code, "geometry"]
    assert zone.contains(Point(found.easting, found.northing))


@pytest.mark.parametrize(
    ("postcode", "detail"),
    [
        ("BS1 6QU", "its district BS1 has postcodes in the area, so this one is new"),
        ("BS16 1QY", "its district BS16 has postcodes in the area"),
        ("SW1A 2AA", "this postcode is in another area \\(not in Bristol, City of\\) or does not"),
        ("BS20 7AA", "no postcode of Bristol, City of is in district BS20 \\(its postcodes start"),
    ],
)
def test_well_formed_postcode_outside_the_area_is_its_own_error(bristol, postcode, detail):
    with pytest.raises(
        PostcodeNotInAreaError,
        match=f"{postcode} is not in the postcode table of Bristol, City of \\(E06000023\\): "
        f".*{detail}",
    ):
        lookup_postcode(bristol, postcode.lower())


def test_crs_round_trip_is_within_a_metre(bristol):
    pc = bristol.postcodes
    lon, lat = bng_to_lonlat(pc["easting"].to_numpy(), pc["northing"].to_numpy())
    easting, northing = lonlat_to_bng(lon, lat)
    assert np.hypot(easting - pc["easting"], northing - pc["northing"]).max() < 1.0
    # The stored, rounded lat/lon still lands within a metre of the grid reference.
    easting, northing = lonlat_to_bng(pc["lon"].to_numpy(), pc["lat"].to_numpy())
    assert np.hypot(easting - pc["easting"], northing - pc["northing"]).max() < 1.0


def test_locate_point_finds_ward_and_neighbourhood(bristol):
    found = lookup_postcode(bristol, "BS8 1TH")
    assert locate_lonlat(bristol, found.lon, found.lat) == (found.ward_code, found.lsoa_code)


def test_swapped_coordinates_are_outside_the_area(bristol):
    with pytest.raises(
        PointOutsideAreaError, match="outside every ward of Bristol, City of. Fix: check"
    ):
        locate_lonlat(bristol, 51.459, -2.603)


def test_crs_checks_name_both_crs_and_the_fix():
    gdf = gpd.GeoDataFrame(geometry=[Point(0, 51)], crs="EPSG:4326")
    with pytest.raises(
        CRSError, match=r"wards is in EPSG:4326, expected EPSG:27700\. Fix: convert"
    ):
        ensure_crs(gdf, "EPSG:27700", name="wards")
    with pytest.raises(CRSError, match="has no CRS"):
        ensure_crs(gpd.GeoDataFrame(geometry=[Point(0, 51)]), "EPSG:27700")
    with pytest.raises(CRSError, match="expected EPSG:27700"):
        to_display(gdf)


def test_missing_area_folder_names_the_fix(tmp_path):
    with pytest.raises(AreaDataError, match="lacks wards.geojson.*Fix: build it with"):
        load_area(tmp_path)


def test_a_district_is_placed_at_the_middle_of_its_postcodes():
    from analysis.geography import load_area, lookup_district
    from analysis.model import EASTING, NORTHING, POSTCODE

    area = load_area()
    place = lookup_district(area, " bs5 ")
    inside = area.postcodes[area.postcodes[POSTCODE].str.startswith("BS5 ")]
    assert place.postcode == "BS5"
    assert place.easting == pytest.approx(inside[EASTING].mean())
    assert place.northing == pytest.approx(inside[NORTHING].mean())
    assert place.ward_code in set(inside["ward_code"])
    lon, lat = bng_to_lonlat(place.easting, place.northing)
    assert (place.lon, place.lat) == pytest.approx((lon, lat))


def test_a_district_not_in_the_area_names_the_districts_in_it():
    from analysis.errors import PostcodeNotInAreaError
    from analysis.geography import load_area, lookup_district

    with pytest.raises(
        PostcodeNotInAreaError, match=r"district SW1 \(its postcodes start with BS1"
    ):
        lookup_district(load_area(), "SW1")


@pytest.mark.parametrize("text", ["BS5 6HN", "BS5 6", "hello"])
def test_only_a_district_alone_is_a_district(text):
    from analysis.errors import PostcodeFormatError
    from analysis.geography import load_area, lookup_district

    with pytest.raises(PostcodeFormatError, match="is not a postcode district"):
        lookup_district(load_area(), text)
