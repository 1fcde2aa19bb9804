"""Maps that draw with no internet: Leaflet comes from installed packages, never a CDN.

How streamlit-folium 0.27 loads a map
-------------------------------------
Read from its installed source (``streamlit_folium/__init__.py``) and the source map of its
built frontend (``frontend/build/static/js/main.*.js.map``):

- The frontend bundle is React plus streamlit-component-lib. It does **not** bundle Leaflet
  (``leaflet`` is only a TypeScript type import there), so Leaflet must come from the map.
- `st_folium` renders the map, then walks its element tree and collects the
  ``default_js`` and ``default_css`` URLs of every folium element (``JSCSSMixin``): the
  map's own, then each plugin's, in tree order, without duplicates. They go to the
  frontend as ``js_links`` and ``css_links``. From the header it sends, every
  ``<script src>`` and ``<link rel="stylesheet">`` is stripped; the rest is appended with
  ``innerHTML``, so an inline ``<style>`` there applies but an inline ``<script>`` never runs.
- The frontend adds one ``<script src>`` per js link, in order, awaiting each; a link that
  fails to load rejects the chain, so one unreachable CDN leaves the map blank. Then it adds
  the css links, the header, the map's HTML and last the map's script (the ``script``
  macros of the map and its children, in order).
- The component is an iframe served by the Streamlit server itself, at
  ``<base>/component/streamlit_folium.st_folium/index.html``: same origin as the app, so a
  root-relative URL such as ``/app/static/leaflet-1.9.3/leaflet.js`` reaches Streamlit's
  static file serving.

The approach
------------
Fix it at the source, per map: `offline_map` returns a `folium.Map` whose ``default_js`` and
``default_css`` are local URLs, and only what is used - Leaflet's script and stylesheet, not
folium's default jQuery, Bootstrap, awesome-markers and Font Awesome (nothing here uses
them); `add_marker_cluster` does the same for MarkerCluster. Both consumers then follow
without special cases: `st_folium` hands the local URLs to its iframe, and
``Figure.render()`` writes them into the page header.

`ensure_static_assets` copies those files out of the ``xstatic-*`` packages into
``dashboard/static/``, which Streamlit serves at ``/app/static/`` when
``server.enableStaticServing`` is on. Streamlit >= 1.56 sends them with their real content
types; earlier versions sent .js and .css as text/plain with ``nosniff``, which browsers
refuse to run. `standalone_html` renders the same map and swaps every local URL for the
file itself - scripts and stylesheets inline, images as ``data:`` URIs - so an exported file
needs neither a server nor the internet.

Not chosen: overriding ``folium.Map.default_js`` globally (changes every map in the
process, depends on import order and leaks into other pages); passing Leaflet to the
component as ``data:`` URIs (about 200 KB of component arguments on every rerun);
``folium_static`` (deprecated, returns nothing).

Leaflet's default marker icon finds its images from a CSS background URL, which fails while
the stylesheet is still loading (the component adds it just before running the map) and
when it is inlined; `offline_map` therefore sets the icon URLs explicitly, so a plain
`folium.Marker` never asks for a missing image.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import posixpath
import re
import shutil
import threading
from pathlib import Path

import folium
import folium.plugins
import xstatic.pkg.leaflet as xstatic_leaflet
import xstatic.pkg.leaflet_markercluster as xstatic_markercluster
from folium.elements import MacroElement
from folium.template import Template
from streamlit import config as st_config

from analysis.escape import content_security_meta, html_text
from analysis.outputs.export import DEMO_BANNER, ExportAbout

STATIC_ROUTE = "/app/static"
"""Where Streamlit serves the ``static/`` folder beside the main script."""

_LEAFLET = f"leaflet-{xstatic_leaflet.VERSION}"
_MARKERCLUSTER = f"leaflet.markercluster-{xstatic_markercluster.VERSION}"

LEAFLET_JS = f"{_LEAFLET}/leaflet.js"
LEAFLET_CSS = f"{_LEAFLET}/leaflet.css"
MARKER_ICONS = {
    "iconUrl": f"{_LEAFLET}/images/marker-icon.png",
    "iconRetinaUrl": f"{_LEAFLET}/images/marker-icon-2x.png",
    "shadowUrl": f"{_LEAFLET}/images/marker-shadow.png",
}
MARKERCLUSTER_JS = f"{_MARKERCLUSTER}/leaflet.markercluster.js"
MARKERCLUSTER_CSS = (
    f"{_MARKERCLUSTER}/MarkerCluster.css",
    f"{_MARKERCLUSTER}/MarkerCluster.Default.css",
)

# A local asset URL: any prefix (server.baseUrlPath), then the static route, then the path.
_LOCAL_URL = re.compile(
    r"(?:/[^\s\"'<>()]*)?" + re.escape(STATIC_ROUTE) + r"/(?P<rel>[^\s\"'<>()?#]+)"
)
_SCRIPT_SRC_TAG = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*([\"'])(?P<url>.*?)\1[^>]*>\s*</script\s*>", re.I | re.S
)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_QUOTED = re.compile(r"([\"'])(?P<url>[^\"'\s<>]*?" + re.escape(STATIC_ROUTE) + r"/[^\"'\s<>]+)\1")
_CSS_URL = re.compile(r"url\(\s*([\"']?)(?P<ref>[^\"')]*?)\1\s*\)", re.I)
_SOURCE_MAP = re.compile(r"^\s*(?://|/\*)[#@] sourceMappingURL=.*$", re.M)

_TAG = re.compile(r"<(?P<tag>[a-zA-Z][\w-]*)\b(?P<attrs>[^>]*)>")
_ATTR = re.compile(
    r"""\b(?P<name>src|href)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))""", re.I
)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?(?P<url>[^"')\s;]+)""", re.I)
_EXTERNAL = re.compile(r"^\s*(?:https?:|//)", re.I)
_REL_STYLESHEET = re.compile(r"""\brel\s*=\s*["']?stylesheet\b""", re.I)
_HREF = re.compile(r"""\bhref\s*=\s*(["'])(?P<url>.*?)\1""", re.I | re.S)

_INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(?P<body>.*?)</script\s*>", re.I | re.S
)
_HEAD_TAG = re.compile(r"<head\b[^>]*>", re.I)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_BODY_CLOSE = re.compile(r"</body\s*>", re.I)

_copy_lock = threading.Lock()


def asset_files() -> dict[str, Path]:
    """Every file the offline maps use.

    Returns
    -------
    dict
        Path under ``static/`` (POSIX, also the URL path after ``/app/static/``) -> the
        installed file it is copied from. The folder names carry the library version, so a
        browser never keeps an old copy after the package is upgraded.
    """
    leaflet = Path(xstatic_leaflet.BASE_DIR)
    cluster = Path(xstatic_markercluster.BASE_DIR)
    files = {LEAFLET_JS: leaflet / "leaflet.js", LEAFLET_CSS: leaflet / "leaflet.css"}
    for name in (
        "layers.png",
        "layers-2x.png",
        "marker-icon.png",
        "marker-icon-2x.png",
        "marker-shadow.png",
    ):
        files[f"{_LEAFLET}/images/{name}"] = leaflet / "images" / name
    files[MARKERCLUSTER_JS] = cluster / "leaflet.markercluster.js"
    for rel in MARKERCLUSTER_CSS:
        files[rel] = cluster / posixpath.basename(rel)
    return files


