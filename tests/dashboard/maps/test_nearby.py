"""The postcode page's map: escaped popups, the distance circle, clustering, palette colours."""

from __future__ import annotations

import pandas as pd
import shapely

from analysis import settings
from analysis.geography import PostcodeLocation, load_area, lookup_postcode
from analysis.ingest.load import load_directory
from analysis.model import (
    CATEGORIES,
    DISTANCE_M,
    LAST_UPDATED,
    LAST_VERIFIED,
    LOCATION,
    ORG_NAME,
    SERVICE_NAME,
)
from analysis.outputs.palette import BLUE, VERMILLION
from analysis.provision.nearby import services_near
from analysis.taxonomy_file import load_taxonomy
from dashboard.maps.markers import STALE_CLASS, STALE_WORDS
from dashboard.maps.nearby import nearby_map, popup_html
from dashboard.maps.offline import external_references, standalone_html
from tests.analysis.tiny import make_taxonomy

# A point in Bristol: 358000 E, 173000 N is about 51.458 N, 2.604 W.
PLACE = PostcodeLocation("BS1 1AA", "W1", "Ward", "Z1", 51.4584, -2.6040, 358000.0, 173000.0)


def _near(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            SERVICE_NAME: [f"Service {i}" for i in range(n)],
            ORG_NAME: [None] * n,
            CATEGORIES: [("food",)] * n,
            DISTANCE_M: [10.0 * i for i in range(n)],
            LOCATION: [shapely.Point(358000 + 10 * i, 173000) for i in range(n)],
        }
    )


def test_user_text_in_popups_is_escaped():
    area, taxonomy = load_area(), load_taxonomy()
    data = (
        b"org_id,org_name,service_id,service_name,categories,delivery,postcode,area_served\n"
        b"x,<script>alert(1)</script>,x1,<b>Bold</b> Kitchen `${alert(2)}`,food,in person,"
        b"BS8 1TH,at_location\n"
    )
    directory, _ = load_directory(data, filename="x.csv", area=area, taxonomy=taxonomy)
    place = lookup_postcode(area, "BS8 1TH")
    near = services_near(directory, place.easting, place.northing, 1000)
    page = nearby_map(place, 1000, near, taxonomy, wards_gdf=area.wards).get_root().render()
    assert "Clifton" in page  # ward names drawn under the circle
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "<b>Bold</b>" not in page
    assert "${alert(2)}" not in page and "`${" not in page


def test_popup_names_the_service_organisation_categories_and_distance():
    row = pd.Series(
        {
            SERVICE_NAME: "Pantry `x`",
            ORG_NAME: "A & B",
            CATEGORIES: ("food", "unknown"),
            DISTANCE_M: 1234.0,
        }
    )
    assert popup_html(row, make_taxonomy()) == (
        "<b>Pantry &#96;x&#96;</b><br>A &amp; B<br>Food, unknown<br>1.23 km away"
    )
    no_org = row.copy()
    no_org[ORG_NAME] = float("nan")
    assert popup_html(no_org, make_taxonomy()).split("<br>")[1] == ""


def test_map_draws_the_postcode_the_circle_and_each_service_offline():
    m = nearby_map(PLACE, 1500, _near(3), make_taxonomy())
    page = m.get_root().render()
    # The postcode is the one marker; each service a dot, as on the overview.
    assert page.count("L.marker(") == 1 and page.count("L.circleMarker(") == 3
    assert "Within 1.5 km of BS1 1AA" in page and "Your postcode: BS1 1AA" in page
    assert f'"color": "{BLUE}"' in page and f"background:{VERMILLION}" in page
    # The key names the postcode, a service and the distance (no hatched line: none old).
    assert "sn-place-legend" in page and "Your postcode" in page
    assert "A service (its venue)" in page and "Within 1.5 km" in page
    assert "out of date" not in page
    assert "markerClusterGroup" not in page
    assert external_references(standalone_html(m)) == []


def test_many_services_are_clustered_and_none_still_draws_the_circle():
    many = nearby_map(PLACE, 1000, _near(settings.CLUSTER_MARKERS_FROM), make_taxonomy())
    assert "markerClusterGroup" in many.get_root().render()
    empty = nearby_map(PLACE, 1000, _near(0), make_taxonomy()).get_root().render()
    assert "L.circle(" in empty and "L.circleMarker(" not in empty


def test_out_of_date_services_are_hatched_and_say_so():
    near = _near(3)
    near[LAST_UPDATED] = pd.to_datetime(["2026-11-01", "2025-01-01", None])
    near[LAST_VERIFIED] = pd.to_datetime([None, None, "2026-06-01T10:00:00"])
    page = (
        nearby_map(PLACE, 1000, near, make_taxonomy(), as_of=pd.Timestamp("2026-12-03"))
        .get_root()
        .render()
    )
    # Only the one whose last check (its source's date, 2025) is over a year old.
    assert page.count(f'class=\\"{STALE_CLASS}\\"') == 1
    assert page.count(STALE_WORDS.capitalize()) == 1
    assert "Service 1 (out of date" in page
    assert f"A service {STALE_WORDS}" in page  # the key says what the hatching means
    unjudged = nearby_map(PLACE, 1000, near, make_taxonomy()).get_root().render()
    assert STALE_CLASS not in unjudged


def test_a_service_marker_tooltip_is_escaped():
    from dashboard.maps.markers import ServicePoint, service_tip

    hostile = "<img src=x onerror=alert(1)> `${alert(2)}`"
    for stale in (False, True):
        tip = service_tip(ServicePoint(51.0, -2.0, hostile, stale))
        assert "<img" not in tip and "${" not in tip and "&lt;img" in tip
        assert (STALE_WORDS in tip) is stale
    assert service_tip(ServicePoint(51.0, -2.0, hostile, tip_html="<b>ok</b>")) == "<b>ok</b>"
