"""The view in the URL: every page, category, measure, ward, postcode and presentation flag.

A copied link reopens exactly the same view. Parsing never fails: an unknown value falls
back to the default and is reported, so a mistyped link still opens a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal

from analysis import settings

Page = Literal["overview", "ward", "postcode", "data"]
Measure = Literal[
    "class", "effective_providers", "accessibility_per_10k", "relative_provision", "need"
]

PAGES: Final[tuple[Page, ...]] = ("overview", "ward", "postcode", "data")
MEASURES: Final[dict[str, str]] = {
    "class": "Gap or overlap (class)",
    "effective_providers": "Effective providers",
    "accessibility_per_10k": "Accessibility per 10,000 residents",
    "relative_provision": "Relative provision (city = 1)",
    "need": "Need",
}


class StateKeys:
    """Names of the values kept in ``st.session_state`` (one place, no stray strings)."""

    UPLOAD = "upload"  # (Directory, Report, key) of this browser session's upload, if any
    UPLOAD_WIDGET = "upload_widget"
    CATEGORY = "category"
    MEASURE = "measure"
    WARD = "ward"
    POSTCODE = "postcode"
    DISTANCE = "distance_km"
    PRESENT = "present"
    SHOW_SERVICES = "show_services"


@dataclass(frozen=True)
class ViewState:
    """What the user is looking at; round-trips through the URL query string."""

    page: Page = "overview"
    category: str = settings.DEFAULT_CATEGORY
    measure: Measure = "class"
    ward: str = ""
    postcode: str = ""
    distance_km: float = settings.DEFAULT_DISTANCE_KM
    present: bool = False

    def with_(self, **changes) -> ViewState:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)


def from_query(
    params: Mapping[str, str | list[str]],
    *,
    categories: tuple[str, ...],
    wards: tuple[str, ...],
) -> tuple[ViewState, list[str]]:
    """Read a view from URL query parameters; return it and what was ignored, in words."""

    def get(name: str) -> str:
        value = params.get(name, "")
        return (value[-1] if isinstance(value, list) and value else value or "").strip()

    ignored: list[str] = []
    choices = {
        "page": (PAGES, True),
        "category": (categories, False),
        "measure": (tuple(MEASURES), True),
        "ward": (wards, False),
    }
    chosen: dict[str, str] = {}
    for name, (allowed, list_them) in choices.items():
        value = get(name)
        if value and value in allowed:
            chosen[name] = value
        elif value:
            known = f" ({name}s: {', '.join(allowed)})" if list_them else ""
            ignored.append(f"{name} '{value}'{known}")
    state = ViewState().with_(**chosen)
    if categories and state.category not in categories:
        state = state.with_(category=categories[0])
    state = state.with_(postcode=get("postcode")[:16])
    distance = get("km")
    if distance:
        try:
            km = float(distance)
            if not 0 < km <= settings.MAX_DISTANCE_KM:
                raise ValueError
            state = state.with_(distance_km=km)
        except ValueError:
            ignored.append(f"distance '{distance}' (0 to {settings.MAX_DISTANCE_KM:g} km)")
    state = state.with_(present=get("present").lower() in {"1", "true", "yes", "on"})
    return state, ignored


def to_query(state: ViewState) -> dict[str, str]:
    """The query parameters of ``state``; defaults are left out so links stay short."""
    query: dict[str, str] = {
        "page": state.page,
        "category": state.category,
        "measure": state.measure,
    }
    if state.ward:
        query["ward"] = state.ward
    if state.postcode:
        query["postcode"] = state.postcode
    if state.distance_km != settings.DEFAULT_DISTANCE_KM:
        query["km"] = f"{state.distance_km:g}"
    if state.present:
        query["present"] = "1"
    return query
