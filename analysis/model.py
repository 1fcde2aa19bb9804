"""The data model's names, in one place: CRSs, every column, every closed vocabulary.

Every module refers to a column or a vocabulary term through these constants, so a rename
or a new term is a one-line change here. Each closed vocabulary is a ``Literal`` type (for
signatures) with its tuple of values from ``typing.get_args`` (for checks and menus).
`tests/test_vocabulary.py` fails when a column name or term is spelled as a string
literal anywhere else.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

# Compute in British National Grid (metres); store and draw in WGS84 (degrees).
CRS_COMPUTE: Final = "EPSG:27700"
CRS_DISPLAY: Final = "EPSG:4326"

# ---------------------------------------------------------------------------------------
# Reference geography
# ---------------------------------------------------------------------------------------

# Wards.
WARD_CODE: Final = "ward_code"
WARD_NAME: Final = "ward_name"

# Neighbourhoods (LSOA 2021 zones).
LSOA_CODE: Final = "lsoa_code"
LSOA_NAME: Final = "lsoa_name"
WARD_OVERLAP_SHARE: Final = "ward_overlap_share"
POPULATION: Final = "population"
POP_CHILDREN: Final = "pop_0_15"
POP_WORKING_AGE: Final = "pop_16_64"
POP_OLDER: Final = "pop_65_plus"
POPULATION_COLUMNS: Final = (POPULATION, POP_CHILDREN, POP_WORKING_AGE, POP_OLDER)
POP_ADULTS: Final = "pop_16_plus"
"""Residents aged 16 and over (population - pop_0_15); areas built before it lack it."""
IMD_SOURCE_LSOA: Final = "imd_lsoa11_code"
IMD_MATCH: Final = "imd_match"

# How a 2021 neighbourhood got its IMD 2019 values from the 2011 zones.
ImdMatch = Literal["code", "split", "merged", "boundary", "none"]
IMD_MATCHES: Final = get_args(ImdMatch)
IMD_BY_CODE, IMD_SPLIT, IMD_MERGED, IMD_BY_BOUNDARY, IMD_UNMATCHED = IMD_MATCHES

# IMD 2019 domains: short key -> label. Each gives columns rank_<key>, decile_<key>, need_<key>.
IMD_OVERALL: Final = "imd"
"""Key of the overall index (the other keys are its domains)."""
IMD_DOMAINS: Final[dict[str, str]] = {
    IMD_OVERALL: "Index of Multiple Deprivation (overall)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, skills and training",
    "health": "Health deprivation and disability",
    "crime": "Crime",
    "housing": "Barriers to housing and services",
    "living_environment": "Living environment",
}


def rank_col(domain: str) -> str:
    """Column holding the IMD 2019 rank of ``domain`` (1 = most deprived in England)."""
    return f"rank_{domain}"


def decile_col(domain: str) -> str:
    """Column holding the IMD 2019 decile of ``domain`` (1 = most deprived 10 %)."""
    return f"decile_{domain}"


def need_col(domain: str) -> str:
    """Column holding the 0-100 need score of ``domain`` (100 = most deprived)."""
    return f"need_{domain}"


# IoD 2019 rates: the share of a group of residents who are deprived (0-1), from the scores
# file (File 5 or 7, or a republication). Key -> who the share is of. Each gives rate_<key>.
IOD_RATES: Final[dict[str, str]] = {
    "income": "residents who are income-deprived",
    "employment": "residents aged 18-59 (women) or 18-64 (men) who are employment-deprived",
    "idaci": "children aged 0-15 living in income-deprived families",
    "idaopi": "residents aged 60 and over who are income-deprived",
}
# IMD 2019 domains with an index score but no rate: each gives weight_<key>, a 0-1 weight.
WEIGHT_DOMAINS: Final[dict[str, str]] = {
    key: label for key, label in IMD_DOMAINS.items() if key != IMD_OVERALL and key not in IOD_RATES
}


def rate_col(key: str) -> str:
    """Column holding the IoD 2019 rate ``key`` as a fraction (0-1) of its group."""
    return f"rate_{key}"


def weight_col(domain: str) -> str:
    """Column holding the 0-1 weight of ``domain`` (need score / 100; 1 = most deprived)."""
    return f"weight_{domain}"


# The kinds of neighbourhood column a need indicator multiplies (`analysis.taxonomy`).
HEAD_COUNT_COLUMNS: Final = (*POPULATION_COLUMNS, POP_ADULTS)
"""Counts of residents: a need in people has exactly one of them as a factor."""
RATE_COLUMNS: Final = tuple(rate_col(key) for key in IOD_RATES)
"""Shares (0-1) of a group who are deprived: a rate times a count is a count of people."""
WEIGHT_COLUMNS: Final = tuple(weight_col(domain) for domain in WEIGHT_DOMAINS)
"""0-1 index weights: a weight times a count is residents weighted by a score, not a head
count, and the need's unit must say so."""
NEED_SCORE_COLUMNS: Final = tuple(need_col(domain) for domain in IMD_DOMAINS)
"""0-100 scores: for maps and deciles, never a factor of need in people."""