def ensure_static_assets(static_dir: Path) -> None:
    """Copy the files of `asset_files` into ``static_dir``, skipping those already current.

    A file is current when its copy has the source's size and modification time (copies
    keep the source's time), so a run that changes nothing costs one ``stat`` per file.
    Each copy is written beside its target and renamed into place, so a browser never
    reads half a file. Also registers the .js and .css content types, which Windows
    registries are known to map to text/plain; Streamlit guesses the type it sends from
    this table and marks it ``nosniff``, so a wrong entry would stop the script running.

    Parameters
    ----------
    static_dir
        The ``static/`` folder beside the app's main script (``dashboard/static``).

    Raises
    ------
    FileNotFoundError
        When an installed package lacks a file it should hold; the message names the
        package to reinstall.
    """
    mimetypes.add_type("text/javascript", ".js")
    mimetypes.add_type("text/css", ".css")
    with _copy_lock:
        for rel, source in asset_files().items():
            target = static_dir / rel
            try:
                stat = source.stat()
            except FileNotFoundError as error:
                raise FileNotFoundError(
                    f"{source} is missing, so the maps cannot draw offline. Fix: reinstall "
                    f"its package (pip install --force-reinstall xstatic-leaflet "
                    f"xstatic-leaflet-markercluster)."
                ) from error
            if _is_current_copy(target, stat):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}.part")
            shutil.copy2(source, partial)
            os.replace(partial, target)


def _is_current_copy(target: Path, source_stat: os.stat_result) -> bool:
    try:
        stat = target.stat()
    except FileNotFoundError:
        return False
    return stat.st_size == source_stat.st_size and stat.st_mtime_ns == source_stat.st_mtime_ns


