"""Fictional demo data: a deterministic directory of organisations and services in the template.

`generate_sample` makes about 400 organisations running 900 services across every need
category, at real postcodes of the area's own table, with a realistic texture:

- denser in the centre (postcodes weighted by distance from the postcodes' median point);
- some wards thin in some categories (four wards per category get almost nothing
  located there);
- a dozen citywide phone lines, some online services, ward lists and radii;
- duplicated effort: a few (ward, category) pairs where four groups do the same thing.

Everything is invented and says so: every organisation's description ends with
"(fictional demo data)"; names are made-up word pairs, statutory bodies are "Demo
Council" and "Demo NHS"; websites and emails use the reserved ``example.org`` domain;
phone numbers are in Ofcom's range for drama (0117 496 0000-0999); charity numbers start
with 99, above any number the Charity Commission has issued. The seed fixes the output:
the same seed, area and taxonomy give the same file, byte for byte.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from analysis.geography import AreaSet, load_area
from analysis.ingest.fields import TEMPLATE_COLUMNS
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_VALUE,
    AT_LOCATION,
    AUDIENCE,
    BY_PHONE,
    CAPACITY,
    CATEGORIES,
    CHARITY_KIND,
    CHARITY_NUMBER,
    CIC_KIND,
    CITYWIDE,
    CONTACT_PUBLIC,
    DELIVERY,
    EASTING,
    EMAIL,
    FAITH_GROUP_KIND,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_SERVICE_DESCRIPTION,
    HOME_DELIVERY,
    IN_PERSON,
    LAST_UPDATED,
    LAT,
    LIST_SEPARATOR,
    LON,
    MUTUAL_AID_KIND,
    NORTHING,
    ONLINE,
    ORG_ID,
    ORG_NAME,
    ORGANISATION_KINDS,
    OTHER_KIND,
    PHONE,
    POSTCODE,
    RADIUS_KM,
    SERVICE_ID,
    SERVICE_NAME,
    STATUTORY_KIND,
    WARD_CODE,
    WARD_NAME,
    WARDS,
    WEBSITE,
)
from analysis.settings import DEMO_SERVICES_PATH
from analysis.taxonomy import Taxonomy, load_taxonomy

SAMPLE_SEED: Final = 20261128
FICTIONAL_MARK: Final = "(fictional demo data)"
N_ORGANISATIONS: Final = 400
N_SERVICES: Final = 900
CITYWIDE_LINES: Final = 12
HOTSPOTS: Final = 8
HOTSPOT_SIZE: Final = 4
THIN_WARDS_PER_CATEGORY: Final = 4
# Postcode weight = exp(-distance / CENTRE_SCALE_M) + BACKGROUND_WEIGHT.
CENTRE_SCALE_M: Final = 2500.0
BACKGROUND_WEIGHT: Final = 0.1

_FIRST: Final = (
    "Willow", "Lantern", "Kingfisher", "Bluebell", "Harbour", "Cobble", "Heron", "Marigold",
    "Kite", "Orchard", "Meadow", "Ferry", "Rosehip", "Sparrow", "Hazel", "Beacon", "Tidewater",
    "Larkspur", "Juniper", "Copper", "Elmtree", "Foxglove", "Otter", "Puffin", "Thistle",
    "Wren", "Amber", "Bramble", "Clover", "Damson", "Ember", "Fennel", "Gorse", "Hollyhock",
    "Ivy", "Jasmine", "Kestrel", "Linnet", "Maple", "Nettle", "Oakapple", "Primrose",
    "Quayside", "Rowan", "Saffron", "Teasel", "Umber", "Vetch", "Wagtail", "Yarrow",
)  # fmt: skip
_SECOND: Final = (
    "Circle", "Collective", "Network", "Project", "Hub", "Friends", "Neighbours", "Trust",
    "Partnership", "Kitchen", "Pantry", "Link", "Café", "House", "Alliance", "Exchange",
    "Corner", "Together", "Works", "Lantern",
)  # fmt: skip
_FAITH: Final = ("Fellowship", "Faith Hub", "Interfaith Circle", "Chapel Friends")
_TEAMS: Final = (
    "Community Support Team", "Welfare Rights Team", "Family Help Team", "Wellbeing Team",
    "Neighbourhood Team", "Carers Team", "Housing Options Team", "Digital Team",
)  # fmt: skip
# Share of each organisation kind, in the order of ORGANISATION_KINDS.
_KIND_SHARE: Final = dict(
    zip(ORGANISATION_KINDS, (0.46, 0.12, 0.11, 0.12, 0.04, 0.15), strict=True)
)
_KIND_PHRASE: Final = {
    CHARITY_KIND: "Registered charity",
    CIC_KIND: "Community interest company",
    MUTUAL_AID_KIND: "Volunteer mutual aid group",
    FAITH_GROUP_KIND: "Faith community",
    STATUTORY_KIND: "Public service team",
    OTHER_KIND: "Community group",
}
# Relative frequency of each category as an organisation's focus.
_CATEGORY_SHARE: Final = {
    "food": 14, "prescriptions": 3, "befriending": 10, "mental_health": 10, "money_advice": 10,
    "employment": 5, "housing": 6, "domestic_abuse": 3, "digital": 5, "transport": 3,
    "carers": 4, "families": 11, "language": 4, "physical_health": 7, "practical_help": 5,
}  # fmt: skip
_SERVICE_NAMES: Final = {
    "food": ("Community Pantry", "Food Parcels", "Lunch Club", "Community Fridge",
             "Breakfast Club", "Community Meals"),
    "prescriptions": ("Prescription Collection", "Medicine Runs"),
    "befriending": ("Befriending Calls", "Coffee Morning", "Good Neighbours",
                    "Friendship Group"),
    "mental_health": ("Wellbeing Café", "Peer Support Group", "Listening Service",
                      "Bereavement Circle"),
    "money_advice": ("Money Advice", "Benefits Help", "Debt Drop-in", "Energy Bills Help"),
    "employment": ("Job Club", "CV Workshop", "Work Ready Course"),
    "housing": ("Housing Advice", "Tenancy Support", "Night Shelter"),
    "domestic_abuse": ("Safe Space Support", "Domestic Abuse Outreach"),
    "digital": ("Digital Drop-in", "Device Lending", "Get Online Sessions"),
    "transport": ("Community Transport", "Volunteer Drivers", "Hospital Lifts"),
    "carers": ("Carers Café", "Carers Support Group", "Young Carers Club"),
    "families": ("Stay and Play", "Youth Club", "Baby Bank", "Parents Group",
                 "Holiday Activities"),
    "language": ("English Conversation Club", "ESOL Classes", "Interpreting Help"),
    "physical_health": ("Walking Group", "Dementia Café", "Chair Exercise",
                        "Sight Loss Support"),
    "practical_help": ("Handyperson Scheme", "Garden Helpers", "Shopping Errands"),
}  # fmt: skip
_LINE_CATEGORIES: Final = (
    "befriending",
    "mental_health",
    "money_advice",
    "domestic_abuse",
    "carers",
)
_AUDIENCE: Final = {
    "befriending": ("older people", "people living alone"),
    "families": ("families with children under 5", "young people aged 11-18", "parents"),
    "carers": ("unpaid carers",),
    "language": ("speakers of other languages", "refugees and asylum seekers"),
    "prescriptions": ("older people", "housebound residents"),
    "transport": ("older and disabled people",),
    "employment": ("adults looking for work",),
}
_RHYTHM: Final = (
    "every Tuesday", "weekdays 10am to 2pm", "Saturday mornings", "by appointment",
    "once a month", "Monday and Thursday evenings", "every weekday",
)  # fmt: skip


def default_sample_path() -> Path:
    """Where the demo data lives: ``data/sample/services.csv``."""
    return DEMO_SERVICES_PATH


def generate_sample(
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    seed: int = SAMPLE_SEED,
    organisations: int = N_ORGANISATIONS,
    services: int = N_SERVICES,
) -> pd.DataFrame:
    """Generate the fictional demo directory as a table in the template's columns.

    Parameters
    ----------
    area
        Postcodes and wards to place services at (EPSG:27700 frames).
    taxonomy
        Need categories; every one gets services when ``services`` allows.
    seed
        Seed of the random generator; the output depends on nothing else.
    organisations, services
        How many of each.

    Returns
    -------
    pandas.DataFrame
        One row per service, columns `analysis.ingest.mapping.TEMPLATE_COLUMNS`, text cells.
    """
    rng = np.random.default_rng(seed)
    table = area.postcodes.reset_index(drop=True).sort_values(POSTCODE, ignore_index=True)
    wards = area.wards.sort_values(WARD_CODE).reset_index(drop=True)
    ward_names = dict(zip(wards[WARD_CODE], wards[WARD_NAME], strict=True))
    neighbours = _ward_neighbours(wards)
    xy = table[[EASTING, NORTHING]].to_numpy(dtype=float)
    centre = np.median(xy, axis=0)
    base_weight = np.exp(-np.hypot(*(xy - centre).T) / CENTRE_SCALE_M) + BACKGROUND_WEIGHT
    ward_of = table[WARD_CODE].to_numpy()

    ids = list(taxonomy.ids())
    share = np.array([_CATEGORY_SHARE.get(c, 5) for c in ids], dtype=float)
    share /= share.sum()
    thin = {
        c: set(rng.choice(wards[WARD_CODE], THIN_WARDS_PER_CATEGORY, replace=False).tolist())
        for c in ids
    }

    def pick_postcode(category: str, *, in_ward: str | None = None) -> int:
        weight = base_weight.copy()
        weight[np.isin(ward_of, list(thin[category]))] *= 0.02
        if in_ward is not None:
            weight = np.where(ward_of == in_ward, weight, 0.0)
        return int(rng.choice(len(table), p=weight / weight.sum()))

    orgs = _organisations(rng, organisations)
    counts = rng.choice(np.arange(1, 7), size=organisations, p=[0.42, 0.25, 0.15, 0.09, 0.05, 0.04])
    while counts.sum() > services:
        counts[rng.choice(np.flatnonzero(counts > 1))] -= 1
    while counts.sum() < services:
        counts[rng.integers(organisations)] += 1

    rows: list[dict[str, str]] = []
    used_service_ids: set[str] = set()
    for org, count in zip(orgs, counts, strict=True):
        focus = ids[int(rng.choice(len(ids), p=share))]
        home = pick_postcode(focus)
        for index in range(int(count)):
            category = focus if index == 0 else ids[int(rng.choice(len(ids), p=share))]
            categories = [category]
            if rng.random() < 0.22:
                extra = ids[int(rng.choice(len(ids), p=share))]
                if extra != category:
                    categories.append(extra)
            at = home if rng.random() < 0.7 and ward_of[home] not in thin[category] else None
            at = pick_postcode(category) if at is None else at
            rows.append(
                _service_row(
                    rng,
                    org,
                    categories,
                    at,
                    table,
                    ward_names,
                    neighbours,
                    thin,
                    taxonomy,
                    used_service_ids,
                )
            )

    # A dozen citywide phone lines.
    for position in rng.choice(len(rows), CITYWIDE_LINES, replace=False):
        row = rows[int(position)]
        category = _LINE_CATEGORIES[int(position) % len(_LINE_CATEGORIES)]
        row.update(
            {
                CATEGORIES: category,
                DELIVERY: BY_PHONE,
                POSTCODE: "",
                FIELD_LATITUDE: "",
                FIELD_LONGITUDE: "",
                FIELD_AREA_SERVED: CITYWIDE,
                AREA_VALUE: "",
                SERVICE_NAME: f"{row[ORG_NAME]} Phone Line",
                FIELD_SERVICE_DESCRIPTION: (
                    f"Free phone line {_RHYTHM[int(position) % len(_RHYTHM)]}."
                ),
            }
        )
    # Duplicated effort: four groups doing the same thing in one ward.
    taken = {i for i, row in enumerate(rows) if row[FIELD_AREA_SERVED] == CITYWIDE}
    for _ in range(HOTSPOTS):
        category = ids[int(rng.choice(len(ids), p=share))]
        ward = str(rng.choice(sorted(set(ward_names) - thin[category])))
        seen_orgs: set[str] = set()
        for position in rng.permutation(len(rows)):
            row = rows[int(position)]
            if int(position) in taken or row[ORG_ID] in seen_orgs:
                continue
            at = pick_postcode(category, in_ward=ward)
            row.update(
                {
                    CATEGORIES: category,
                    DELIVERY: IN_PERSON,
                    POSTCODE: str(table.at[at, POSTCODE]),
                    FIELD_LATITUDE: "",
                    FIELD_LONGITUDE: "",
                    FIELD_AREA_SERVED: AT_LOCATION,
                    AREA_VALUE: "",
                }
            )
            taken.add(int(position))
            seen_orgs.add(row[ORG_ID])
            if len(seen_orgs) == HOTSPOT_SIZE:
                break
    return pd.DataFrame(rows, columns=list(TEMPLATE_COLUMNS), dtype=str)


def write_sample(
    path: Path | str | None = None,
    *,
    area: AreaSet | None = None,
    taxonomy: Taxonomy | None = None,
    seed: int = SAMPLE_SEED,
) -> Path:
    """Generate the demo data and write it as UTF-8 CSV; return the path written."""
    out = default_sample_path() if path is None else Path(path)
    frame = generate_sample(
        load_area() if area is None else area,
        load_taxonomy() if taxonomy is None else taxonomy,
        seed=seed,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    return out


def _ward_neighbours(wards: pd.DataFrame) -> dict[str, list[str]]:
    geometries = list(wards.geometry)
    codes = list(wards[WARD_CODE])
    return {
        code: [
            other
            for other, other_geometry in zip(codes, geometries, strict=True)
            if other != code and geometry.buffer(50).intersects(other_geometry)
        ]
        for code, geometry in zip(codes, geometries, strict=True)
    }


def _organisations(rng: np.random.Generator, count: int) -> list[dict[str, str]]:
    pairs = [(a, b) for a in _FIRST for b in _SECOND if a != b]
    order = rng.permutation(len(pairs))
    kinds = rng.choice(len(ORGANISATION_KINDS), size=count, p=list(_KIND_SHARE.values()))
    charity_numbers = rng.choice(np.arange(9_900_000, 10_000_000), size=count, replace=False)
    orgs = []
    names: set[str] = set()
    cursor = 0
    for index in range(count):
        kind = ORGANISATION_KINDS[int(kinds[index])]
        while True:
            first, second = pairs[int(order[cursor % len(order)])]
            cursor += 1
            if kind == FAITH_GROUP_KIND:
                name = f"{first} {_FAITH[cursor % len(_FAITH)]}"
            elif kind == MUTUAL_AID_KIND:
                name = f"{first} {second} Mutual Aid"
            elif kind == STATUTORY_KIND:
                body = "Demo Council" if cursor % 3 else "Demo NHS"
                name = f"{body} {first} {_TEAMS[cursor % len(_TEAMS)]}"
            elif kind == CIC_KIND:
                name = f"{first} {second} CIC"
            else:
                name = f"{first} {second}"
            if name not in names:
                break
        names.add(name)
        slug = "-".join(name.lower().replace("é", "e").split())
        orgs.append(
            {
                ORG_ID: slug,
                ORG_NAME: name,
                FIELD_ORG_KIND: kind,
                CHARITY_NUMBER: str(charity_numbers[index]) if kind == CHARITY_KIND else "",
                WEBSITE: f"https://{slug}.example.org" if rng.random() < 0.8 else "",
                EMAIL: f"hello@{slug}.example.org" if rng.random() < 0.85 else "",
                PHONE: f"0117 496 0{int(rng.integers(1000)):03d}" if rng.random() < 0.75 else "",
                FIELD_ORG_DESCRIPTION: f"{_KIND_PHRASE[kind]}. {FICTIONAL_MARK}",
            }
        )
    return orgs


def _service_row(
    rng: np.random.Generator,
    org: dict[str, str],
    categories: list[str],
    at: int,
    table: pd.DataFrame,
    ward_names: dict[str, str],
    neighbours: dict[str, list[str]],
    thin: dict[str, set[str]],
    taxonomy: Taxonomy,
    used_ids: set[str],
) -> dict[str, str]:
    category = categories[0]
    name = str(rng.choice(_SERVICE_NAMES.get(category, ("Support",))))
    base_id = f"{org[ORG_ID]}--{'-'.join(name.lower().replace('é', 'e').split())}"
    service_id, number = base_id, 2
    while service_id in used_ids:
        service_id, number = f"{base_id}-{number}", number + 1
    used_ids.add(service_id)
    words = []
    for c in categories:
        # A third of category cells use a synonym, as real spreadsheets do.
        synonyms = taxonomy.get(c).synonyms
        words.append(str(rng.choice(synonyms)) if synonyms and rng.random() < 0.33 else c)
    postcode = str(table.at[at, POSTCODE])
    ward = str(table.at[at, WARD_CODE])
    latitude = longitude = ""
    if rng.random() < 0.1:
        latitude = f"{float(table.at[at, LAT]):.5f}"
        longitude = f"{float(table.at[at, LON]):.5f}"
        postcode = ""
    draw = rng.random()
    delivery, area_served, area_value = IN_PERSON, AT_LOCATION, ""
    if draw < 0.10:
        area_served, area_value = RADIUS_KM, str(rng.choice([1, 2, 3, 5]))
    elif draw < 0.25:
        area_served = WARDS
        pool = [w for w in neighbours.get(ward, []) if w not in thin[category]]
        chosen = [ward] + [str(w) for w in rng.permutation(pool)[: int(rng.integers(0, 3))]]
        area_value = LIST_SEPARATOR.join(ward_names[w] for w in chosen)
        delivery = str(rng.choice([IN_PERSON, HOME_DELIVERY, _listed(IN_PERSON, HOME_DELIVERY)]))
    elif draw < 0.33:
        delivery = str(
            rng.choice([_listed(IN_PERSON, BY_PHONE), HOME_DELIVERY, _listed(IN_PERSON, ONLINE)])
        )
    elif draw < 0.37:
        delivery, area_served = str(rng.choice([ONLINE, _listed(BY_PHONE, ONLINE)])), CITYWIDE
    start = date(2015, 1, 1) + timedelta(days=int(rng.integers(0, 4017)))
    until = date(2029, 3, 31) + timedelta(days=int(rng.integers(0, 700)))
    updated = date(2025, 6, 1) + timedelta(days=int(rng.integers(0, 517)))
    audience = _AUDIENCE.get(category, ("everyone", "adults"))
    return {
        **org,
        SERVICE_ID: service_id,
        SERVICE_NAME: name,
        FIELD_SERVICE_DESCRIPTION: f"{name} {rng.choice(_RHYTHM)}.",
        CATEGORIES: LIST_SEPARATOR.join(words),
        DELIVERY: delivery,
        POSTCODE: postcode,
        FIELD_LATITUDE: latitude,
        FIELD_LONGITUDE: longitude,
        FIELD_AREA_SERVED: area_served,
        AREA_VALUE: area_value,
        CAPACITY: str(int(rng.integers(2, 31)) * 5) if rng.random() < 0.6 else "",
        AUDIENCE: str(rng.choice(audience)),
        ACTIVE_FROM: start.isoformat() if rng.random() < 0.7 else "",
        ACTIVE_UNTIL: until.isoformat() if rng.random() < 0.08 else "",
        LAST_UPDATED: updated.isoformat(),
        CONTACT_PUBLIC: "yes" if rng.random() < 0.85 else "no",
    }


def _listed(*values: str) -> str:
    return LIST_SEPARATOR.join(values)
