"""The data model's names: column constants, closed vocabularies and CRSs, in one place.

Every module refers to columns through these constants so that a rename happens once.
"""

from __future__ import annotations

from typing import Final, Literal

# Compute in British National Grid (metres); store and draw in WGS84 (degrees).
CRS_COMPUTE: Final = "EPSG:27700"
CRS_DISPLAY: Final = "EPSG:4326"

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
IMD_SOURCE_LSOA: Final = "imd_lsoa11_code"
IMD_MATCH: Final = "imd_match"

# IMD 2019 domains: short key -> label. Each gives columns rank_<key>, decile_<key>, need_<key>.
IMD_DOMAINS: Final[dict[str, str]] = {
    "imd": "Index of Multiple Deprivation (overall)",
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


# Postcodes.
POSTCODE: Final = "postcode"
EASTING: Final = "easting"
NORTHING: Final = "northing"
LAT: Final = "lat"
LON: Final = "lon"

# How a 2021 neighbourhood got its IMD 2019 values from the 2011 zones.
ImdMatch = Literal["code", "split", "merged", "boundary", "none"]

# Closed vocabularies of the Directory.
AreaServedKind = Literal["at_location", "radius_km", "wards", "citywide"]
DeliveryMode = Literal["in person", "phone", "online", "home delivery"]
OrganisationKind = Literal[
    "charity", "CIC", "mutual aid group", "faith group", "statutory", "other"
]
ProvisionClass = Literal["missing", "under-served", "adequate", "overlap"]
