"""The fictional demo directory: deterministic, valid, marked fictional, and telling the story.

The story is checked on the directory as the importer reads it, with geometry computed
here from the definitions (not from the generator's own bookkeeping): which ward ×
category cells no local service reaches, which streets have duplicated effort, how many
capacities are blank, which categories have citywide lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.demo.sample import (
    FICTIONAL_MARK,
    default_sample_path,
    design_story,
    generate_sample,
    write_sample,
)
from analysis.ingest.fields import TEMPLATE_COLUMNS
from tests.analysis.ingest.helpers import TAXONOMY, load

# Two services of one category this close, from different organisations, duplicate effort.
SAME_STREET_M = 300.0
# Elsewhere such services are at least this far apart.
APART_M = 400.0
OPEN_AUDIENCES = frozenset({"", "everyone"})


@pytest.fixture(scope="module")
def sample(bristol):
    return generate_sample(bristol, TAXONOMY)


@pytest.fixture(scope="module")
def loaded(bristol, sample):
    data = sample.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return load(data, bristol, filename="services.csv")


@pytest.fixture(scope="module")
def services(loaded):
    return loaded[0].services


@pytest.fixture(scope="module")
def story(bristol):
    return design_story(bristol, TAXONOMY)


def unreached_cells(services, area, *, factor: float = 1.0) -> set[tuple[str, str]]:
    """(ward code, category) cells no local service reaches.

    A local service is one whose area is ``at_location``, ``radius_km`` or ``wards``. It
    reaches a neighbourhood when the neighbourhood's representative point lies within the
    radius of its location (for ``at_location`` the category's catchment, or the radius
    the importer drew if larger; times ``factor``), or, for ``wards``, when the
    neighbourhood is in a listed ward. A ward is reached when one of its neighbourhoods is.
    """
    zones = area.neighbourhoods
    xy = shapely.get_coordinates(shapely.point_on_surface(zones.geometry.to_numpy()))
    zone_ward = zones["ward_code"].to_numpy()
    reached: set[tuple[str, str]] = set()
    for service in services.itertuples():
        if service.area_kind == "citywide":
            continue
        for category in service.categories:
            if service.area_kind == "wards":
                hit = np.isin(zone_ward, list(service.ward_codes))
            else:
                radius = service.radius_m
                if service.area_kind == "at_location":
                    radius = max(radius, TAXONOMY.get(category).catchment_km * 1000)
                distance = np.hypot(xy[:, 0] - service.location.x, xy[:, 1] - service.location.y)
                hit = distance <= radius * factor
            reached.update((ward, category) for ward in zone_ward[hit])
    every = {(ward, c) for ward in area.wards["ward_code"] for c in TAXONOMY.ids()}
    return every - reached


def duplicate_streets(services) -> list[set[int]]:
    """Groups of services (row positions) where organisations run the same kind of service
    in person on one street: one category, compatible audiences (the same, or open to
    everyone), circles around locations within ``SAME_STREET_M`` of each other."""
    local = services[
        services["area_kind"].isin(["at_location", "radius_km"])
        & services["delivery"].map(lambda modes: "in person" in modes)
    ].reset_index(drop=True)
    groups: list[set[int]] = []
    for a, b in _close_pairs(local, SAME_STREET_M):
        audiences = {local.at[a, "audience"], local.at[b, "audience"]}
        if len(audiences) > 1 and not audiences & OPEN_AUDIENCES:
            continue
        joined = [g for g in groups if a in g or b in g]
        merged = {a, b}.union(*joined)
        groups = [g for g in groups if g not in joined] + [merged]
    return [{int(local.at[i, "source_row"]) for i in group} for group in groups]


def _close_pairs(local: pd.DataFrame, within_m: float):
    """Pairs (a, b) of rows sharing a category, of different organisations, within reach."""
    xy = np.column_stack([local["location"].x, local["location"].y])
    orgs = local["org_id"].to_numpy()
    for category in TAXONOMY.ids():
        rows = np.flatnonzero(local["categories"].map(lambda ids, c=category: c in ids))
        gaps = xy[rows, None, :] - xy[None, rows, :]
        close = np.hypot(gaps[..., 0], gaps[..., 1]) <= within_m
        close &= orgs[rows, None] != orgs[None, rows]
        for i, j in zip(*np.nonzero(np.triu(close, k=1)), strict=True):
            yield int(rows[i]), int(rows[j])


def test_the_committed_file_is_the_generator_output(sample, tmp_path, bristol):
    committed = default_sample_path()
    assert committed.stat().st_size < 400_000
    written = write_sample(tmp_path / "services.csv", area=bristol, taxonomy=TAXONOMY)
    assert written.read_bytes() == committed.read_bytes()


def test_deterministic_and_seeded(bristol, sample):
    assert generate_sample(bristol, TAXONOMY).equals(sample)
    assert not generate_sample(bristol, TAXONOMY, seed=1).equals(sample)
    assert design_story(bristol, TAXONOMY) == design_story(bristol, TAXONOMY)


def test_sizes_and_columns(sample):
    assert list(sample.columns) == list(TEMPLATE_COLUMNS)
    assert len(sample) == 900
    assert sample["org_id"].nunique() == 400
    assert sample["service_id"].is_unique


def test_validates_with_zero_rejections_and_only_the_blank_capacities_warned(sample, loaded):
    directory, report = loaded
    # The blank capacities are the only warnings: one unknown_capacity on each such row
    # (a spreadsheet's row number: the header is row 1).
    blank_rows = [int(i) + 2 for i in sample.index[sample["capacity"] == ""]]
    assert len(blank_rows) == 90  # 10 % of the 900, left blank on purpose
    assert (report.rows_read, report.accepted, report.rejected) == (900, 900, 0)
    assert report.warnings == len(blank_rows)
    assert [(p.row, p.column, p.value, p.code, p.severity) for p in report.problems] == [
        (row, "capacity", "", "unknown_capacity", "warning") for row in blank_rows
    ]
    unknown = directory.services["capacity"].isna()
    assert directory.services.loc[unknown, "source_row"].tolist() == blank_rows
    assert report.notes == (
        f"{len(blank_rows)} of 900 accepted services have no capacity given (unknown): the "
        "analysis counts each at its category's median and reports how much of each figure "
        "rests on such estimates",
    )
    assert report.unmapped_categories == {}
    assert len(directory.organisations) == 400


def test_clearly_fictional(sample):
    assert sample["org_description"].str.endswith(FICTIONAL_MARK).all()
    websites = sample["website"][sample["website"] != ""]
    assert websites.str.endswith(".example.org").all()
    emails = sample["email"][sample["email"] != ""]
    assert emails.str.endswith(".example.org").all()
    phones = sample["phone"][sample["phone"] != ""]
    assert phones.str.fullmatch(r"0117 496 0\d{3}").all()  # Ofcom's drama range
    charities = sample["charity_number"][sample["charity_number"] != ""]
    assert charities.str.fullmatch(r"99\d{5}").all()
    statutory = sample.loc[sample["org_kind"] == "statutory", "org_name"]
    assert statutory.str.startswith(("Demo Council", "Demo NHS")).all()


def test_every_category_and_a_realistic_mix(sample, services):
    categories = services["categories"].explode()
    assert set(categories) == set(TAXONOMY.ids())
    kinds = services["area_kind"].value_counts()
    assert kinds["at_location"] > 500 and kinds["citywide"] >= 30
    assert kinds["wards"] > 50 and kinds["radius_km"] > 30
    assert services["delivery"].map(len).gt(1).sum() > 30  # mixed delivery
    assert sample["delivery"].isin(["home delivery", "online"]).any()
    # Category cells use synonyms and lists, as real spreadsheets do.
    cells = sample["categories"].str.split("; ").explode()
    assert (~cells.isin(TAXONOMY.ids())).sum() > 100
    assert sample["categories"].str.contains(";").sum() > 50
    # Some rows give coordinates rather than a postcode; some contacts are not public.
    assert ((sample["postcode"] == "") & (sample["latitude"] != "")).sum() > 50
    assert (sample["contact_public"] == "no").sum() > 50


def test_capacities_mostly_given_and_plausible(sample):
    blank = sample["capacity"] == ""
    assert blank.mean() == pytest.approx(0.10, abs=0.02)
    given = sample.loc[~blank].assign(places=lambda f: f["capacity"].astype(int))
    assert given["places"].between(5, 250).all()
    # Places per week in a range plausible for the kind of service.
    for kind, low, high in [
        ("Food Parcels", 80, 150),
        ("Community Pantry", 60, 120),
        ("Lunch Club", 20, 40),
        ("Befriending Calls", 20, 60),
        ("Money Advice", 20, 80),
        ("Peer Support Group", 8, 20),
    ]:
        places = given.loc[given["service_name"] == kind, "places"]
        assert len(places) > 3 and places.between(low, high).all(), kind
    lines = given.loc[given["service_name"].str.endswith("Phone Line"), "places"]
    assert lines.between(60, 250).all()


def test_denser_in_the_centre(services, bristol):
    located = services.set_geometry("location").dropna(subset=["location"])
    joined = located.sjoin(bristol.wards[["ward_code", "geometry"]], predicate="within")
    per_km2 = joined.groupby("ward_code").size() / (bristol.wards.set_index("ward_code").area / 1e6)
    central = per_km2.get("E05010892", 0)  # Central ward
    assert central > 3 * per_km2.median()


def test_some_wards_are_thin_in_some_categories(services, bristol):
    located = services.set_geometry("location").dropna(subset=["location"])
    joined = located.sjoin(bristol.wards[["ward_code", "geometry"]], predicate="within")
    pairs = joined.explode("categories").groupby(["ward_code", "categories"]).size()
    grid = pairs.unstack(fill_value=0).reindex(bristol.wards["ward_code"], fill_value=0)
    assert (grid == 0).to_numpy().sum() > 34  # many empty (ward, category) cells


def test_outer_wards_lack_local_provision_in_several_categories(services, bristol, story):
    missing = unreached_cells(services, bristol)
    assert len(missing) >= 8
    wards = {ward for ward, _ in missing}
    assert 3 <= len(wards) <= 5
    assert len({category for _, category in missing}) >= 5
    # Only outer wards: on the city's edge, far from its centre.
    outline = shapely.union_all(bristol.wards.geometry.to_numpy()).boundary
    centre = np.median(bristol.postcodes[["easting", "northing"]].to_numpy(), axis=0)
    for ward in bristol.wards[bristol.wards["ward_code"].isin(wards)].itertuples():
        assert ward.geometry.boundary.intersects(outline.buffer(1.0)), ward.ward_name
        assert ward.geometry.centroid.distance(shapely.Point(centre)) > 5000, ward.ward_name
    # Exactly the designed gaps, and every other cell is reached by a local service.
    assert missing == story.gap_cells()
    # The gaps are not an artefact of the catchments: they stay with radii half as large again.
    assert story.gap_cells() <= unreached_cells(services, bristol, factor=1.5)


def test_citywide_lines_do_not_hide_the_gaps(services, story):
    phone_lines = services[
        (services["area_kind"] == "citywide") & (services["delivery"] == ("phone",))
    ]
    line_categories = set(phone_lines["categories"].explode())
    assert len(line_categories) >= 6
    assert {category for _, category in story.gap_cells()} <= line_categories
    online = services[
        (services["area_kind"] == "citywide")
        & services["delivery"].map(lambda modes: "online" in modes)
    ]
    assert len(online) > 20


def test_duplicated_effort_on_a_few_streets(services, bristol, story):
    streets = duplicate_streets(services)
    assert 4 <= len(streets) <= 6
    by_row = services.set_index("source_row")
    found = []
    for rows in streets:
        group = by_row.loc[sorted(rows)]
        assert 2 <= group["org_id"].nunique() == len(group) <= 3
        [category] = set.intersection(*map(set, group["categories"]))
        wards = {ward for ward in group["postcode"].map(bristol.postcodes["ward_code"].get) if ward}
        found.append((category, len(group)))
        assert not wards & set(story.gaps), "a duplicate street in a gap ward"
    assert len({category for category, _ in found}) >= 4
    assert sorted(found) == sorted((h.category, h.size) for h in story.hotspots)


def test_elsewhere_the_same_kind_of_service_is_not_that_close(services):
    """Only the duplicate streets have two organisations' circles of one category within
    ``APART_M``: so the streets stand out from the ordinary density of the centre."""
    streets = set().union(*duplicate_streets(services))
    circles = services[services["area_kind"].isin(["at_location", "radius_km"])].reset_index(
        drop=True
    )
    for a, b in _close_pairs(circles, APART_M):
        rows = {int(circles.at[a, "source_row"]), int(circles.at[b, "source_row"])}
        assert rows <= streets, rows


def test_written_file_reads_back_as_text(tmp_path, bristol):
    path = write_sample(tmp_path / "s.csv", area=bristol, taxonomy=TAXONOMY, seed=3)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(frame) == 900
