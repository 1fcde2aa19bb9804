"""Services near a point, remote services and categories with nothing nearby."""

from __future__ import annotations

import pytest

from analysis.errors import AnalysisError
from analysis.geography import lookup_postcode
from analysis.ingest.load import load_directory
from analysis.model import DISTANCE_M
from analysis.provision.nearby import categories_without, remote_services, services_near
from analysis.taxonomy_file import load_taxonomy

HEADER = (
    "org_id,org_name,service_id,service_name,categories,delivery,postcode,area_served,"
    "contact_public,email,phone"
)
ROWS = (
    "a,Alpha,a1,Alpha Pantry,food,in person,BS8 1TH,at_location,yes,a@example.org,0117 1",
    "b,Beta,b1,Beta Advice,money_advice,in person,BS1 1AD,at_location,yes,,",
    "c,Gamma,c1,Gamma Line,mental_health,phone,,citywide,no,c@example.org,0117 3",
)


@pytest.fixture(scope="module")
def directory(bristol):
    data = "\n".join((HEADER, *ROWS)).encode()
    directory, _report = load_directory(
        data, filename="tiny.csv", area=bristol, taxonomy=load_taxonomy()
    )
    return directory


def test_services_near_measures_metres_in_british_national_grid(bristol, directory):
    here = lookup_postcode(bristol, "BS8 1TH")
    near = services_near(directory, here.easting, here.northing, 500)
    assert list(near["service_id"]) == ["a1"]
    assert near[DISTANCE_M].iloc[0] == pytest.approx(0, abs=1)
    far = services_near(directory, here.easting, here.northing, 10_000)
    assert list(far["service_id"]) == ["a1", "b1"]  # nearest first; no phone line
    other = lookup_postcode(bristol, "BS1 1AD")
    expected = ((here.easting - other.easting) ** 2 + (here.northing - other.northing) ** 2) ** 0.5
    assert far[DISTANCE_M].iloc[1] == pytest.approx(expected, abs=1)


def test_services_near_rejects_a_negative_radius(directory):
    with pytest.raises(AnalysisError, match="radius_m"):
        services_near(directory, 0, 0, -1)


def test_remote_services_are_citywide_phone_or_online(directory):
    assert list(remote_services(directory)["service_id"]) == ["c1"]


def test_categories_without_keeps_the_order_given(bristol, directory):
    here = lookup_postcode(bristol, "BS8 1TH")
    near = services_near(directory, here.easting, here.northing, 500)
    assert categories_without(near, ("money_advice", "food", "housing")) == (
        "money_advice",
        "housing",
    )


def test_remote_options_are_the_ones_the_metrics_count_as_remote():
    from analysis.provision.coverage import is_remote
    from tests.analysis.tiny import circle, citywide, make_area, make_directory

    area = make_area()
    rows = [
        circle(0.5, 0.5, 1000, "PHONE-VENUE", delivery=("phone",)),  # phone only, has an address
        citywide(area, "LINE", delivery=("phone", "in person")),
        circle(0.5, 0.5, 1000, "HALL", delivery=("in person", "phone")),
    ]
    directory = make_directory(rows)
    listed = set(remote_services(directory)["service_id"])
    assert listed == {"PHONE-VENUE", "LINE"}
    assert listed == set(directory.services["service_id"][is_remote(directory.services)])