# Postcodes.
POSTCODE: Final = "postcode"
EASTING: Final = "easting"
NORTHING: Final = "northing"
LAT: Final = "lat"
LON: Final = "lon"

# Columns of the raw tables read while building an area (`analysis.reference.sources`).
LSOA11_CODE: Final = "lsoa11_code"  # a 2011 neighbourhood, as IMD 2019 is published
LAD_CODE: Final = "lad_code"  # the local authority district (E06..., E07..., E08..., E09...)
POSITIONAL_QUALITY: Final = "quality"  # Code-Point Open's quality of a postcode's point

# ---------------------------------------------------------------------------------------
# The Directory (analysis.directory): organisations and services
# ---------------------------------------------------------------------------------------

AreaServedKind = Literal["at_location", "radius_km", "wards", "citywide"]
AREA_SERVED_KINDS: Final = get_args(AreaServedKind)
AT_LOCATION, RADIUS_KM, WARDS, CITYWIDE = AREA_SERVED_KINDS
CIRCLE_KINDS: Final = (AT_LOCATION, RADIUS_KM)
"""Areas served drawn as a circle around the service's location."""

DeliveryMode = Literal["in person", "phone", "online", "home delivery"]
DELIVERY_MODES: Final = get_args(DeliveryMode)
IN_PERSON, BY_PHONE, ONLINE, HOME_DELIVERY = DELIVERY_MODES
REMOTE_MODES: Final = (BY_PHONE, ONLINE)
"""Delivery that reaches people wherever they live."""

OrganisationKind = Literal[
    "charity", "CIC", "mutual aid group", "faith group", "statutory", "other"
]
ORGANISATION_KINDS: Final = get_args(OrganisationKind)
OTHER_KIND: Final = ORGANISATION_KINDS[-1]
# Each kind by name, for the words that mean it (analysis.ingest.cells); spelled out rather
# than unpacked so that a new kind in the Literal above needs no other line.
CHARITY_KIND: Final[OrganisationKind] = "charity"
CIC_KIND: Final[OrganisationKind] = "CIC"
MUTUAL_AID_KIND: Final[OrganisationKind] = "mutual aid group"
FAITH_GROUP_KIND: Final[OrganisationKind] = "faith group"
STATUTORY_KIND: Final[OrganisationKind] = "statutory"

# Organisation columns.
ORG_ID: Final = "org_id"
ORG_NAME: Final = "org_name"
ORG_KIND: Final = "kind"
CHARITY_NUMBER: Final = "charity_number"
WEBSITE: Final = "website"
EMAIL: Final = "email"
PHONE: Final = "phone"
DESCRIPTION: Final = "description"
LAST_UPDATED: Final = "last_updated"
CONTACT_PUBLIC: Final = "contact_public"  # the website's flag, and the others' default
EMAIL_PUBLIC: Final = "email_public"
PHONE_PUBLIC: Final = "phone_public"
DETAIL_PUBLIC: Final = {WEBSITE: CONTACT_PUBLIC, EMAIL: EMAIL_PUBLIC, PHONE: PHONE_PUBLIC}
"""Each contact detail -> the column saying whether it may be shown to the public."""
ORG_COLUMNS: Final = (
    ORG_ID,
    ORG_NAME,
    ORG_KIND,
    CHARITY_NUMBER,
    WEBSITE,
    EMAIL,
    PHONE,
    DESCRIPTION,
    LAST_UPDATED,
    CONTACT_PUBLIC,
    EMAIL_PUBLIC,
    PHONE_PUBLIC,
)

