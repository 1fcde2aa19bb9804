"""Settings: where the bundled data lives and every documented default, each with its reason.

Functions take these as the defaults of keyword arguments, so a caller can always pass
another value; the docs (`docs/analysis.md`, `docs/data-format.md`) quote them from here.
Values that differ between installations are read from the environment, named below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

# ---------------------------------------------------------------------------------------
# Bundled data
# ---------------------------------------------------------------------------------------

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
"""The project folder: bundled data sits in its ``data/`` folder."""

DATA_DIR: Final = REPO_ROOT / "data"
DEFAULT_AREA_PATH: Final = DATA_DIR / "reference" / "bristol"
"""Bristol's reference geography, built by ``make area`` from ``../shared/data/bristol``."""

TAXONOMY_PATH: Final = DATA_DIR / "taxonomy.csv"
"""The need categories, their synonyms, need indicators and catchments."""

DEMO_SERVICES_PATH: Final = DATA_DIR / "sample" / "services.csv"
"""The fictional demo directory the dashboard opens on."""

TEMPLATE_DIR: Final = DATA_DIR / "templates"
"""The CSV and XLSX services templates."""

# ---------------------------------------------------------------------------------------
# Server (environment)
# ---------------------------------------------------------------------------------------

SERVER_ADDRESS: Final[str] = os.environ.get("SAFETYNET_ADDRESS", "127.0.0.1")
"""Address the dashboard listens on. Loopback by default, so a laptop running ``make run``
is not reachable from its network; set ``SAFETYNET_ADDRESS=0.0.0.0`` (or the server's own
address) to serve others, normally behind a reverse proxy that adds TLS."""

SERVER_PORT: Final[int] = 8501
"""Port of the dashboard: Streamlit's own default, so its documentation applies as is."""

AREA_ENV: Final = "SAFETYNET_AREA"
"""Environment variable naming the area folder the dashboard shows (default: bundled Bristol),
so one installation can serve another authority built with ``build-area``."""

PUBLIC_URL_ENV: Final = "SAFETYNET_PUBLIC_URL"
"""Environment variable holding the address people open the dashboard at (e.g.
``https://safetynet.example.org``), which invitation and reset links start with. Default:
``http://localhost:8501``, right for the embedded quick start."""


def public_url() -> str:
    """The dashboard's address for links sent to people (`PUBLIC_URL_ENV`)."""
    return os.environ.get(PUBLIC_URL_ENV, "").strip() or f"http://localhost:{SERVER_PORT}"


REFERENCE_DIR: Final = DATA_DIR / "reference"
"""Where built areas live: each folder in it holding the area files is offered in the
dashboard's sidebar when there are several."""

REFERENCE_ENV: Final = "SAFETYNET_REFERENCE"
"""Environment variable naming another folder of built areas (default: `REFERENCE_DIR`)."""

# ---------------------------------------------------------------------------------------
# Reference build
# ---------------------------------------------------------------------------------------

MIN_AUTHORITY_SHARE: Final = 0.5
"""A neighbourhood belongs to the authority when at least this share of its area lies in
the authority's wards: generalised boundaries overlap neighbours by slivers."""

IMD_PARENT_MIN_SHARE: Final = 0.10
"""A 2011 zone counts as a parent of a 2021 zone merged from several when it covers at
least this share of it; smaller overlaps are boundary slivers."""

# ---------------------------------------------------------------------------------------
# Need categories
# ---------------------------------------------------------------------------------------

NEED_UNIT_MAX_CHARS: Final = 80
"""Longest unit of need a taxonomy may give ("residents weighted by the barriers to housing
and services score" is 64): units are printed in legends, table headers and exports."""

# ---------------------------------------------------------------------------------------
# Ingest
# ---------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES: Final = 20 * 1024 * 1024
"""Largest services file read (20 MB): a city's directory as CSV is a few MB; the limit
keeps one upload from occupying the server. The dashboard's upload widget uses the same."""

GEOCODE_MARGIN_M: Final = 1000.0
"""A point this far outside the area's wards still counts as in the area (a service on the
boundary road), in metres; further out it is rejected as outside."""

GEOCODE_MISMATCH_M: Final = 1000.0
"""A postcode and coordinates on one row further apart than this, in metres, are reported
as disagreeing (one of them is probably wrong)."""

UNCATEGORISED_CATCHMENT_KM: Final = 1.5
"""Catchment of a service with no category: a 20-minute walk, the median of the
categories' own catchments."""

HEADER_FUZZY_CUTOFF: Final = 0.85
"""How close (difflib ratio) a column header must be to a synonym to be guessed as that
field: catches typos ("postocde") without matching unrelated words."""

PRINTED_PROBLEMS: Final = 50
"""Problems ``validate`` prints before summarising the rest (all are in ``--json``)."""