def static_url_prefix() -> str:
    """The URL path at which Streamlit serves ``static/``.

    ``/app/static``, under ``server.baseUrlPath`` when the app is served below a path
    (e.g. behind a council's reverse proxy at ``/safety-net/``).
    """
    base = str(st_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{STATIC_ROUTE}" if base else STATIC_ROUTE


def _url(prefix: str, rel: str) -> str:
    return f"{prefix.rstrip('/')}/{rel}"


class _LocalMarkerIcons(MacroElement):
    """Point Leaflet's default marker icon at local images, before any marker is added."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = "";
            L.Icon.Default.mergeOptions({{ this.icon_urls|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, icon_urls: dict[str, str]):
        super().__init__()
        self._name = "LocalMarkerIcons"
        self.icon_urls = icon_urls


def offline_map(*, static_prefix: str | None = None, **folium_map_kwargs) -> folium.Map:
    """A `folium.Map` that loads Leaflet from the app's static files only.

    Parameters
    ----------
    static_prefix
        URL path of the static files; default `static_url_prefix`.
    **folium_map_kwargs
        Passed to `folium.Map`. ``tiles`` defaults to None: a basemap is opt-in, as it is
        fetched from the internet. ``min_zoom`` and ``max_zoom`` (default 18) also limit
        the map itself.

    Returns
    -------
    folium.Map
        With ``default_js``/``default_css`` set on this instance only (Leaflet's script and
        stylesheet) and the default marker icon pointed at local images. Export it with
        `standalone_html`; show it with ``st_folium``.
    """
    prefix = static_prefix or static_url_prefix()
    m = folium.Map(**{"tiles": None, **folium_map_kwargs})
    # folium gives min_zoom/max_zoom to the tile layer only; without one the map has no
    # maxZoom, which MarkerCluster needs.
    for option, default in (("min_zoom", None), ("max_zoom", 18)):
        value = folium_map_kwargs.get(option, default)
        if value is not None:
            m.options.setdefault(option, value)
    # Instance attributes: folium's own add_js_link would mutate the class-level lists.
    m.default_js = [("leaflet", _url(prefix, LEAFLET_JS))]
    m.default_css = [("leaflet_css", _url(prefix, LEAFLET_CSS))]
    _LocalMarkerIcons({key: _url(prefix, rel) for key, rel in MARKER_ICONS.items()}).add_to(m)
    return m


def add_marker_cluster(
    parent: folium.Map | folium.FeatureGroup,
    *,
    static_prefix: str | None = None,
    **marker_cluster_kwargs,
) -> folium.plugins.MarkerCluster:
    """Add a `folium.plugins.MarkerCluster` that loads its files from the app's static files.

    Parameters
    ----------
    parent
        The map (from `offline_map`) or layer to add the cluster to.
    static_prefix
        URL path of the static files; default `static_url_prefix`.
    **marker_cluster_kwargs
        Passed to `folium.plugins.MarkerCluster`.

    Returns
    -------
    folium.plugins.MarkerCluster
        Add markers to it as usual.
    """
    prefix = static_prefix or static_url_prefix()
    cluster = folium.plugins.MarkerCluster(**marker_cluster_kwargs)
    cluster.default_js = [("markerclusterjs", _url(prefix, MARKERCLUSTER_JS))]
    cluster.default_css = [
        (name, _url(prefix, rel))
        for name, rel in zip(
            ("markerclustercss", "markerclusterdefaultcss"), MARKERCLUSTER_CSS, strict=True
        )
    ]
    cluster.add_to(parent)
    return cluster


def standalone_html(m: folium.Map, about: ExportAbout | None = None) -> str:
    """The map as one self-contained HTML page that draws with no server and no internet.

    With ``about``, the page has a ``<title>``, a heading above the map (title, area,
    date, data source, the demo banner) and the reference data's licence lines below it.

    Every local script and stylesheet (see `offline_map`) is inlined, the images they or
    the map's script refer to become ``data:`` URIs, and source-map comments are dropped,
    so the page makes no request at all - except basemap tiles, when the map has them.

    Raises
    ------
    ValueError
        When something would still be fetched from elsewhere (a plugin added without its
        local files, say) or a local URL names a file that `asset_files` does not hold; the
        message lists the references.
    """
    files = asset_files()
    page = m.get_root().render()

    def inline_script(match: re.Match) -> str:
        rel = _local_rel(match["url"], files)
        if rel is None:
            return match[0]
        return f"<script>{_script_text(files[rel])}</script>"

    def inline_stylesheet(match: re.Match) -> str:
        tag = match[0]
        href = _HREF.search(tag)
        if href is None or not _REL_STYLESHEET.search(tag):
            return tag
        rel = _local_rel(href["url"], files)
        if rel is None:
            return tag
        return f"<style>{_style_text(rel, files)}</style>"

    def inline_url(match: re.Match) -> str:
        found = _LOCAL_URL.fullmatch(match["url"])
        if found is None or found["rel"] not in files:
            return match[0]
        quote = match[1]
        return f"{quote}{_data_uri(files[found['rel']])}{quote}"

    if about is not None:
        page = _with_about(page, about)
    page = _SCRIPT_SRC_TAG.sub(inline_script, page)
    page = _LINK_TAG.sub(inline_stylesheet, page)
    page = _QUOTED.sub(inline_url, page)
    external = external_references(page)
    page = _with_policy(page)
    if external:
        raise ValueError(
            "the exported map would load files from the internet: "
            + ", ".join(external)
            + ". Fix: build the map with dashboard.maps.offline.offline_map and add plugins with "
            "local files (add_marker_cluster), or add the plugin's files to asset_files()."
        )
    return page


_ABOUT_STYLE = (
    "<style>html,body{height:auto}.sn-about{font-family:system-ui,Arial,sans-serif;"
    "padding:.4rem .8rem}.sn-about h1{font-size:1.3rem;margin:.2rem 0}.sn-about p{margin:.2rem 0}"
    ".sn-demo{background:#b00020;color:#fff;font-weight:700;padding:.3rem .6rem}"
    ".sn-licence{font-size:.75rem;color:#555}.folium-map{height:75vh!important}</style>"
)


def _with_about(page: str, about: ExportAbout) -> str:
    """``page`` with a ``<title>``, the heading before its map and the licence after it.

    Every text is escaped with `html_text`; the heading is plain HTML, so the policy's
    script hashes are unchanged.
    """
    banner = f'<p class="sn-demo">{html_text(DEMO_BANNER)}</p>' if about.demo else ""
    facts = " · ".join(
        html_text(f"{label}: {text}")
        for label, text in (
            ("Area", about.area),
            ("Made on", about.made.isoformat()),
            ("Data source", about.source),
        )
    )
    heading = (
        f'<header class="sn-about">{banner}<h1>{html_text(about.title)}</h1><p>{facts}</p></header>'
    )
    licence = "".join(f"<p>{html_text(line)}</p>" for line in about.licence)
    footer = f'<footer class="sn-about sn-licence">{licence}</footer>'
    page = _HEAD_TAG.sub(
        lambda match: f"{match[0]}<title>{html_text(about.title)}</title>{_ABOUT_STYLE}",
        page,
        count=1,
    )
    page = _BODY_OPEN.sub(lambda match: match[0] + heading, page, count=1)
    return _BODY_CLOSE.sub(lambda match: footer + match[0], page, count=1)


def _with_policy(page: str) -> str:
    """``page`` with a Content-Security-Policy allowing its own inline scripts and nothing else.

    The policy is the first element of ``<head>``, so it applies before any script: an
    injected script, event handler or image request in the file does nothing.
    """
    scripts = [match["body"] for match in _INLINE_SCRIPT.finditer(page)]
    head = _HEAD_TAG.search(page)
    meta = content_security_meta(scripts=scripts)
    if head is None:
        return meta + page
    return page[: head.end()] + meta + page[head.end() :]


def _local_rel(url: str, files: dict[str, Path]) -> str | None:
    """The static path of a local asset URL; None for other URLs; error for unknown assets."""
    found = _LOCAL_URL.fullmatch(url.strip())
    if found is None:
        return None
    if found["rel"] not in files:
        raise ValueError(
            f"the map refers to {url}, which is not one of the offline assets "
            f"({', '.join(sorted(files))}). Fix: add it to dashboard.maps.offline.asset_files()."
        )
    return found["rel"]


def _script_text(path: Path) -> str:
    text = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    # "</script" (any case) would end the inline element early; "<\/" means the same in JS.
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.I)


def _style_text(rel: str, files: dict[str, Path]) -> str:
    """The stylesheet at ``rel`` with its relative url() references as data: URIs."""

    def embed(match: re.Match) -> str:
        ref = match["ref"].strip()
        if not ref or ref.startswith(("#", "data:")) or _EXTERNAL.match(ref):
            return match[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), ref))
        if target not in files:
            raise ValueError(
                f"{rel} refers to {ref}, which is not one of the offline assets. "
                f"Fix: add {target} to dashboard.maps.offline.asset_files()."
            )
        return f'url("{_data_uri(files[target])}")'

    text = _SOURCE_MAP.sub("", files[rel].read_text(encoding="utf-8"))
    text = _CSS_URL.sub(embed, text)
    return re.sub(r"</(style)", r"<\\/\1", text, flags=re.I)


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def external_references(html: str) -> list[str]:
    """The references in ``html`` that a browser would fetch from another host.

    Looks at ``src`` of any element, ``href`` of ``<link>`` elements, CSS ``@import`` and
    ``url(...)``, and keeps those starting with ``http:``, ``https:`` or ``//``
    (protocol-relative). Links a person follows (``<a href>``) are not fetched and not
    listed; neither are tile URLs inside scripts (a basemap is opt-in).

    Returns
    -------
    list of str
        In order of appearance, without duplicates.
    """
    found: list[str] = []
    for tag in _TAG.finditer(html):
        name = tag["tag"].lower()
        for attr in _ATTR.finditer(tag["attrs"]):
            if attr["name"].lower() == "href" and name != "link":
                continue
            found.append(attr["dq"] if attr["dq"] is not None else attr["sq"] or attr["bare"] or "")
    found.extend(match["url"] for match in _CSS_IMPORT.finditer(html))
    found.extend(match["ref"] for match in _CSS_URL.finditer(html))
    return list(dict.fromkeys(url.strip() for url in found if _EXTERNAL.match(url)))
