"""Ward profile: self-contained printable HTML with a map, user text escaped."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html import unescape as html_unescape
from html.parser import HTMLParser

import pytest
import shapely
from shapely import box

from analysis.errors import AnalysisError
from analysis.model import IMD_OVERALL, MISSING, WELL_PROVIDED, need_col
from analysis.outputs.palette import (
    CLASS_COLOURS,
    NONE_COLOUR,
    NONE_LABEL,
    SEQUENTIAL,
    classify_measure,
)
from analysis.outputs.profile import (
    PAGE_FILE,
    STYLE_FILE,
    fill_page,
    render_ward_profile,
    resolve_ward,
)
from analysis.outputs.profile_map import OUTSIDE_FILL
from analysis.provision.coverage import compute_coverage
from analysis.provision.metrics import Thresholds, compute_metrics
from analysis.provision.robustness import Variants, assess_robustness
from analysis.provision.wards import services_in_ward
from analysis.settings import DEFAULT_CAPACITY, REPO_ROOT
from tests.analysis.tiny import citywide, make_area, make_directory, make_taxonomy, service

AREA = make_area()
TAXONOMY = make_taxonomy()
HOSTILE = "<script>alert('x')</script> & Sons"
HOSTILE_ORG = '"Quoted" <b>org</b>'
# W1 = Z1 + Z2 (4,000 residents), W2 = Z3 + Z4 (6,000). Food's need is the population.
# S1 and S4 serve the wards W1 lists (weight 1 on Z1 and Z2), run by two organisations:
# a duplicate pair held by W1. S2 is a citywide befriending line: a remote option only.
# S3 serves W2's housing.
ROWS = [
    service(
        "S1",
        box(0, 0, 2000, 1000),
        kind="wards",
        ward_codes=("W1",),
        capacity=10,
        service_name=HOSTILE,
        location=shapely.Point(500, 500),
    ),
    citywide(AREA, "S2", categories=("befriending",)),
    service(
        "S3", box(2000, 0, 4000, 1000), kind="wards", ward_codes=("W2",), categories=("housing",)
    ),
    service("S4", box(0, 0, 2000, 1000), kind="wards", ward_codes=("W1",), org_id="B", capacity=30),
]
ORGANISATIONS = [
    {"org_id": "A", "org_name": HOSTILE_ORG, "kind": "charity"},
    {"org_id": "B", "org_name": "Org B", "kind": "charity"},
]
DIRECTORY = make_directory(ROWS, organisations=ORGANISATIONS)
COVERAGE = compute_coverage(DIRECTORY, AREA, TAXONOMY)


def render(ward_code="W1", **options):
    result = compute_metrics(COVERAGE, DIRECTORY, AREA, TAXONOMY, **options)
    return render_ward_profile(result, COVERAGE, DIRECTORY, AREA, TAXONOMY, ward_code=ward_code)


def render_unknown_capacity(service_ids: set[str]) -> str:
    """W1's profile with the capacity of ``service_ids`` left blank (unknown)."""
    rows = [
        {**row, "capacity": float("nan")} if row["service_id"] in service_ids else row
        for row in ROWS
    ]
    directory = make_directory(rows, organisations=ORGANISATIONS)
    coverage = compute_coverage(directory, AREA, TAXONOMY)
    result = compute_metrics(coverage, directory, AREA, TAXONOMY)
    return render_ward_profile(result, coverage, directory, AREA, TAXONOMY, ward_code="W1")


