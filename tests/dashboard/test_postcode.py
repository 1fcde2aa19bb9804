"""Postcode page: normalised postcode, its ward, format and not-in-area errors, duplicates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely import Point
from streamlit.testing.v1 import AppTest

from analysis import settings
from analysis.directory import is_detail_public
from analysis.geography import load_area, lookup_district, lookup_postcode
from analysis.ingest.load import load_directory
from analysis.model import (
    CATEGORIES,
    CATEGORY,
    LOCATION,
    REASON,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    SERVICE_NAME,
)
from analysis.provision.nearby import remote_services, services_near
from analysis.provision.pipeline import Analysis
from analysis.settings import REPO_ROOT
from analysis.taxonomy_file import load_taxonomy
from dashboard.components.service_cards import CONTACT_LINKS
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")


def _postcode_app(postcode: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "postcode"
    at.query_params["postcode"] = postcode
    return at.run()


def _texts(at: AppTest) -> str:
    return " ".join(shown(m.value) for m in at.markdown)


def test_postcode_is_normalised_and_its_ward_shown():
    at = _postcode_app("bs81th")
    assert not at.exception
    assert "BS8 1TH" in _texts(at)
    assert "Ward: Central" in _texts(at)
    assert at.button(key="postcode_open_ward")
    assert at.query_params["postcode"] == "BS8 1TH"


def test_open_ward_button_goes_to_the_ward_page():
    at = _postcode_app("BS8 1TH")
    at.button(key="postcode_open_ward").click().run()
    assert at.query_params["page"] == "ward"
    assert at.query_params["ward"] == "E05010892"
    assert not at.exception


COMMAND_LINE_WORDS = ("--area", "build-area", "E06000023", "Fix:")


def _one_error(at: AppTest) -> str:
    assert not at.exception
    assert len(at.error) == 1
    message = shown(at.error[0].value)
    assert not any(word in message for word in COMMAND_LINE_WORDS), message
    return message


def test_malformed_postcode_says_what_to_type():
    message = _one_error(_postcode_app("XYZ"))
    assert message.startswith("'XYZ' does not look like a postcode. Type a postcode such as")
    assert "or just its first part" in message


def test_part_of_a_postcode_says_to_type_it_whole():
    message = _one_error(_postcode_app("BS5 6"))
    assert message.startswith("'BS5 6' is only part of a postcode")
    assert "(BS5)" in message


def test_unknown_postcode_says_it_was_not_found_here():
    message = _one_error(_postcode_app("BS1 6QU"))
    assert message.startswith("BS1 6QU was not found among the postcodes of Bristol:")
    assert "Check it for typos" in message


def test_postcode_of_another_area_names_the_districts_here():
    message = _one_error(_postcode_app("SW1A 1AA"))
    assert "in another area (not in Bristol)" in message
    assert "BS1–BS11" in message


def test_district_of_another_area_names_the_districts_here():
    message = _one_error(_postcode_app("SW1"))
    assert message.startswith("SW1 is not a postcode district of Bristol")


def test_a_district_is_placed_at_its_middle_and_called_approximate():
    at = _postcode_app("bs5")
    assert not at.exception
    assert "Postcode district: BS5" in _texts(at)
    assert any(
        shown(info.value).startswith(
            "BS5 is a postcode district: distances are from its middle, so approximate"
        )
        for info in at.info
    )
    assert at.query_params["postcode"] == "BS5"
    place = lookup_district(load_area(), "BS5")
    assert f"Ward: {place.ward_name}" in _texts(at)
    assert _card_titles(at)


def test_a_district_typed_is_kept_in_standard_form():
    at = _postcode_app("BS5 6HN")
    at.text_input(key="postcode").input("bs13").run()
    assert not at.exception
    assert at.text_input(key="postcode").value == "BS13"
    assert at.query_params["postcode"] == "BS13"
    assert "Postcode district: BS13" in _texts(at)


def test_empty_postcode_asks_for_one():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "postcode"
    at.run()
    assert not at.exception
    assert any("Type a postcode" in info.value for info in at.info)


DUPLICATE_COLUMNS = ["Category", "Service", "Same people as", "Need shared", "Why"]


def _duplicates_table(at: AppTest) -> pd.DataFrame:
    [table] = [df.value for df in at.dataframe if list(df.value.columns) == DUPLICATE_COLUMNS]
    return table


def test_duplicate_pairs_near_the_postcode_are_listed_with_their_reason():
    """Pairs whose two services both lie within the distance, and no other pair, each with
    the reason: how much of the need they reach is shared (and how far apart they are)."""
    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    place = lookup_postcode(area, "BS8 1TH")
    services = directory.services
    here = Point(place.easting, place.northing)
    distance = services[LOCATION].map(
        lambda venue: np.inf if venue is None or venue.is_empty else venue.distance(here)
    )
    near = set(services.loc[distance <= 500, SERVICE_ID])
    pairs = Analysis(directory, area, taxonomy).metrics().duplicates
    both = pairs[SERVICE_A].isin(near) & pairs[SERVICE_B].isin(near)
    one = pairs[SERVICE_A].isin(near) != pairs[SERVICE_B].isin(near)
    expected = pairs[both]
    assert len(expected) > 0 and one.any()  # some pairs to list, some to leave out
    names = dict(zip(services[SERVICE_ID], services[SERVICE_NAME], strict=True))
    labels = {category.id: category.label for category in taxonomy.categories}

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(page="postcode", postcode="BS8 1TH", km="0.5")
    at.run()
    assert not at.exception
    assert f"Duplicated effort within 0.5 km ({len(expected)} pairs)" in [
        shown(s.value) for s in at.subheader
    ]
    table = _duplicates_table(at)
    listed = sorted(
        zip(table["Category"], table["Service"], table["Same people as"], table["Why"], strict=True)
    )
    assert listed == sorted(
        zip(
            expected[CATEGORY].map(labels),
            expected[SERVICE_A].map(names),
            expected[SERVICE_B].map(names),
            expected[REASON],
            strict=True,
        )
    )
    for share, why in zip(table["Need shared"], table["Why"], strict=True):
        assert why.startswith(f"{share} of the need they reach is shared")
    assert table["Need shared"].str.rstrip("%").astype(int).is_monotonic_decreasing


def test_each_postcode_typed_is_searched_and_kept_in_the_link():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "postcode"
    at.run()
    for typed, postcode, ward in (
        ("bs56hn", "BS5 6HN", "Easton"),
        ("BS1 5TR", "BS1 5TR", "Hotwells and Harbourside"),
        ("bs13 7aa", "BS13 7AA", "Bedminster"),
    ):
        at.text_input(key="postcode").input(typed).run()
        assert not at.exception
        assert at.text_input(key="postcode").value == postcode
        assert at.query_params["postcode"] == postcode
        assert f"Ward: {ward}" in _texts(at)


def _demo_near(postcode: str, km: float) -> pd.DataFrame:
    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    place = lookup_postcode(area, postcode)
    near = services_near(directory, place.easting, place.northing, km * 1000)
    return near[~near[SERVICE_ID].isin(remote_services(directory)[SERVICE_ID])]


def _card_titles(at: AppTest) -> list[str]:
    """The services' names, card by card (a card starts with its name in bold)."""
    return [
        shown(m.value).removeprefix("**").split("**  \n")[0]
        for m in at.markdown
        if m.value.startswith("**") and "**  \n" in m.value
    ]