# ---------------------------------------------------------------------------------------
# Provision
# ---------------------------------------------------------------------------------------

UNDER_SERVED_BELOW: Final = 0.5
"""Relative provision below this is under-served: less than half the city's provision per
person in need."""

WELL_PROVIDED_FROM: Final = 2.0
"""Relative provision at or above this is well provided: twice the city's provision per
person in need."""

SMALL_NUMBERS_SERVICES: Final = 2.0
"""Fewer local services than this (but some): a ratio resting on one service, read with
care."""

SMALL_NUMBERS_POPULATION: Final = 1000.0
"""Fewer residents than this: a ratio over a small population, read with care."""

SMALL_NUMBERS_NEED: Final = 100.0
"""Fewer people in need than this: a ratio over a handful of people can be extreme
without meaning anything."""

UNCERTAIN_IMPUTED_SHARE: Final = 0.5
"""When more than this share of an area's supply comes from imputed capacities, its class
is uncertain (hatched on the map, flagged in tables)."""

DEFAULT_CAPACITY: Final = 50.0
"""Places per week an unknown capacity counts at when no service of its category states
one: a weekly session of a typical community service. Stated capacities, when any, decide
instead (their median)."""

DUPLICATE_MIN_JACCARD: Final = 0.5
"""Two local services of different organisations in one category are a duplicate pair when
at least half of the need they reach between them is reached by both (decay-weighted
Jaccard index, docs/analysis.md)."""

STALE_AFTER_MONTHS: Final = 12
"""A record not updated for this many months is stale: directories go out of date within
a year unless someone is asked (ALISS's experience)."""

STALE_WEIGHT: Final = 0.5
"""Weight of a stale record when stale records are down-weighted: half a service."""

REMINDER_MONTHS: Final = (10, 11, 12)
"""Months after a service was last checked at which its editors are asked to confirm it:
two reminders before it turns stale (`STALE_AFTER_MONTHS`) and one on the day, so a group
that meets monthly sees at least one in time."""

REPORTED_CLOSED_PEOPLE: Final = 2
"""How many different people must report a service closed before it is shown as
"reported closed" (until someone checks): one report may be a mistake or mischief."""

FEEDBACK_PER_HOUR: Final = 5
"""Reports one browser session may send in an hour: enough for a volunteer going through
a list, too few to flood a group's queue."""

FEEDBACK_TEXT_CHARS: Final = 1000
"""Longest text a member of the public may add to a report (a short paragraph)."""

FEEDBACK_PER_SERVICE_PER_DAY: Final = 20
"""Reports one service may receive in 24 hours from everyone together: a real closure
brings a handful; more is one person opening many browser sessions, and would bury the
group's queue under copies."""

FEEDBACK_KEY_ENV: Final = "SAFETYNET_FEEDBACK_KEY"
"""Environment variable holding the server key reporters are hashed with
(`analysis.store.feedback.reporter_key`). Unset, each server process makes a random key
when it starts, which is enough: a reporter is a browser session, and a session lives in
one server process. Set it (a long random text) to keep the same hashes across restarts."""

PARTNER_MIN_OVERLAP: Final = 0.5
"""Two services are similar when at least this share of the smaller one's residents are
also reached by the other (overlap coefficient)."""

ROBUSTNESS_CATCHMENT_FACTORS: Final = (0.5, 0.75, 1.0, 1.25, 1.5)
"""Catchment radii tried by the robustness check, as factors of the recorded radius."""

ROBUST_GAP_SHARE: Final = 0.8
"""A gap is robust when at least this share of the method's variants agree it is one."""

# ---------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------

DEFAULT_CATEGORY: Final = "food"
"""The category the overview opens on."""

DEFAULT_DISTANCE_KM: Final = 1.5
"""Distance searched around a postcode: about a 20-minute walk."""

MIN_DISTANCE_KM: Final = 0.5
MAX_DISTANCE_KM: Final = 10.0
"""Range of the postcode page's distance: a few streets to most of a city."""

CLUSTER_MARKERS_FROM: Final = 30
"""Service markers are clustered when a map shows at least this many."""

DISPLAY_SIMPLIFY_M: Final = 15.0
"""Tolerance of drawn ward boundaries, in metres: invisible at city zoom, a smaller map."""

MAP_CLASSES: Final = 5
"""Numeric classes above zero on a map: five quantile classes, as many as a sequential
palette keeps apart at a glance (and in greyscale)."""

# ---------------------------------------------------------------------------------------
# The Open Referral UK feed
# ---------------------------------------------------------------------------------------

OPENREFERRAL_DIR: Final = DATA_DIR / "openreferral"
"""Open Referral UK 3.0's OpenAPI document and the UK profile's patch to it, as published
(CC BY-SA 4.0; provenance in its README): the feed serves them, with its own address."""