class Tags(HTMLParser):
    """Collects tag names and attributes, to check for anything loaded from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_profile_has_every_section_and_a_map():
    page = render()
    for heading in (
        "Map",
        "Need profile",
        "Provision per category",
        "Gaps, good provision and duplication",
        "Services reaching the ward",
    ):
        assert f"<h2>{heading}</h2>" in page
    for heading in ("Gaps", "Well provided", "Duplicate pairs"):
        assert f"<h3>{heading}</h3>" in page
    assert "<h1>Ward W1</h1>" in page
    assert page.count("<svg") == 1
    assert "4,000 residents in 2 neighbourhoods · 3 services reach it" in page


def test_profile_is_self_contained():
    tags = Tags()
    tags.feed(render())
    names = {tag for tag, _ in tags.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attrs in tags.tags:
        assert "src" not in attrs and "href" not in attrs
        assert not any(k.startswith("on") for k in attrs)
    page = render()
    assert "@import" not in page and "url(" not in page
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"]


def test_user_text_is_escaped():
    page = render()
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons" in page
    assert "&quot;Quoted&quot; &lt;b&gt;org&lt;/b&gt;" in page
    assert "<b>org</b>" not in page
    # The duplicate pair names the hostile service too: escaped there as well.
    pairs = page[page.index("<h3>Duplicate pairs</h3>") : page.index("<h2>Services reaching")]
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons"
    assert f"<strong>Food</strong>: {escaped} and Service S4; " in pairs


def test_gaps_good_provision_and_services_follow_the_metrics():
    """In W1, food is reached by S1 and S4: 40 places / 4,000 people = 10 a week per 1,000.
    The city has the same 40 places for 10,000 people, 4 per 1,000: relative provision
    10 / 4 = 2.5, well provided (>= 2). Befriending has only the citywide line, a remote
    option: missing. Housing's only service is in W2: missing."""
    page = render()
    gaps = page[page.index("<h3>Gaps</h3>") : page.index("<h3>Well provided</h3>")]
    assert "<strong>Housing</strong>" in gaps and "<strong>Befriending</strong>" in gaps
    assert (
        "<strong>Befriending</strong>: "
        f'<span class="cls" style="border-left-color:{CLASS_COLOURS[MISSING]}">missing</span>, '
        "relative provision 0.00, 0 local services, 1 remote option</li>"
    ) in gaps
    assert "<strong>Food</strong>" not in gaps
    well = page[page.index("<h3>Well provided</h3>") : page.index("<h3>Duplicate pairs</h3>")]
    assert (
        "<strong>Food</strong>: "
        f'<span class="cls" style="border-left-color:{CLASS_COLOURS[WELL_PROVIDED]}">'
        "well provided</span>, relative provision 2.50, 2 local services, 0 remote options</li>"
    ) in well
    table = page[page.index("<h2>Provision per category</h2>") : page.index("<h2>Gaps")]
    # Food's row: need 4,000 residents, 2 local, 0 remote, out of date unknown (no day
    # given), 10.0 places per 1,000, RP 2.50.
    assert (
        "<td class=n>4,000<br><span class=small>residents</span></td><td class=n>2</td>"
        "<td class=n>0</td><td class=n>-</td><td class=n>10.0</td><td class=n>2.50</td>"
    ) in table
    pairs = page[page.index("<h3>Duplicate pairs</h3>") : page.index("<h2>Services reaching")]
    assert "Service S4; 100% of the need they reach is shared</li>" in pairs
    services = page[page.index("<h2>Services reaching the ward</h2>") :]
    assert services.count("<tr>") == 4  # header + S1 + S2 + S4; S3 does not reach W1
    assert "whole area" in services and "100%" in services
    # A higher bar for good provision: food is only adequate, the list is empty.
    strict = render(thresholds=Thresholds(well_provided_from=3))
    well = strict[strict.index("<h3>Well provided</h3>") : strict.index("<h3>Duplicate pairs</h3>")]
    assert "<strong>Food</strong>" not in well and "<p>None.</p>" in well
    assert "Relative provision of 3 or more (1 = city average per person in need)" in well


def test_every_number_shown_says_its_unit_and_meaning():
    page = render()
    for text in (
        "Need (unit under each figure)",
        "Places a week per 1,000 in need",
        "Relative provision (1 = city average per person in need)",
        "Share of the ward&#x27;s residents reached",
        "catchment factor 1 (× every recorded catchment radius)",
        "distance decay stepped (nearer neighbourhoods count more",
        "duplicate pairs from 50% of the need shared",
        "counted at their category's median capacity",
    ):
        assert html_unescape(text) in html_unescape(page), text
    for old in ("overlap", "effective provider", "per 10,000", "parameter variants"):
        assert old not in page.lower(), old