def test_services_are_cards_nearest_first_ten_at_a_time():
    near = _demo_near("BS5 6HN", settings.DEFAULT_DISTANCE_KM)
    assert len(near) > 20
    at = _postcode_app("BS5 6HN")
    assert not at.exception
    assert _card_titles(at) == list(near[SERVICE_NAME][:10])
    [more] = [b for b in at.button if b.label.startswith("Show more")]
    more.click().run()
    assert _card_titles(at) == list(near[SERVICE_NAME][:20])


def test_cards_of_the_help_chosen_come_first():
    near = _demo_near("BS5 6HN", settings.DEFAULT_DISTANCE_KM)
    wanted = "carers"
    chosen = near[CATEGORIES].map(lambda cats: wanted in cats)
    offering, others = near[chosen], near[~chosen]
    assert 0 < len(offering) < 10 and not chosen[:10].all()
    at = _postcode_app("BS5 6HN")
    at.multiselect(key="postcode_looking_for").set_value([wanted]).run()
    titles = _card_titles(at)
    assert titles == [*offering[SERVICE_NAME], *others[SERVICE_NAME]][:10]


def test_cards_link_only_public_contact_details():
    near = _demo_near("BS5 6HN", settings.DEFAULT_DISTANCE_KM)
    public = {
        target
        for _, row in near.iterrows()
        for column, _, target_of in CONTACT_LINKS
        if is_detail_public(row, column) and (target := target_of(row[column]))
    }

    def details(public: bool) -> set[str]:
        return {
            row[column]
            for _, row in near.iterrows()
            for column, _, _ in CONTACT_LINKS
            if row[column] and is_detail_public(row, column) == public
        }

    private = details(False) - details(True)  # an organisation's website may be both
    assert private  # the demo has details not marked public
    at = _postcode_app("BS5 6HN")
    urls = [button.proto.url for button in at.get("link_button")]
    assert any(url.startswith("tel:") for url in urls)
    assert any(url.startswith("mailto:") for url in urls)
    assert set(urls) <= public
    page_text = " ".join([*_texts(at).split(), *urls, *(shown(c.value) for c in at.caption)])
    assert not any(detail in page_text for detail in private)
