"""Safety Net overview: the area's wards on a map that draws with no internet.

Run from the repository root (``make run``), so Streamlit reads ``.streamlit/config.toml``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from analysis.errors import SafetyNetError
from analysis.geography import AreaSet, default_area_path, load_area
from dashboard.components.ward_map import ward_map
from dashboard.offline import ensure_static_assets

STATIC_DIR = Path(__file__).parent / "static"


@st.cache_resource(show_spinner="Loading the area…")
def cached_area(path: Path) -> AreaSet:
    """The area set at ``path``, loaded once per server process."""
    return load_area(path)


def selected_ward_code(result: dict | None) -> str | None:
    """The ward code of the ward last clicked on the map, if any."""
    feature = (result or {}).get("last_active_drawing") or {}
    code = (feature.get("properties") or {}).get("ward_code")
    return code if isinstance(code, str) else None


def attribution_parts(text: str) -> tuple[str, str]:
    """Split ATTRIBUTION.md into the source statements (shown) and the licence text."""
    sources, _, licence = text.partition("\n---\n")
    lines = [line for line in sources.splitlines() if not line.startswith("#")]
    return "\n".join(lines).strip(), licence.strip()


st.set_page_config(page_title="Safety Net", layout="wide")
st.title("Safety Net")
st.write(
    "Who provides which kind of help where, so that gaps and overlaps in voluntary and "
    "community support show up ward by ward."
)

ensure_static_assets(STATIC_DIR)
try:
    area = cached_area(default_area_path())
except SafetyNetError as error:
    st.error(f"The area's reference data could not be loaded. {error}")
    st.stop()

st.subheader(area.name)
result = st_folium(
    ward_map(area.wards),
    key="overview_map",
    returned_objects=["last_active_drawing"],
    use_container_width=True,
    height=600,
)
code = selected_ward_code(result)
selected = f" Selected: {area.ward_names[code]} ({code})." if code in area.ward_names else ""
st.caption(f"{len(area.wards)} wards. Hover over a ward for its name and code.{selected}")

st.divider()
sources, licence = attribution_parts(area.attribution)
st.caption(sources)
if licence:
    with st.expander("Open Government Licence v3.0"):
        st.caption(licence)