def test_uncertain_classes_say_how_much_supply_is_estimated():
    """S4's capacity unknown: it counts at food's only known capacity, S1's 10, so half of
    W1's food supply (10 of 20 places) is estimated: not above 50 %, not uncertain. With
    S1's capacity unknown as well there is no known food capacity: both count at the
    default and all of the supply is estimated."""
    page = render_unknown_capacity({"S4"})
    assert "uncertain:" not in page
    assert "1 with capacity unknown" in page
    page = render_unknown_capacity({"S1", "S4"})
    assert "(uncertain: 100% of the supply is estimated, capacity unknown)" in page
    assert (
        "2 with capacity unknown (counted at their category's median capacity, or "
        f"{DEFAULT_CAPACITY:g} places a week where it states none)"
    ) in page


def test_gaps_say_how_robust_they_are_when_given_robustness():
    """Housing in W1 has no local service under any variant: a gap in all of them."""
    variants = Variants()
    result = compute_metrics(COVERAGE, DIRECTORY, AREA, TAXONOMY)
    robustness = assess_robustness(COVERAGE, DIRECTORY, AREA, TAXONOMY, variants=variants)
    page = render_ward_profile(
        result, COVERAGE, DIRECTORY, AREA, TAXONOMY, ward_code="W1", robustness=robustness
    )
    assert (
        '<strong>Housing</strong>: <span class="cls" '
        f'style="border-left-color:{CLASS_COLOURS[MISSING]}">missing</span>, '
        "relative provision 0.00, 0 local services, 0 remote options; a gap in 100% of the "
        f"{variants.count} variants of the method (robust)</li>"
    ) in page
    assert "robust when at least 80% of them agree by default" in page
    assert "variants of the method" not in render()


def test_profile_needs_ward_level_metrics_of_a_known_ward():
    with pytest.raises(AnalysisError, match=r"needs ward-level metrics, not 'neighbourhood'"):
        render(level="neighbourhood")
    with pytest.raises(AnalysisError, match=r"ward 'W9' is not in the metrics table"):
        render("W9")


def test_resolve_ward_by_code_or_name(bristol):
    assert resolve_ward(bristol, "e05010885") == "E05010885"
    assert resolve_ward(bristol, "  ashley ") == "E05010885"
    assert resolve_ward(bristol, "Bishopsworth") == resolve_ward(bristol, "BISHOPSWORTH")
    with pytest.raises(
        AnalysisError,
        match=r"no ward of Bristol, City of has the code or name 'Ashly'\. Fix: did you mean "
        r"Ashley\? Otherwise give a ward code such as E05010885 or a ward name such as Ashley\.",
    ):
        resolve_ward(bristol, "Ashly")
    with pytest.raises(AnalysisError, match=r"has the code or name 'zzzz'\. Fix: give a ward"):
        resolve_ward(bristol, "zzzz")


def test_page_skeleton_and_stylesheet_are_package_data():
    """profile.html and profile.css ship with the package (pyproject.toml lists them)."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["analysis"]
    for name in (PAGE_FILE, STYLE_FILE):
        assert (REPO_ROOT / "analysis" / "outputs" / name).is_file()
        assert any(fnmatch.fnmatch(f"outputs/{name}", pattern) for pattern in patterns), name


def test_page_has_its_policy_stylesheet_and_one_body():
    page = render()
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    assert page.count('<meta http-equiv="Content-Security-Policy"') == 1
    assert "default-src &#x27;none&#x27;; script-src &#x27;none&#x27;" in page
    assert "<title>Ward profile: Ward W1</title>" in page
    assert "@page{size:A4;margin:15mm}" in page
    assert page.count("<body>") == 1 and page.endswith("</footer>\n</body>\n</html>\n")
    assert "${" not in page


def test_fill_page_places_the_parts_as_given():
    """The skeleton only places escaped parts: a ``$`` in a part stays, ``&amp;`` stays."""
    page = fill_page(ward_name="A &amp; B", sections="<p>$sections ${footer}</p>", footer="")
    assert "<title>Ward profile: A &amp; B</title>" in page
    assert "<p>$sections ${footer}</p>" in page


def test_map_and_class_badges_take_their_colours_from_the_palette():
    """Every tiny zone scores 50: one class, the middle scale colour, for the ward's zones."""
    page = render()
    need = classify_measure(AREA.neighbourhoods[need_col(IMD_OVERALL)], need_col(IMD_OVERALL))
    assert need.legend() == [(NONE_LABEL, NONE_COLOUR), ("0 to 50", SEQUENTIAL[2])]
    svg = page[page.index("<svg") : page.index("</svg>")]
    zone_fills = re.findall(r'<path d="[^"]*" fill="(#[0-9a-fA-F]{6})" stroke="#ffffff"', svg)
    assert sorted(set(zone_fills)) == sorted({SEQUENTIAL[2], OUTSIDE_FILL})
    assert (
        f'<span style="background:{NONE_COLOUR}"></span>none'
        f'<span style="background:{SEQUENTIAL[2]}"></span>0 to 50. Bold outline'
    ) in page
    badges = re.findall(r'<span class="cls" style="border-left-color:(#\w+)">([^<]*)</span>', page)
    assert badges and all(colour == CLASS_COLOURS[name] for colour, name in badges)


