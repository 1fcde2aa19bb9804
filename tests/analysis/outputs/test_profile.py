"""Ward profile: self-contained printable HTML with a map, user text escaped."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html.parser import HTMLParser

import pytest
import shapely
from shapely import box

from analysis.errors import AnalysisError
from analysis.model import IMD_OVERALL, MISSING, need_col
from analysis.outputs.palette import (
    CLASS_COLOURS,
    NONE_COLOUR,
    NONE_LABEL,
    SEQUENTIAL,
    classify_measure,
)
from analysis.outputs.profile import (
    OUTSIDE_FILL,
    PAGE_FILE,
    STYLE_FILE,
    fill_page,
    render_ward_profile,
    resolve_ward,
)
from analysis.provision.coverage import compute_coverage, services_in_ward
from analysis.provision.metrics import Thresholds, compute_metrics
from analysis.provision.robustness import assess_robustness
from analysis.settings import REPO_ROOT
from tests.analysis.tiny import citywide, make_area, make_directory, make_taxonomy, service

AREA = make_area()
TAXONOMY = make_taxonomy()
HOSTILE = "<script>alert('x')</script> & Sons"
DIRECTORY = make_directory(
    [
        service(
            "S1",
            box(0, 0, 2000, 1000),
            capacity=10,
            service_name=HOSTILE,
            location=shapely.Point(500, 500),
        ),
        citywide(AREA, "S2", categories=("befriending",)),
        service("S3", box(3000, 0, 4000, 1000), categories=("housing",)),
    ],
    organisations=[
        {"org_id": "A", "org_name": '"Quoted" <b>org</b>', "kind": "charity"},
    ],
)
COVERAGE = compute_coverage(DIRECTORY, AREA)


def render(ward_code="W1", **options):
    result = compute_metrics(COVERAGE, DIRECTORY, AREA, TAXONOMY, **options)
    return render_ward_profile(result, COVERAGE, DIRECTORY, AREA, TAXONOMY, ward_code=ward_code)


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
        "Gaps and overlaps",
        "Services reaching the ward",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "<h1>Ward W1</h1>" in page
    assert page.count("<svg") == 1
    assert "4,000 residents in 2 neighbourhoods · 2 services reach it" in page


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


def test_gaps_overlaps_and_services_follow_the_metrics():
    """In W1, food reaches everyone (S1) and befriending too (citywide S2); housing only
    reaches Z4 in W2, so W1's housing is missing."""
    page = render()
    gaps = page[page.index("<h3>Gaps</h3>") : page.index("<h3>Overlaps</h3>")]
    assert "<strong>Housing</strong>" in gaps
    assert "missing" in gaps
    assert "<strong>Food</strong>" not in gaps
    services = page[page.index("<h2>Services reaching the ward</h2>") :]
    assert services.count("<tr>") == 3  # header + S1 + S2; S3 does not reach W1
    assert "whole area" in services and "100%" in services
    overlap = render(thresholds=Thresholds(overlap_min_providers=1, overlap_min_rp=1.2))
    overlaps = overlap[overlap.index("<h3>Overlaps</h3>") : overlap.index("<footer>")]
    assert "<strong>Food</strong>" in overlaps


def test_gaps_say_how_robust_they_are_when_given_robustness():
    """Housing in W1 is missing under every variant: a gap in 100 % of them, rank 1 of 2."""
    result = compute_metrics(COVERAGE, DIRECTORY, AREA, TAXONOMY)
    robustness = assess_robustness(COVERAGE, DIRECTORY, AREA, TAXONOMY)
    page = render_ward_profile(
        result, COVERAGE, DIRECTORY, AREA, TAXONOMY, ward_code="W1", robustness=robustness
    )
    assert (
        '<strong>Housing</strong>: <span class="cls" '
        f'style="border-left-color:{CLASS_COLOURS[MISSING]}">missing</span>, '
        "relative provision 0.00, 0.0 effective providers; gap in 100% of the parameter "
        "variants, rank 1 of 2 (from 1 to 1)</li>"
    ) in page
    assert "parameter variants" not in render()


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
    """S1 reaches all of W1 (Z1, Z2) and S2 is citywide; S3 only reaches Z4 in W2."""
    reach = services_in_ward(COVERAGE, DIRECTORY, AREA, "W1")
    assert reach["service_id"].tolist() == ["S1", "S2"]  # equal shares: by name
    assert reach["share"].tolist() == [1.0, 1.0]
    assert reach["org_name"].tolist() == ['"Quoted" <b>org</b>', '"Quoted" <b>org</b>']
    assert services_in_ward(COVERAGE, DIRECTORY, AREA, "W2")["service_id"].tolist() == [
        "S2",
        "S3",
    ]