# Service columns.
SERVICE_ID: Final = "service_id"
SERVICE_NAME: Final = "service_name"
CATEGORIES: Final = "categories"  # tuple of category ids; () = uncategorised (flagged)
DELIVERY: Final = "delivery"  # tuple of DeliveryMode
AREA_KIND: Final = "area_kind"  # AreaServedKind
AREA_VALUE: Final = "area_value"  # as given: radius in km, ward codes/names, or ""
RADIUS_M: Final = "radius_m"  # catchment radius used for at_location / radius_km, else NaN
WARD_CODES: Final = "ward_codes"  # tuple of ward codes for `wards`, else ()
CAPACITY: Final = "capacity"  # places per week; NaN when unknown (imputed in the analysis)
AUDIENCE: Final = "audience"
ACTIVE_FROM: Final = "active_from"  # pandas Timestamp or NaT
ACTIVE_UNTIL: Final = "active_until"
LOCATION: Final = "location"  # Point in EPSG:27700 (the first venue), or None
LOCATIONS: Final = "locations"  # every venue: Point or MultiPoint in EPSG:27700, or None
FLAGS: Final = "flags"  # tuple of warning codes kept with an accepted row
SOURCE_ROW: Final = "source_row"  # row in its file as a spreadsheet shows it (header = 1)
SERVICE_COLUMNS: Final = (
    SERVICE_ID,
    ORG_ID,
    SERVICE_NAME,
    DESCRIPTION,
    CATEGORIES,
    DELIVERY,
    POSTCODE,
    AREA_KIND,
    AREA_VALUE,
    RADIUS_M,
    WARD_CODES,
    CAPACITY,
    AUDIENCE,
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    LAST_UPDATED,
    CONTACT_PUBLIC,
    EMAIL_PUBLIC,
    PHONE_PUBLIC,
    EMAIL,
    PHONE,
    WEBSITE,
    FLAGS,
    SOURCE_ROW,
    LOCATION,
    LOCATIONS,
)

# Columns only a Directory read from the store has: a file says nothing of them.
LAST_VERIFIED: Final = "last_verified"  # when a person last confirmed it (naive UTC), or NaT
REPORTED_CLOSED: Final = "reported_closed"  # the public reported it closed (analysis.store)
STORE_SERVICE_COLUMNS: Final = (LAST_VERIFIED, REPORTED_CLOSED)

# ---------------------------------------------------------------------------------------
# The template: the columns of a services file (analysis.ingest.fields describes each)
# ---------------------------------------------------------------------------------------
# Where a template field and a Directory column mean the same, they share one constant
# (ORG_ID, ORG_NAME, SERVICE_ID, ...); these are the fields spelled differently.

FieldGroup = Literal["organisation", "service"]
FIELD_GROUPS: Final = get_args(FieldGroup)
ORGANISATION_GROUP, SERVICE_GROUP = FIELD_GROUPS

FIELD_ORG_KIND: Final = "org_kind"
FIELD_ORG_DESCRIPTION: Final = "org_description"
FIELD_SERVICE_DESCRIPTION: Final = "service_description"
FIELD_LATITUDE: Final = "latitude"
FIELD_LONGITUDE: Final = "longitude"
FIELD_AREA_SERVED: Final = "area_served"
FIELD_SERVICE_EMAIL: Final = "service_email"
FIELD_SERVICE_PHONE: Final = "service_phone"
FIELD_SERVICE_WEBSITE: Final = "service_website"
FIELD_STATUS: Final = "status"
FIELD_PLACE_WARD: Final = "place_ward"
"""The ward a service's place stands in, as a file names it: checked against the ward its
location falls in, never taken as the area served."""
LIST_SEPARATOR: Final = "; "
"""How a cell lists several values (categories, delivery modes, wards), in templates and
exports alike."""
FIELD_OTHER_LOCATIONS: Final = "other_locations"
"""Open Referral UK only: a service's locations after its first, a tuple of
`analysis.ingest.cells.Place` (the first is in postcode, latitude and longitude)."""
NAME_FIELDS: Final = (ORG_NAME, SERVICE_NAME)
"""A file needs at least one of these: a row without a name is not a directory entry."""
CONTACT_FIELDS: Final = (
    WEBSITE,
    EMAIL,
    PHONE,
    FIELD_SERVICE_EMAIL,
    FIELD_SERVICE_PHONE,
    FIELD_SERVICE_WEBSITE,
)
"""Template fields holding contact details, withheld from reports when not public."""

