"""The floor of this stack: only the ward layer in st_folium, recoloured by one select box.

No analysis, no caches beyond the ward layer: what any Streamlit + st_folium page with the
same map costs. `benchmarks/bench_dashboard.py` runs it next to the app; run it by hand with
``.venv/bin/python -m streamlit run benchmarks/floor_app.py`` from the repository root (it
serves Leaflet from a ``static/`` folder beside this file, as the app does from
``dashboard/static/``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

from analysis.geography import load_area
from analysis.taxonomy_file import load_taxonomy
from dashboard.maps.base import ward_map
from dashboard.maps.offline import ensure_static_assets

# Colour-blind-safe, as the app's classes; the floor picks one per ward and choice.
PALETTE = ("#d7191c", "#fdae61", "#abd9e9", "#2c7bb6", "#ffffbf")


@st.cache_resource
def _wards():
    return load_area().wards


@st.cache_resource
def _categories() -> dict[str, str]:
    taxonomy = load_taxonomy()
    return {category: taxonomy.get(category).label for category in taxonomy.ids()}


def _fill(code: str, choice: str) -> str:
    digest = hashlib.sha256(f"{code}/{choice}".encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _recoloured(choice: str) -> folium.Map:
    m = ward_map(_wards())
    for child in m._children.values():
        if isinstance(child, folium.GeoJson):
            child.style_function = lambda feature: {
                "color": "#1f3b57",
                "weight": 1.5,
                "fillColor": _fill(feature["properties"]["ward_code"], choice),
                "fillOpacity": 0.7,
            }  # folium maps features to styles when the map renders
    return m


st.set_page_config(page_title="Floor", layout="wide")
ensure_static_assets(Path(__file__).parent / "static")
labels = _categories()
choice = st.selectbox("Category", list(labels), format_func=labels.get, key="floor_category")
st_folium(
    _recoloured(choice), key="floor_map", height=600, use_container_width=True, returned_objects=[]
)
