"""Maps draw with no internet: local Leaflet in the app, everything inlined in exports."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import pytest
import shapely
from streamlit import config as st_config

from dashboard.maps import offline
from dashboard.maps.base import ward_map
from dashboard.maps.offline import (
    add_marker_cluster,
    asset_files,
    ensure_static_assets,
    external_references,
    offline_map,
    standalone_html,
)

# An independent, deliberately blunt check: any src/href/url()/@import that starts with
# http:, https: or // - so a broken external_references cannot hide a CDN link.
RAW_EXTERNAL = re.compile(
    r"""(?:\bsrc\s*=\s*|<link\b[^>]*\bhref\s*=\s*|url\(\s*|@import\s+)["']?\s*(?:https?:)?//""",
    re.I,
)
LOCAL_URL = re.compile(
    r"""(?:src|href)\s*=\s*["']([^"']*/app/static/[^"']+)|"([^"]*/app/static/[^"]+)\""""
)


@pytest.fixture
def wards_gdf() -> gpd.GeoDataFrame:
    """Three 1 km squares in British National Grid near Bristol; one name tries to inject HTML."""
    return gpd.GeoDataFrame(
        {
            "ward_code": ["E05000001", "E05000002", "E05000003"],
            "ward_name": ["Ashley", "<img src=x onerror=alert(1)> & Co", "Windmill Hill"],
        },
        geometry=[
            shapely.box(357000, 172000, 358000, 173000),
            shapely.box(358000, 172000, 359000, 173000),
            shapely.box(357000, 173000, 358000, 174000),
        ],
        crs="EPSG:27700",
    )


def _with_marker_and_cluster(m: folium.Map) -> folium.Map:
    folium.Marker([51.45, -2.6], tooltip="a default-icon marker").add_to(m)
    cluster = add_marker_cluster(m)
    folium.Marker([51.46, -2.59]).add_to(cluster)
    folium.Marker([51.461, -2.591]).add_to(cluster)
    return m


def test_in_app_map_references_only_local_files(wards_gdf):
    page = _with_marker_and_cluster(ward_map(wards_gdf)).get_root().render()
    assert external_references(page) == []
    assert RAW_EXTERNAL.search(page) is None
    srcs = re.findall(r'<script src="([^"]+)"', page)
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert srcs == [
        f"/app/static/{offline.LEAFLET_JS}",
        f"/app/static/{offline.MARKERCLUSTER_JS}",
    ]
    assert hrefs[0] == f"/app/static/{offline.LEAFLET_CSS}"
    assert len(hrefs) == 3


def test_offline_map_loads_leaflet_only_and_leaves_folium_defaults_alone():
    page = offline_map(location=[51.45, -2.6]).get_root().render()
    for unused in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "glyphicons"):
        assert unused not in page.lower()
    assert "tile_layer" not in page  # no basemap unless asked
    assert folium.Map.default_js[0][1].startswith("https://")  # class untouched
    assert folium.plugins.MarkerCluster.default_js[0][1].startswith("https://")


def test_standalone_html_inlines_everything(wards_gdf):
    page = standalone_html(_with_marker_and_cluster(ward_map(wards_gdf)))
    assert external_references(page) == []
    assert RAW_EXTERNAL.search(page) is None
    assert re.search(r"<script[^>]*\bsrc\s*=", page) is None
    assert re.search(r"<link\b", page) is None
    assert "/app/static/" not in page
    assert "sourceMappingURL" not in page
    assert "url(images/" not in page and "url(data:image/png;base64," not in page
    assert 'url("data:image/png;base64,' in page  # Leaflet's layer and marker images
    assert "L.MarkerClusterGroup" in page  # the plugin itself is inlined
    assert "data:image/png;base64," in page.split("L.Icon.Default.mergeOptions(", 1)[1][:200]


def test_standalone_html_follows_a_base_url_path(wards_gdf):
    m = ward_map(wards_gdf)
    m.default_js = [("leaflet", f"/safety-net/app/static/{offline.LEAFLET_JS}")]
    page = standalone_html(m)
    assert "/app/static/" not in page
    assert external_references(page) == []


def test_static_url_prefix_follows_server_base_url_path():
    assert offline.static_url_prefix() == "/app/static"
    st_config.set_option("server.baseUrlPath", "/safety-net/")
    try:
        assert offline.static_url_prefix() == "/safety-net/app/static"
        page = offline_map().get_root().render()
        assert f'<script src="/safety-net/app/static/{offline.LEAFLET_JS}">' in page
    finally:
        st_config.set_option("server.baseUrlPath", "")


def test_standalone_html_refuses_a_plugin_from_a_cdn():
    m = offline_map(location=[51.45, -2.6])
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(
        ValueError, match=r"(?i)would load files from the internet: https://.*fullscreen"
    ):
        standalone_html(m)


def test_standalone_html_refuses_an_unknown_local_file():
    m = offline_map(location=[51.45, -2.6])
    m.default_js = [*m.default_js, ("extra", "/app/static/nowhere/extra.js")]
    with pytest.raises(ValueError, match=r"/app/static/nowhere/extra.js, which is not one of"):
        standalone_html(m)