# ---------------------------------------------------------------------------------------
# Ingest: formats and the import report
# ---------------------------------------------------------------------------------------

SourceFormat = Literal["csv", "xlsx", "oruk-json", "oruk-csv", "json"]
SOURCE_FORMATS: Final = get_args(SourceFormat)
CSV_FORMAT, XLSX_FORMAT, ORUK_JSON_FORMAT, ORUK_CSV_FORMAT, JSON_FORMAT = SOURCE_FORMATS
FormatChoice = Literal["auto", "template", "oruk"]
FORMAT_CHOICES: Final = get_args(FormatChoice)
AUTO_FORMAT, TEMPLATE_FORMAT, ORUK_FORMAT = FORMAT_CHOICES

Severity = Literal["error", "warning"]
SEVERITIES: Final = get_args(Severity)
ERROR, WARNING = SEVERITIES

# Columns of the import report's problems and of the rejected-rows file.
ROW: Final = "row"
COLUMN: Final = "column"
VALUE: Final = "value"
REASON: Final = "reason"
FIX: Final = "fix"
SEVERITY: Final = "severity"
PROBLEM_COLUMNS: Final = (ROW, COLUMN, VALUE, REASON, FIX, SEVERITY)
CODE: Final = "code"
"""The kind of a problem (``bad_postcode``…): in the JSON report and the service's flags."""

# ---------------------------------------------------------------------------------------
# Provision: coverage, metrics, robustness, partners, nearby
# ---------------------------------------------------------------------------------------

# Long-format coverage columns (`Coverage.to_frame`, `ward_coverage`).
SHARE: Final = "share"

Level = Literal["ward", "neighbourhood"]
LEVELS: Final = get_args(Level)
WARD_LEVEL, NEIGHBOURHOOD_LEVEL = LEVELS

ProvisionClass = Literal["no need", "missing", "under-served", "adequate", "well provided"]
PROVISION_CLASSES: Final = get_args(ProvisionClass)
NO_NEED, MISSING, UNDER_SERVED, ADEQUATE, WELL_PROVIDED = PROVISION_CLASSES
GAP_CLASSES: Final = (MISSING, UNDER_SERVED)

# Why a filter left a service out: the keys of `Selection.excluded`, in the order applied.
ExclusionReason = Literal[
    "category", "delivery", "audience", "not active", "organisation kind", "stale"
]
EXCLUSION_REASONS: Final = get_args(ExclusionReason)
(
    REASON_CATEGORY,
    REASON_DELIVERY,
    REASON_AUDIENCE,
    REASON_INACTIVE,
    REASON_ORG_KIND,
    REASON_STALE,
) = EXCLUSION_REASONS

# What need is counted in: the category's indicator (docs/taxonomy.md) or every resident.
NeedSource = Literal["indicator", "population"]
NEED_SOURCES: Final = get_args(NeedSource)
BY_INDICATOR, BY_POPULATION = NEED_SOURCES

StaleHandling = Literal["exclude", "down-weight"]
STALE_HANDLING: Final = get_args(StaleHandling)
EXCLUDE_STALE, DOWN_WEIGHT_STALE = STALE_HANDLING

