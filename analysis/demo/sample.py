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
_KINDS: Final = ("charity", "CIC", "mutual aid group", "faith group", "statutory", "other")
_KIND_SHARE: Final = (0.46, 0.12, 0.11, 0.12, 0.04, 0.15)
_KIND_PHRASE: Final = {
    "charity": "Registered charity",
    "CIC": "Community interest company",
    "mutual aid group": "Volunteer mutual aid group",
    "faith group": "Faith community",
    "statutory": "Public service team",
    "other": "Community group",
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
    table = area.postcodes.reset_index(drop=True).sort_values("postcode", ignore_index=True)
    wards = area.wards.sort_values("ward_code").reset_index(drop=True)
    ward_names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))
    neighbours = _ward_neighbours(wards)
    xy = table[["easting", "northing"]].to_numpy(dtype=float)
    centre = np.median(xy, axis=0)
    base_weight = np.exp(-np.hypot(*(xy - centre).T) / CENTRE_SCALE_M) + BACKGROUND_WEIGHT
    ward_of = table["ward_code"].to_numpy()

    ids = list(taxonomy.ids())
    share = np.array([_CATEGORY_SHARE.get(c, 5) for c in ids], dtype=float)
    share /= share.sum()
    thin = {
        c: set(rng.choice(wards["ward_code"], THIN_WARDS_PER_CATEGORY, replace=False).tolist())
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
            categories=category,
            delivery="phone",
            postcode="",
            latitude="",
            longitude="",
            area_served="citywide",
            area_value="",
            service_name=f"{row['org_name']} Phone Line",
            service_description=f"Free phone line {_RHYTHM[int(position) % len(_RHYTHM)]}.",
        )
    # Duplicated effort: four groups doing the same thing in one ward.
    taken = {i for i, row in enumerate(rows) if row["area_served"] == "citywide"}
    for _ in range(HOTSPOTS):
        category = ids[int(rng.choice(len(ids), p=share))]
        ward = str(rng.choice(sorted(set(ward_names) - thin[category])))
        seen_orgs: set[str] = set()
        for position in rng.permutation(len(rows)):
            row = rows[int(position)]
            if int(position) in taken or row["org_id"] in seen_orgs:
                continue
            at = pick_postcode(category, in_ward=ward)
            row.update(
                categories=category,
                delivery="in person",
                postcode=str(table.at[at, "postcode"]),
                latitude="",
                longitude="",
                area_served="at_location",
                area_value="",
            )
            taken.add(int(position))
            seen_orgs.add(row["org_id"])
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
    codes = list(wards["ward_code"])
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
    kinds = rng.choice(len(_KINDS), size=count, p=_KIND_SHARE)
    charity_numbers = rng.choice(np.arange(9_900_000, 10_000_000), size=count, replace=False)
    orgs = []
    names: set[str] = set()
    cursor = 0
    for index in range(count):
        kind = _KINDS[int(kinds[index])]
        while True:
            first, second = pairs[int(order[cursor % len(order)])]
            cursor += 1
            if kind == "faith group":
                name = f"{first} {_FAITH[cursor % len(_FAITH)]}"
            elif kind == "mutual aid group":
                name = f"{first} {second} Mutual Aid"
            elif kind == "statutory":
                body = "Demo Council" if cursor % 3 else "Demo NHS"
                name = f"{body} {first} {_TEAMS[cursor % len(_TEAMS)]}"
            elif kind == "CIC":
                name = f"{first} {second} CIC"
            else:
                name = f"{first} {second}"
            if name not in names:
                break
        names.add(name)
        slug = "-".join(name.lower().replace("é", "e").split())
        orgs.append(
            {
                "org_id": slug,
                "org_name": name,
                "org_kind": kind,
                "charity_number": str(charity_numbers[index]) if kind == "charity" else "",
                "website": f"https://{slug}.example.org" if rng.random() < 0.8 else "",
                "email": f"hello@{slug}.example.org" if rng.random() < 0.85 else "",
                "phone": f"0117 496 0{int(rng.integers(1000)):03d}" if rng.random() < 0.75 else "",
                "org_description": f"{_KIND_PHRASE[kind]}. {FICTIONAL_MARK}",
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
    base_id = f"{org['org_id']}--{'-'.join(name.lower().replace('é', 'e').split())}"
    service_id, number = base_id, 2
    while service_id in used_ids:
        service_id, number = f"{base_id}-{number}", number + 1
    used_ids.add(service_id)
    words = []
    for c in categories:
        # A third of category cells use a synonym, as real spreadsheets do.
        synonyms = taxonomy.get(c).synonyms
        words.append(str(rng.choice(synonyms)) if synonyms and rng.random() < 0.33 else c)
    postcode = str(table.at[at, "postcode"])
    ward = str(table.at[at, "ward_code"])
    latitude = longitude = ""
    if rng.random() < 0.1:
        latitude = f"{float(table.at[at, 'lat']):.5f}"
        longitude = f"{float(table.at[at, 'lon']):.5f}"
        postcode = ""
    draw = rng.random()
    delivery, area_served, area_value = "in person", "at_location", ""
    if draw < 0.10:
        area_served, area_value = "radius_km", str(rng.choice([1, 2, 3, 5]))
    elif draw < 0.25:
        area_served = "wards"
        pool = [w for w in neighbours.get(ward, []) if w not in thin[category]]
        chosen = [ward] + [str(w) for w in rng.permutation(pool)[: int(rng.integers(0, 3))]]
        area_value = "; ".join(ward_names[w] for w in chosen)
        delivery = str(rng.choice(["in person", "home delivery", "in person; home delivery"]))
    elif draw < 0.33:
        delivery = str(rng.choice(["in person; phone", "home delivery", "in person; online"]))
    elif draw < 0.37:
        delivery, area_served = str(rng.choice(["online", "phone; online"])), "citywide"
    start = date(2015, 1, 1) + timedelta(days=int(rng.integers(0, 4017)))
    until = date(2029, 3, 31) + timedelta(days=int(rng.integers(0, 700)))
    updated = date(2025, 6, 1) + timedelta(days=int(rng.integers(0, 517)))
    audience = _AUDIENCE.get(category, ("everyone", "adults"))
    return {
        **org,
        "service_id": service_id,
        "service_name": name,
        "service_description": f"{name} {rng.choice(_RHYTHM)}.",
        "categories": "; ".join(words),
        "delivery": delivery,
        "postcode": postcode,
        "latitude": latitude,
        "longitude": longitude,
        "area_served": area_served,
        "area_value": area_value,
        "capacity": str(int(rng.integers(2, 31)) * 5) if rng.random() < 0.6 else "",
        "audience": str(rng.choice(audience)),
        "active_from": start.isoformat() if rng.random() < 0.7 else "",
        "active_until": until.isoformat() if rng.random() < 0.08 else "",
        "last_updated": updated.isoformat(),
        "contact_public": "yes" if rng.random() < 0.85 else "no",
    }
