"""Real directories' categories through the command line: broad terms decide nothing, words
suggest, --accept-suggestions files, feed terms are read by their esd or Family Hubs id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.ingest.load import load_directory
from analysis.ingest.options import ImportOptions
from tests.analysis.ingest.helpers import AS_OF, TAXONOMY

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
GROUPS = REAL / "group_list_broad_terms.csv"
FEED = REAL / "council_feed_esd.json"


def _json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["validate", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def _categories(path: Path, bristol, **options) -> dict[str, tuple[str, ...]]:
    directory, _ = load_directory(
        path, area=bristol, taxonomy=TAXONOMY, as_of=AS_OF, options=ImportOptions(**options)
    )
    services = directory.services
    return dict(zip(services["service_name"], services["categories"], strict=True))


def test_broad_terms_of_a_group_list_file_nobody_under_money_advice(capsys, bristol):
    code = main(["validate", str(GROUPS)])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "categories of the 7 accepted services: 1 (14 %) by their own terms, 0 (0 %) by "
        "suggestion (0 accepted, 0 chosen in review), 6 (86 %) not at all\n"
    ) in out
    assert (
        "broad terms (they name no specific need, so decide no category): 'Support' (5 "
        "services), 'Advice' (4 services), 'Language' (1 service)\n"
    ) in out
    assert (
        "value 'Advice; Support': 'Advice', 'Support' are broad and name no specific need; "
        "suggested from what it says it does: food ('Food Bank' in the service name"
    ) in out
    categories = _categories(GROUPS, bristol)
    # Broad terms never decide a category: the church, the parish council, the chiropodist
    # and the language exchange are not money advice or interpreting.
    assert categories == {
        "St Mary's Church": (),
        "Parish Council": (),
        "Chiropody clinic": (),
        "Language exchange meetup": (),
        "Eastside Food Bank": (),
        "Money clinic": ("money_advice",),
        "Wren Hall": (),
    }


def test_suggestions_are_used_with_accept_suggestions(capsys, bristol):
    code, report = _json(capsys, str(GROUPS), "--accept-suggestions")
    assert code == 0
    shares = report["categorised"]
    assert {k: shares[k] for k in ("by_terms", "by_suggestion", "uncategorised")} == {
        "by_terms": 1,
        "by_suggestion": 3,
        "uncategorised": 3,
    }
    assert shares["percent"]["by_suggestion"] == 42.9
    review = {row["name"]: row for row in shares["review"]}
    assert review["Eastside Food Bank"]["suggested"] == {"food": ["Food Bank", "Emergency food"]}
    assert review["St Mary's Church"]["suggested"] == {}
    categories = _categories(GROUPS, bristol, accept_suggestions=True)
    assert categories["Eastside Food Bank"] == ("food",)
    assert categories["Chiropody clinic"] == ("physical_health",)
    assert categories["Language exchange meetup"] == ("befriending",)
    assert categories["St Mary's Church"] == categories["Parish Council"] == ()


def test_a_person_s_choices_replace_a_row_s_categories(bristol):
    categories = _categories(
        GROUPS, bristol, accept_suggestions=True, category_choices={6: ("food", "money_advice")}
    )
    assert categories["Eastside Food Bank"] == ("food", "money_advice")
    _, report = load_directory(
        GROUPS,
        area=bristol,
        taxonomy=TAXONOMY,
        as_of=AS_OF,
        options=ImportOptions(category_choices={2: ("befriending",)}),
    )
    assert (report.categories.by_choice, report.categories.uncategorised) == (1, 5)
    assert [p.code for p in report.problems if p.row == 2 and p.column == "Categories"] == [
        "chosen_category"
    ]


def test_a_council_feed_is_categorised_by_its_esd_and_family_hubs_ids(capsys, bristol):
    code, report = _json(capsys, str(FEED))
    assert code == 0
    assert report["categorised"]["by_terms"] == 6
    assert report["categorised"]["broad_terms"] == {
        "Advice": 2,
        "Community centres": 1,
        "Community": 1,
    }
    assert report["unmapped_categories"] == {}
    assert _categories(FEED, bristol) == {
        "Carers Cafe": ("carers",),  # esdServiceType:298, beside a broad 'Advice'
        "Welfare Benefits Drop-in": ("money_advice",),  # 190 in the esdServiceTypes vocabulary
        # A Family Hubs GUID: speech and language needs are SEND, not interpreting.
        "Talk Together": ("families",),
        "St Peter's Church": (),  # 'Advice' and esd 1149 'Community centres' are broad
        "Eastside Community Larder": (),  # 'Community' is broad: suggested, not filed
        "Listening Line": ("mental_health",),  # esd URI 1284, whatever the feed calls it
        "Heron Pantry": ("food",),  # an esd id newer than the map: by its name
        "Lantern Youth Club": ("families",),  # ORUK 3 taxonomy_term code 643
    }


@pytest.mark.parametrize("flag", [[], ["--accept-suggestions"]])
def test_the_feed_s_suggestion_waits_for_acceptance(capsys, flag, bristol):
    _, report = _json(capsys, str(FEED), *flag)
    larder = next(r for r in report["categorised"]["review"] if r["row"] == 5)
    assert larder["suggested"] == {"food": ["Community Larder", "groceries"]}
    assert larder["categories"] == (["food"] if flag else [])
