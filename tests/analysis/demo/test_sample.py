"""The fictional demo directory: deterministic, realistic, valid, and marked fictional."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.demo.sample import FICTIONAL_MARK, default_sample_path, generate_sample, write_sample
from analysis.ingest.fields import TEMPLATE_COLUMNS
from tests.analysis.ingest.helpers import TAXONOMY, load


@pytest.fixture(scope="module")
def sample(bristol):
    return generate_sample(bristol, TAXONOMY)


@pytest.fixture(scope="module")
def loaded(bristol, sample):
    data = sample.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return load(data, bristol, filename="services.csv")


def test_the_committed_file_is_the_generator_output(sample, tmp_path, bristol):
    committed = default_sample_path()
    assert committed.stat().st_size < 400_000
    written = write_sample(tmp_path / "services.csv", area=bristol, taxonomy=TAXONOMY)
    assert written.read_bytes() == committed.read_bytes()


def test_deterministic_and_seeded(bristol, sample):
    assert generate_sample(bristol, TAXONOMY).equals(sample)
    assert not generate_sample(bristol, TAXONOMY, seed=1).equals(sample)


def test_sizes_and_columns(sample):
    assert list(sample.columns) == list(TEMPLATE_COLUMNS)
    assert len(sample) == 900
    assert sample["org_id"].nunique() == 400
    assert sample["service_id"].is_unique


def test_validates_with_zero_rejections_and_warnings(loaded):
    directory, report = loaded
    assert (report.rows_read, report.accepted, report.rejected, report.warnings) == (900, 900, 0, 0)
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


def test_every_category_and_a_realistic_mix(loaded):
    directory, _ = loaded
    services = directory.services
    categories = services["categories"].explode()
    assert set(categories) == set(TAXONOMY.ids())
    kinds = services["area_kind"].value_counts()
    assert kinds["at_location"] > 500 and kinds["citywide"] >= 12
    phone_lines = services[
        (services["area_kind"] == "citywide") & (services["delivery"] == ("phone",))
    ]
    assert len(phone_lines) >= 12
    assert (services["area_kind"] == "wards").sum() > 50
    assert (services["area_kind"] == "radius_km").sum() > 30


def test_denser_in_the_centre(loaded, bristol):
    directory, _ = loaded
    located = directory.services.set_geometry("location").dropna(subset=["location"])
    joined = located.sjoin(bristol.wards[["ward_code", "geometry"]], predicate="within")
    per_km2 = joined.groupby("ward_code").size() / (bristol.wards.set_index("ward_code").area / 1e6)
    central = per_km2.get("E05010892", 0)  # Central ward
    assert central > 3 * per_km2.median()


def test_some_wards_are_thin_in_some_categories(loaded, bristol):
    directory, _ = loaded
    located = directory.services.set_geometry("location").dropna(subset=["location"])
    joined = located.sjoin(bristol.wards[["ward_code", "geometry"]], predicate="within")
    pairs = joined.explode("categories").groupby(["ward_code", "categories"]).size()
    grid = pairs.unstack(fill_value=0).reindex(bristol.wards["ward_code"], fill_value=0)
    assert (grid == 0).to_numpy().sum() > 34  # many empty (ward, category) cells


def test_duplicated_effort(loaded):
    directory, _ = loaded
    services = directory.services[directory.services["area_kind"] == "at_location"]
    first = services["categories"].map(lambda ids: ids[0] if ids else "")
    points = services["location"]
    # Somewhere four organisations do the same thing within 2 km of each other.
    found = False
    for category in np.unique(first):
        same = services[first == category]
        xy = np.column_stack([points[same.index].x, points[same.index].y])
        for i in range(len(same)):
            near = np.hypot(*(xy - xy[i]).T) < 2000
            if same.loc[near, "org_id"].nunique() >= 4:
                found = True
                break
    assert found


def test_written_file_reads_back_as_text(tmp_path, bristol):
    path = write_sample(tmp_path / "s.csv", area=bristol, taxonomy=TAXONOMY, seed=3)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(frame) == 900