# Columns of the area × category table.
AREA_CODE: Final = "area_code"
AREA_NAME: Final = "area_name"
CATEGORY: Final = "category"
NEED: Final = "need"  # people in need, in the category's need unit
NEED_UNIT: Final = "need_unit"
LOCAL_SERVICES: Final = "local_services"  # in person or area-based services reaching it
ORGANISATIONS: Final = "organisations"  # distinct organisations of those services
REMOTE_OPTIONS: Final = "remote_options"  # phone, online and citywide services reaching it
ACCESSIBILITY_PER_1000: Final = "accessibility_per_1000"  # places/week per 1,000 in need
RELATIVE_PROVISION: Final = "relative_provision"  # 1 = city average per person in need
IMPUTED_SHARE: Final = "imputed_share"  # share of the supply from imputed capacities
DUPLICATE_PAIRS: Final = "duplicate_pairs"  # duplicate pairs the area holds
STALE_SERVICES: Final = "stale_services"  # of the services counted, those out of date
REPORTED_CLOSED_SERVICES: Final = "reported_closed_services"  # those the public says closed
PROVISION_CLASS: Final = "class"
UNCERTAIN: Final = "uncertain"  # most of the supply is imputed: read the class with care
SMALL_NUMBERS: Final = "small_numbers"
TABLE_COLUMNS: Final = (
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    POPULATION,
    NEED,
    NEED_UNIT,
    LOCAL_SERVICES,
    ORGANISATIONS,
    REMOTE_OPTIONS,
    ACCESSIBILITY_PER_1000,
    RELATIVE_PROVISION,
    IMPUTED_SHARE,
    DUPLICATE_PAIRS,
    STALE_SERVICES,
    REPORTED_CLOSED_SERVICES,
    PROVISION_CLASS,
    UNCERTAIN,
    SMALL_NUMBERS,
)
# The measures a map can show: the class and the table's numeric columns.
Measure = Literal[
    "class",
    "accessibility_per_1000",
    "relative_provision",
    "need",
    "local_services",
    "remote_options",
    "duplicate_pairs",
]
MEASURE_COLUMNS: Final = get_args(Measure)
# The neighbourhood table adds the ward each neighbourhood is in, for drill-down.
NEIGHBOURHOOD_EXTRA: Final = (WARD_CODE,)

# Columns of the city table (`MetricsResult.city`), one row per category.
SUPPLY: Final = "supply"  # places per week reaching people in need

# Keys of `MetricsResult.service_counts`.
COUNT_SERVICES: Final = "services"
COUNT_USED: Final = "used"
COUNT_UNCATEGORISED: Final = "uncategorised"
COUNT_OTHER_CATEGORIES: Final = "other_categories_only"
COUNT_NO_COVERAGE: Final = "no_coverage"
COUNT_REMOTE: Final = "remote"
COUNT_IMPUTED: Final = "imputed"

# Columns of the robustness table.
GAP_SHARE: Final = "gap_share"  # share of method variants in which it is a gap
ROBUST: Final = "robust"  # a gap in at least 80 % of the variants
VARIANTS: Final = "variants"  # how many variants were run

# Partners: similar services (same category, same residents) and complementary ones.
PartnerRelation = Literal["similar", "complementary"]
PARTNER_RELATIONS: Final = get_args(PartnerRelation)
SIMILAR, COMPLEMENTARY = PARTNER_RELATIONS

# Columns of a partners table.
RELATION: Final = "relation"  # PartnerRelation
SHARED_CATEGORIES: Final = "shared_categories"
OTHER_CATEGORIES: Final = "other_categories"
PEOPLE_IN_COMMON: Final = "people_in_common"
OVERLAP_COEFFICIENT: Final = "overlap_coefficient"
PARTNER_COLUMNS: Final = (
    RELATION,
    SERVICE_ID,
    SERVICE_NAME,
    ORG_ID,
    ORG_NAME,
    CATEGORIES,
    SHARED_CATEGORIES,
    OTHER_CATEGORIES,
    PEOPLE_IN_COMMON,
    OVERLAP_COEFFICIENT,
    REASON,
)
# Columns of duplicate pairs (`analysis.provision.duplication`).
JACCARD: Final = "jaccard"  # shared need reached / need reached by either
NEED_IN_COMMON: Final = "need_in_common"
# Columns of `find_similar_pairs`.
SERVICE_A: Final = "service_a"
SERVICE_B: Final = "service_b"
PAIR_COLUMNS: Final = (
    SERVICE_A,
    SERVICE_B,
    SHARED_CATEGORIES,
    PEOPLE_IN_COMMON,
    OVERLAP_COEFFICIENT,
    REASON,
)

# Nearby services (`analysis.provision.nearby`).
DISTANCE_M: Final = "distance_m"