def test_services_in_ward_are_those_reaching_it_largest_share_first():
    """S1 and S4 serve all of W1 (Z1, Z2) and S2 is citywide; S3 only serves W2."""
    reach = services_in_ward(COVERAGE, DIRECTORY, AREA, "W1")
    # Equal shares: by name, and S1's name starts with "<", before "Service ...".
    assert reach["service_id"].tolist() == ["S1", "S2", "S4"]
    assert reach["share"].tolist() == [1.0, 1.0, 1.0]
    assert reach["org_name"].tolist() == [HOSTILE_ORG, HOSTILE_ORG, "Org B"]
    assert services_in_ward(COVERAGE, DIRECTORY, AREA, "W2")["service_id"].tolist() == [
        "S2",
        "S3",
    ]


def test_the_provision_table_counts_the_out_of_date_services_on_the_day_given():
    import pandas as pd

    page = render(as_of=pd.Timestamp("2026-12-03"))
    table = page[page.index("<h2>Provision per category</h2>") : page.index("<h2>Gaps")]
    # The tiny directory's services are dated 1 January 2025: out of date.
    assert "<td class=n>2</td><td class=n>0</td><td class=n>2</td><td class=n>10.0</td>" in table
    assert "Of those, out of date" in table


def test_the_profile_map_hatches_the_dots_of_out_of_date_services():
    import pandas as pd

    from analysis.outputs.profile_map import STALE_DOT, STALE_WORDS

    day = pd.Timestamp("2026-12-03")
    result = compute_metrics(COVERAGE, DIRECTORY, AREA, TAXONOMY, as_of=day)
    judged = render_ward_profile(
        result, COVERAGE, DIRECTORY, AREA, TAXONOMY, ward_code="W1", as_of=day
    )
    figure = judged[judged.index("<figure>") : judged.index("</figure>")]
    dots = figure.count("<circle")
    assert dots > 0
    # The tiny directory's services are dated 1 January 2025: every dot is hatched.
    assert figure.count(STALE_DOT) == dots
    assert f"({STALE_WORDS})</title>" in figure and f"hatched dots: {STALE_WORDS}" in figure
    plain = render()
    assert STALE_DOT not in plain and "hatched dots" not in plain


def test_the_first_page_sums_up_the_ward_and_names_who_to_talk_to_with_public_contacts():
    organisations = [
        {
            "org_id": "A",
            "org_name": HOSTILE_ORG,
            "kind": "charity",
            "phone": "0117 496 0000",
            "contact_public": False,
            "phone_public": True,
            "email": "private@a.example.org",
            "email_public": False,
        },
        {"org_id": "B", "org_name": "Org B", "kind": "charity", "website": "b.example.org"},
    ]
    directory = make_directory(ROWS, organisations=organisations)
    coverage = compute_coverage(directory, AREA, TAXONOMY)
    result = compute_metrics(coverage, directory, AREA, TAXONOMY)
    page = render_ward_profile(result, coverage, directory, AREA, TAXONOMY, ward_code="W1")
    summary = page[page.index("<h2>At a glance</h2>") : page.index("<h2>Map</h2>")]
    assert '<div class="page-break"></div>' in summary  # the full lists start a new page
    assert "need categories are gaps" in summary and "duplicate pairs" in summary
    talk = summary[summary.index("Who to talk to") :]
    assert "0117 496 0000" in talk  # its phone is public
    assert "private@a.example.org" not in page  # its email is not, anywhere
    assert "&lt;b&gt;org&lt;/b&gt;" in talk and "<b>org</b>" not in talk  # names escaped
    assert "Org B" in talk and ("b.example.org" in talk) is False  # its website's flag unset
