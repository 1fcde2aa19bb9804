"""The view in the URL: page, category, measure, ward, postcode, distance, presentation flag,
the filters that choose which services count, the thresholds that classify provision, and
the area shown when several are built.

A copied link reopens exactly the same view, numbers included. Parsing never fails: an
unknown value falls back to the default and is reported, so a mistyped link still opens a
page. Every key this app keeps in ``st.session_state`` is named in `StateKeys`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, Literal, get_args

import pandas as pd

from analysis import settings
from analysis.errors import AnalysisError
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    DELIVERY_MODES,
    DUPLICATE_PAIRS,
    LOCAL_SERVICES,
    NEED,
    ORGANISATION_KINDS,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    STALE_HANDLING,
    DeliveryMode,
    Measure,
    OrganisationKind,
    StaleHandling,
)
from analysis.provision.filters import Filters
from analysis.provision.metrics import Thresholds

Page = Literal[
    "overview",
    "ward",
    "postcode",
    "changes",
    "data",
    "suggest",
    "account",
    "edit",
    "queue",
    "review",
    "admin",
]
PAGES: Final = get_args(Page)
(
    OVERVIEW,
    WARD_PAGE,
    POSTCODE_PAGE,
    CHANGES_PAGE,
    DATA_PAGE,
    SUGGEST_PAGE,
    ACCOUNT_PAGE,
    EDIT_PAGE,
    QUEUE_PAGE,
    REVIEW_PAGE,
    ADMIN_PAGE,
) = PAGES
ANALYSIS_PAGES: Final = (OVERVIEW, WARD_PAGE, POSTCODE_PAGE, CHANGES_PAGE, DATA_PAGE)
"""The pages about provision; the others keep the directory (each offered to whom may use
it)."""

MEASURES: Final[dict[Measure, str]] = {
    PROVISION_CLASS: "Provision (class)",
    RELATIVE_PROVISION: "Relative provision (1 = city average per person in need)",
    ACCESSIBILITY_PER_1000: "Places a week per 1,000 people in need",
    NEED: "People in need",
    LOCAL_SERVICES: "Local services reaching the ward",
    REMOTE_OPTIONS: "Phone, online and citywide options",
    DUPLICATE_PAIRS: "Duplicate pairs",
}
MEASURE_MEANINGS: Final[dict[Measure, str]] = {
    PROVISION_CLASS: "Whether local help reaches the ward, and how much per person in need "
    "compared with the city as a whole.",
    RELATIVE_PROVISION: "Local places per person in need, as a multiple of the city average: "
    "1 = average, 0.5 = half, 2 = twice.",
    ACCESSIBILITY_PER_1000: "Places a week that local services offer per 1,000 people in "
    "need; nearer services count more.",
    NEED: "How many people the category is for (its unit is in the table).",
    LOCAL_SERVICES: "Services in person or area-based that reach at least one of the "
    "ward's neighbourhoods.",
    REMOTE_OPTIONS: "Phone, online and citywide services: open to anyone, counted apart "
    "from local help.",
    DUPLICATE_PAIRS: "Pairs of local services of the category that reach mostly the same "
    "people in need: candidates for working together.",
}
DEFAULT_THRESHOLDS: Final = Thresholds()

# Query parameter of each threshold the sidebar sets (the small-numbers ones are fixed).
THRESHOLD_PARAMS: Final = {
    "under": "under_served_below",
    "well": "well_provided_from",
}
# Thresholds of the old method's "overlap" class: a link that still has them was made with
# other classes, so it cannot reproduce its numbers; it is told so rather than silently.
RETIRED_PARAMS: Final = {
    "providers": "the overlap class is gone",
    "rp": "the overlap class is gone; 'well' sets where well provided starts",
}
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
LIST_SEPARATOR: Final = ","


class StateKeys:
    """Every key the app keeps in ``st.session_state``: values and widget keys."""

    # Values.
    UPLOAD = "upload"  # DirectorySource of this browser session's upload, if any
    UPLOAD_CHECKED = "upload_checked"  # (key, UploadOutcome) of the last file checked
    SYNCED = "synced"  # widget key -> the URL value it last showed (`follow_url`)
    LAST_PAGE = "last_page"  # the page drawn last, to tell when the URL changed it
    LAST_AREA = "last_area"  # identity of the area drawn last, to tell when it changed
    UPLOADS_BY_AREA = "uploads_by_area"  # area identity -> the upload put away with it
    HANDLED_CLICK = "overview_click_handled"  # ward code of the last map click acted on
    VIEWER_RIGHTS = "viewer_rights"  # this rerun's viewer's Rights (who sees which contacts)
    SESSION_TOKEN = "session_token"  # the secret of this browser session's sign-in
    SIGNED_OUT_BECAUSE = "signed_out_because"  # why a sign-in ended, told once
    PROVIDER_SIGNED_OUT = "provider_signed_out"  # st.logout asked, until its cookie goes
    LINK_TOKEN = "link_token"  # (purpose, secret) of the invitation or reset link opened
    DONE_MESSAGE = "done_message"  # what the last form did, shown after its rerun
    # Widgets of the sidebar.
    NAV_PAGE = "nav_page"
    NAV_AREA = "nav_area"
    NAV_PRESENT = "nav_present"
    LEAVE_PRESENT = "leave_present"
    DELIVERY = "flt_delivery"
    ORG_KINDS = "flt_org_kinds"
    ACTIVE_TODAY = "flt_active"
    STALE = "flt_stale"
    UNDER_SERVED = "thr_under"
    WELL_PROVIDED = "thr_well"
    # Widgets of the pages.
    CATEGORY = "category"
    MEASURE = "measure"
    SHOW_SERVICES = "show_services"
    OVERVIEW_MAP = "overview_map"
    OVERVIEW_TABLE = "overview_table"
    OVERVIEW_EXPORT = "overview_export"
    WARD_CHOICE = "ward_choice"
    WARD_BACK = "ward_back"
    WARD_PROFILE_DOWNLOAD = "ward_profile_download"
    WARD_PARTNERS = "ward_partners"
    POSTCODE = "postcode"
    DISTANCE = "distance_km"
    GROUP_CATEGORIES = "postcode_group_categories"
    POSTCODE_OPEN_WARD = "postcode_open_ward"
    POSTCODE_MAP = "postcode_map"
    NEAR_SUMMARY = "near_summary"
    NEAR_REMOTE = "near_remote"
    NEAR_DUPLICATES = "near_duplicates"
    POSTCODE_PARTNERS = "postcode_partners"
    UPLOAD_WIDGET = "upload_widget"
    CHANGES_SINCE = "changes_since"
    CHANGES_UNTIL = "changes_until"
    CHANGES_MAP_THEN = "changes_map_then"
    CHANGES_MAP_NOW = "changes_map_now"
    CHANGES_WARDS = "changes_wards"
    CHANGES_SERVICES = "changes_services"
    CHANGES_EXPORT = "changes_export"
    USE_DIRECTORY = "data_use_directory"
    IMPORT_FORM = "data_import"  # + the upload's key: import into the directory
    IMPORT_DONE = "data_import_done"  # the last import's summary, shown after the rerun
    USE_UPLOAD = "data_use_upload"
    REJECTED_DOWNLOAD = "rejected"  # + the upload's key
    MAPPING_FORM = "mapping"  # + the upload's key
    MAPPING_FIELD = "map"  # + the upload's key and the template field
    DEFAULTS_FORM = "defaults"  # + the upload's key: "every row of this file is"
    DEFAULT_FIELD = "default"  # + the upload's key and the field
    ACCEPTED_DOWNLOAD = "accepted"  # + the upload's key
    NEAR_CATEGORY = "near"  # + the category id
    WARD_MAP = "ward_map"  # + ward, category and measure: a new map for each
    WARD_LEGEND = "ward_legend"
    WARD_ZONE_TABLE = "ward_zone_table"
    WARD_DECILES = "ward_deciles"
    WARD_PROVISION = "ward_provision"
    WARD_GAPS = "ward_gaps"
    WARD_DUPLICATES = "ward_duplicates"
    WARD_SERVICES = "ward_services"
    FRESHNESS_MAP = "freshness_map"
    FRESHNESS_SHOWN = "freshness_shown"
    REVIEW_WARDS = "review_wards"
    REVIEW_CATEGORIES = "review_categories"
    REVIEW_ONLY_STALE = "review_only_stale"
    REVIEW_LIST = "review_list"
    REVIEW_CELLS = "review_cells"
    REVIEW_DOWNLOAD = "review_download"


@dataclass(frozen=True)
class ViewState:
    """What the user is looking at; round-trips through the URL query string.

    The first seven fields say what is shown; ``delivery``, ``org_kinds``,
    ``active_today`` and ``stale`` choose which services count (`filters`),
    ``thresholds`` classifies provision, ``area`` names the area's folder when it is
    not the default one (""), and ``since`` and ``until`` are the two days the
    what-changed page compares (ISO dates; "" for its defaults).
    """

    page: Page = OVERVIEW
    category: str = settings.DEFAULT_CATEGORY
    measure: Measure = PROVISION_CLASS
    ward: str = ""
    postcode: str = ""
    distance_km: float = settings.DEFAULT_DISTANCE_KM
    present: bool = False
    delivery: tuple[DeliveryMode, ...] = ()
    org_kinds: tuple[OrganisationKind, ...] = ()
    active_today: bool = False
    stale: StaleHandling | None = None  # None: stale records count like any other
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    area: str = ""
    org: str = ""  # the organisation the edit page opens
    service: str = ""  # ... and its service ("new" for a new one)
    since: str = ""  # what changed from this day (YYYY-MM-DD); "" = the page's default
    until: str = ""  # ... to this day; "" = today

    def with_(self, **changes) -> ViewState:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)

    def filters(self, today: pd.Timestamp | None = None) -> Filters:
        """The analysis filters this view asks for, judged on ``today`` (default: today)."""
        day = (today or pd.Timestamp.today()).normalize()
        return Filters(
            delivery=self.delivery,
            org_kinds=self.org_kinds,
            active_on=day if self.active_today else None,
            stale_after_months=settings.STALE_AFTER_MONTHS if self.stale else None,
            stale=self.stale or STALE_HANDLING[0],
            # Always the day: the tables count the out-of-date services behind each figure.
            as_of=day,
        )


def _param(params: Mapping[str, str | list[str]], name: str) -> str:
    """The value of query parameter ``name`` (the last one when repeated), stripped."""
    value = params.get(name, "")
    return (value[-1] if isinstance(value, list) and value else value or "").strip()


def requested_area(params: Mapping[str, str | list[str]], areas: tuple[str, ...]) -> str:
    """The area key the URL asks for when it is one of ``areas``, else the first (default)."""
    value = _param(params, "area")
    return value if value in areas else areas[0]


def from_query(
    params: Mapping[str, str | list[str]],
    *,
    categories: tuple[str, ...],
    wards: tuple[str, ...],
    areas: tuple[str, ...] = (),
) -> tuple[ViewState, list[str]]:
    """Read a view from URL query parameters; return it and what was ignored, in words.

    ``areas`` are the keys of the areas offered, the default first; ``wards`` those of the
    area the URL asks for (`requested_area`).
    """

    def get(name: str) -> str:
        return _param(params, name)

    ignored: list[str] = []
    chosen: dict[str, object] = {}
    choices = {
        "page": (PAGES, True),
        "category": (categories, False),
        "measure": (tuple(MEASURES), True),
        "ward": (wards, False),
        "area": (areas, True),
    }
    for name, (allowed, list_them) in choices.items():
        value = get(name)
        if value and value in allowed:
            chosen[name] = value
        elif value:
            known = f" ({name}s: {', '.join(allowed)})" if list_them and allowed else ""
            ignored.append(f"{name} '{value}'{known}")
    if areas and chosen.get("area") == areas[0]:
        chosen["area"] = ""  # the default area: links stay short
    state = ViewState().with_(**chosen)
    if categories and state.category not in categories:
        state = state.with_(category=categories[0])
    state = state.with_(
        postcode=get("postcode")[:16],
        distance_km=_distance(get("km"), ignored),
        present=get("present").lower() in _TRUE,
        delivery=_terms(get("delivery"), DELIVERY_MODES, "delivery", ignored),
        org_kinds=_terms(get("kind"), ORGANISATION_KINDS, "kind", ignored),
        active_today=get("active").lower() in _TRUE,
        stale=_stale(get("stale"), ignored),
        thresholds=_thresholds(get, ignored),
        org=get("org")[:200],
        service=get("service")[:200],
        since=_day(get("since"), "since", ignored),
        until=_day(get("until"), "until", ignored),
    )
    ignored += [
        f"{param} '{get(param)}' (no longer used: {why})"
        for param, why in RETIRED_PARAMS.items()
        if get(param)
    ]
    return state, ignored


def _distance(text: str, ignored: list[str]) -> float:
    if not text:
        return settings.DEFAULT_DISTANCE_KM
    try:
        km = float(text)
    except ValueError:
        km = -1.0
    if 0 < km <= settings.MAX_DISTANCE_KM:
        return km
    ignored.append(f"distance '{text}' (0 to {settings.MAX_DISTANCE_KM:g} km)")
    return settings.DEFAULT_DISTANCE_KM


def _terms(text: str, allowed: tuple[str, ...], name: str, ignored: list[str]) -> tuple:
    terms = [term.strip() for term in text.split(LIST_SEPARATOR) if term.strip()]
    unknown = [term for term in terms if term not in allowed]
    if unknown:
        ignored.append(f"{name} '{', '.join(unknown)}' ({name}: {', '.join(allowed)})")
    return tuple(term for term in allowed if term in terms)


def _day(text: str, name: str, ignored: list[str]) -> str:
    """``text`` when it is a date written YYYY-MM-DD, else "" (and it is reported)."""
    if not text:
        return ""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        ignored.append(f"{name} '{text}' (a date, YYYY-MM-DD)")
        return ""
    return day.isoformat()


def _stale(text: str, ignored: list[str]) -> StaleHandling | None:
    if not text or text in STALE_HANDLING:
        return text or None
    ignored.append(f"stale '{text}' (stale: {', '.join(STALE_HANDLING)})")
    return None


def _thresholds(get: Callable[[str], str], ignored: list[str]) -> Thresholds:
    values: dict[str, float] = {}
    for param, field_name in THRESHOLD_PARAMS.items():
        text = get(param)
        if not text:
            continue
        try:
            values[field_name] = float(text)
        except ValueError:
            ignored.append(f"{param} '{text}' (a number)")
    try:
        return replace(DEFAULT_THRESHOLDS, **values)
    except AnalysisError as error:
        ignored.append(f"thresholds ({error})")
        return DEFAULT_THRESHOLDS


def to_query(state: ViewState) -> dict[str, str]:
    """The query parameters of ``state``; defaults are left out so links stay short."""
    query: dict[str, str] = {
        "page": state.page,
        "category": state.category,
        "measure": state.measure,
    }
    optional = {
        "area": state.area,
        "ward": state.ward,
        "postcode": state.postcode,
        "km": f"{state.distance_km:g}" if state.distance_km != settings.DEFAULT_DISTANCE_KM else "",
        "present": "1" if state.present else "",
        "delivery": LIST_SEPARATOR.join(state.delivery),
        "kind": LIST_SEPARATOR.join(state.org_kinds),
        "active": "1" if state.active_today else "",
        "stale": state.stale or "",
        "org": state.org,
        "service": state.service,
        "since": state.since,
        "until": state.until,
    }
    for param, field_name in THRESHOLD_PARAMS.items():
        value = getattr(state.thresholds, field_name)
        if value != getattr(DEFAULT_THRESHOLDS, field_name):
            optional[param] = f"{value:g}"
    query.update({name: value for name, value in optional.items() if value})
    return query