@pytest.mark.parametrize(
    "planted",
    [
        '<script src="https://cdn.example.org/leaflet.js"></script>',
        "<script type='text/javascript' src='http://cdn.example.org/a.js'></script>",
        "<script src=//cdn.example.org/a.js></script>",
        '<link rel="stylesheet" href="//cdn.example.org/a.css"/>',
        '<link href="HTTPS://cdn.example.org/a.css" rel="stylesheet">',
        '<style>@import "https://fonts.example.org/css";</style>',
        "<style>@import url(//fonts.example.org/css);</style>",
        "<style>.a { background: url('https://tiles.example.org/a.png') }</style>",
        '<div style="background-image: url(http://tiles.example.org/a.png)"></div>',
        '<img src="https://tiles.example.org/a.png">',
    ],
)
def test_external_references_finds_planted_references(planted):
    page = f"<html><head></head><body>{planted}</body></html>"
    found = external_references(page)
    assert len(found) == 1 and "example.org" in found[0]
    assert RAW_EXTERNAL.search(page) is not None


def test_external_references_ignores_local_data_and_followed_links():
    page = (
        '<script src="/app/static/leaflet-1.9.3/leaflet.js"></script>'
        '<link rel="stylesheet" href="leaflet.css"/>'
        "<style>.a{behavior:url(#default#VML)} .b{background:url(images/layers.png)}"
        ' .c{background:url("data:image/png;base64,AAAA")}</style>'
        '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
        '<script>var tiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";</script>'
    )
    assert external_references(page) == []


def test_ensure_static_assets_copies_every_file_the_map_points_at(tmp_path, wards_gdf):
    static_dir = tmp_path / "static"
    ensure_static_assets(static_dir)
    page = _with_marker_and_cluster(ward_map(wards_gdf)).get_root().render()
    urls = {a or b for a, b in LOCAL_URL.findall(page)}
    assert len(urls) >= 7  # leaflet js+css, 3 marker images, cluster js+2 css
    for url in urls:
        rel = url.split("/app/static/", 1)[1]
        assert (static_dir / rel).is_file(), url
    for rel, source in asset_files().items():
        assert (static_dir / rel).read_bytes() == source.read_bytes()
    # Leaflet's stylesheet refers to its images relative to itself; they are there too.
    css = static_dir / offline.LEAFLET_CSS
    for ref in re.findall(r"url\((images/[^)]+)\)", css.read_text(encoding="utf-8")):
        assert (css.parent / ref).is_file(), ref


def test_ensure_static_assets_is_idempotent_and_repairs_changed_files(tmp_path, monkeypatch):
    static_dir = tmp_path / "static"
    ensure_static_assets(static_dir)
    copied: list[Path] = []
    real_copy = offline.shutil.copy2
    monkeypatch.setattr(
        offline.shutil, "copy2", lambda src, dst: copied.append(Path(src)) or real_copy(src, dst)
    )
    ensure_static_assets(static_dir)
    assert copied == []
    target = static_dir / offline.LEAFLET_JS
    target.write_text("// edited by hand", encoding="utf-8")
    ensure_static_assets(static_dir)
    assert copied == [asset_files()[offline.LEAFLET_JS]]
    assert target.read_bytes() == asset_files()[offline.LEAFLET_JS].read_bytes()
    assert not list(static_dir.rglob("*.part"))


class OfflinePage:
    """A Chromium page that aborts every request not to a file: URL and records what it saw."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.attempted: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.attempted.append(request.url))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        self.page.route(lambda url: not url.startswith("file:"), lambda route: route.abort())

    @property
    def off_page(self) -> list[str]:
        return [url for url in self.attempted if not url.startswith(("file:", "data:"))]


@pytest.mark.browser
def test_offline_page_sees_a_cdn_request(tmp_path, chromium):
    html_path = tmp_path / "cdn.html"
    html_path.write_text(
        '<script src="https://cdn.example.org/leaflet.js"></script>', encoding="utf-8"
    )
    offline_page = OfflinePage(chromium)
    try:
        offline_page.page.goto(html_path.as_uri())
    finally:
        offline_page.context.close()
    assert offline_page.off_page == ["https://cdn.example.org/leaflet.js"]
    assert offline_page.failed == ["https://cdn.example.org/leaflet.js"]


@pytest.mark.browser
def test_standalone_map_draws_in_a_browser_with_no_network(tmp_path, chromium, wards_gdf):
    html_path = tmp_path / "wards.html"
    html_path.write_text(
        standalone_html(_with_marker_and_cluster(ward_map(wards_gdf))), encoding="utf-8"
    )
    offline_page = OfflinePage(chromium)
    page = offline_page.page
    try:
        page.goto(html_path.as_uri())
        page.wait_for_selector("path.leaflet-interactive", timeout=10_000)
        assert page.locator("path.leaflet-interactive").count() == len(wards_gdf)
        labels = page.locator(".sn-ward-label")
        assert labels.count() == len(wards_gdf)
        assert "<img src=x onerror=alert(1)> & Co" in labels.all_inner_texts()
        assert page.locator(".sn-ward-label img").count() == 0
        marker_srcs = page.locator("img.leaflet-marker-icon").evaluate_all(
            "imgs => imgs.map(img => img.src)"
        )
        assert marker_srcs and all(src.startswith("data:image/png") for src in marker_srcs)
        page.locator(".marker-cluster", has_text="2").first.wait_for(timeout=5_000)  # it ran
        page.locator("path.leaflet-interactive").nth(1).hover()
        tooltip = page.locator(".foliumtooltip")
        tooltip.wait_for(timeout=5_000)
        assert "<img src=x onerror=alert(1)> & Co" in tooltip.inner_text()
        assert tooltip.locator("img").count() == 0
    finally:
        offline_page.context.close()
    assert offline_page.off_page == []
    assert offline_page.failed == []
    assert offline_page.errors == []
