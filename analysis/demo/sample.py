"""Fictional demo data: a deterministic directory of organisations and services in the template.

`generate_sample` makes about 400 organisations running 900 services across every need
category, at real postcodes of the area's own table, laid out so that the analysis has a
story to tell:

- **denser in the centre** (postcodes weighted by distance from the postcodes' median point);
- **real gaps**: a few of the wards farthest from the centre, on the city's edge, each lack
  local provision in a couple of categories. No in-person or area-based service of such a
  category reaches any of the ward's neighbourhoods, even with catchments half as large
  again (the largest variant the robustness check tries); every other ward × category is
  reached by at least one local service;
- **duplicated effort**: a few streets where two or three organisations run the same kind
  of service for the same people, in person, within a few hundred metres of each other;
  elsewhere no two organisations run the same kind of service that close together;
- **citywide lines**: phone lines in several categories, including every category with a
  gap (they are remote options and do not fill it), and some online services;
- **capacities mostly given**: places per week in a range plausible for the kind of service;
  a tenth left blank (unknown), more often by small volunteer groups;
- the texture the importer's tests rely on: synonyms in category cells, mixed delivery,
  radii and ward lists, coordinates instead of postcodes, contacts not public.

`design_story` says which gaps and duplicate streets a seed gives, so tests can check the
file against the intent rather than against row contents.

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

from analysis.demo.layout import (
    HOTSPOT_ROLE,
    LINE_ROLE,
    Layout,
    Places,
    Service,
    fixed_services,
    ordinary_service,
)
from analysis.demo.names import (
    BLANK_CAPACITY_WEIGHT,
    FAITH_WORDS,
    FIRST_WORDS,
    KIND_PHRASE,
    KIND_SHARE,
    LINE_CAPACITY,
    OTHER_SERVICE_KINDS,
    RHYTHMS,
    SECOND_WORDS,
    TEAM_WORDS,
    category_share,
    service_kinds,
)
from analysis.demo.story import DemoStory, design
from analysis.geography import AreaSet, load_area
from analysis.ingest.fields import TEMPLATE_COLUMNS
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_VALUE,
    AT_LOCATION,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_KIND,
    CHARITY_NUMBER,
    CIC_KIND,
    CONTACT_PUBLIC,
    DELIVERY,
    EMAIL,
    FAITH_GROUP_KIND,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_SERVICE_DESCRIPTION,
    LAST_UPDATED,
    LAT,
    LIST_SEPARATOR,
    LON,
    MUTUAL_AID_KIND,
    ORG_ID,
    ORG_NAME,
    ORGANISATION_KINDS,
    PHONE,
    POSTCODE,
    RADIUS_KM,
    SERVICE_ID,
    SERVICE_NAME,
    STATUTORY_KIND,
    WARDS,
    WEBSITE,
)
from analysis.settings import DEMO_SERVICES_PATH
from analysis.taxonomy import Taxonomy
from analysis.taxonomy_file import load_taxonomy

SAMPLE_SEED: Final = 20261128
FICTIONAL_MARK: Final = "(fictional demo data)"
N_ORGANISATIONS: Final = 400
N_SERVICES: Final = 900
BLANK_CAPACITY_SHARE: Final = 0.10
"""Share of services whose capacity is left blank (unknown)."""


def default_sample_path() -> Path:
    """Where the demo data lives: ``data/sample/services.csv``."""
    return DEMO_SERVICES_PATH


def design_story(area: AreaSet, taxonomy: Taxonomy, *, seed: int = SAMPLE_SEED) -> DemoStory:
    """The gaps, duplicate streets and phone lines the demo data of ``seed`` is made to show."""
    return design(np.random.default_rng([seed, 1]), Places(area, taxonomy), taxonomy)


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

    Notes
    -----
    The layout, in order: the story (`design_story`); organisations and how many services
    each runs; the duplicate streets and the phone lines; every other service near its
    organisation's home, kept out of the gaps and apart from others of its category;
    then, for each ward × category that is not a gap but that no local service reaches,
    one service moved there from where it is not needed. Distances are in metres
    (EPSG:27700); a neighbourhood is reached when its representative point is.
    """
    places = Places(area, taxonomy)
    story = design(np.random.default_rng([seed, 1]), places, taxonomy)
    rng = np.random.default_rng(seed)
    ids = list(taxonomy.ids())
    share = category_share(ids)
    orgs = _organisations(rng, organisations)
    counts = rng.choice(np.arange(1, 7), size=organisations, p=[0.42, 0.25, 0.15, 0.09, 0.05, 0.04])
    while counts.sum() > services:
        counts[rng.choice(np.flatnonzero(counts > 1))] -= 1
    while counts.sum() < services:
        counts[rng.integers(organisations)] += 1

    layout = Layout(places, story, rng)
    fixed = {s.org: s for s in fixed_services(rng, story, places, len(orgs), layout)}
    for service in fixed.values():
        layout.add(service)
    for org, count in enumerate(counts):
        mine = fixed.get(org)
        if mine is not None and mine.role == HOTSPOT_ROLE:
            focus, home = mine.categories[0], mine.at
        else:
            focus = mine.categories[0] if mine else ids[int(rng.choice(len(ids), p=share))]
            home = layout.pick(focus, AT_LOCATION)
        for index in range(int(count) - (mine is not None)):
            first = (
                focus if index == 0 and mine is None else ids[int(rng.choice(len(ids), p=share))]
            )
            layout.add(ordinary_service(rng, org, first, home, ids, share, places, layout))
    layout.fill_uncovered(ids)
    _blank_capacities(rng, layout.services, orgs)
    # An organisation's services on consecutive rows, as a person fills the template.
    by_org = sorted(range(len(layout.services)), key=lambda i: layout.services[i].org)
    rows: list[dict[str, str]] = []
    used_ids: set[str] = set()
    for index in by_org:
        service = layout.services[index]
        rows.append(_service_row(rng, orgs[service.org], service, places, taxonomy, used_ids))
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


def _blank_capacities(
    rng: np.random.Generator, services: list[Service], orgs: list[dict[str, str]]
) -> None:
    """Leave ``BLANK_CAPACITY_SHARE`` of capacities blank, more often for small groups."""
    weight = np.array([BLANK_CAPACITY_WEIGHT[orgs[s.org][FIELD_ORG_KIND]] for s in services])
    count = round(BLANK_CAPACITY_SHARE * len(services))
    for index in rng.choice(len(services), count, replace=False, p=weight / weight.sum()):
        services[int(index)].capacity_known = False


def _organisations(rng: np.random.Generator, count: int) -> list[dict[str, str]]:
    pairs = [(a, b) for a in FIRST_WORDS for b in SECOND_WORDS if a != b]
    order = rng.permutation(len(pairs))
    kinds = rng.choice(len(ORGANISATION_KINDS), size=count, p=list(KIND_SHARE.values()))
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
                name = f"{first} {FAITH_WORDS[cursor % len(FAITH_WORDS)]}"
            elif kind == MUTUAL_AID_KIND:
                name = f"{first} {second} Mutual Aid"
            elif kind == STATUTORY_KIND:
                body = "Demo Council" if cursor % 3 else "Demo NHS"
                name = f"{body} {first} {TEAM_WORDS[cursor % len(TEAM_WORDS)]}"
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
                FIELD_ORG_DESCRIPTION: f"{KIND_PHRASE[kind]}. {FICTIONAL_MARK}",
            }
        )
    return orgs


def _service_row(
    rng: np.random.Generator,
    org: dict[str, str],
    service: Service,
    places: Places,
    taxonomy: Taxonomy,
    used_ids: set[str],
) -> dict[str, str]:
    is_line = service.role == LINE_ROLE
    name = f"{org[ORG_NAME]} Phone Line" if is_line else service.kind_name
    base_id = f"{org[ORG_ID]}--{'-'.join(name.lower().replace('é', 'e').split())}"
    service_id, number = base_id, 2
    while service_id in used_ids:
        service_id, number = f"{base_id}-{number}", number + 1
    used_ids.add(service_id)
    words = []
    for c in service.categories:
        # A third of category cells use a synonym, as real spreadsheets do.
        synonyms = taxonomy.get(c).synonyms
        words.append(str(rng.choice(synonyms)) if synonyms and rng.random() < 0.33 else c)
    at = service.at
    postcode = str(places.table.at[at, POSTCODE])
    latitude = longitude = ""
    if is_line:
        postcode = ""
    elif rng.random() < 0.1:
        latitude = f"{float(places.table.at[at, LAT]):.5f}"
        longitude = f"{float(places.table.at[at, LON]):.5f}"
        postcode = ""
    area_value = ""
    if service.area_kind == RADIUS_KM:
        area_value = f"{service.radius_km:g}"
    elif service.area_kind == WARDS:
        area_value = LIST_SEPARATOR.join(places.ward_names[w] for w in service.wards)
    rhythm = str(rng.choice(RHYTHMS))
    description = f"Free phone line {rhythm}." if is_line else f"{name} {rhythm}."
    low, high = LINE_CAPACITY if is_line else _capacity_range(service)
    capacity = _draw_capacity(rng, low, high)
    start = date(2015, 1, 1) + timedelta(days=int(rng.integers(0, 4017)))
    until = date(2029, 3, 31) + timedelta(days=int(rng.integers(0, 700)))
    updated = date(2025, 6, 1) + timedelta(days=int(rng.integers(0, 517)))
    return {
        **org,
        SERVICE_ID: service_id,
        SERVICE_NAME: name,
        FIELD_SERVICE_DESCRIPTION: description,
        CATEGORIES: LIST_SEPARATOR.join(words),
        DELIVERY: service.delivery,
        POSTCODE: postcode,
        FIELD_LATITUDE: latitude,
        FIELD_LONGITUDE: longitude,
        FIELD_AREA_SERVED: service.area_kind,
        AREA_VALUE: area_value,
        CAPACITY: str(capacity) if service.capacity_known else "",
        AUDIENCE: service.audience,
        ACTIVE_FROM: start.isoformat() if rng.random() < 0.7 else "",
        ACTIVE_UNTIL: until.isoformat() if rng.random() < 0.08 else "",
        LAST_UPDATED: updated.isoformat(),
        CONTACT_PUBLIC: "yes" if rng.random() < 0.85 else "no",
    }


def _draw_capacity(rng: np.random.Generator, low: int, high: int) -> int:
    """Places per week between ``low`` and ``high``: a round five for larger services."""
    places = np.arange(low, high + 1)
    if high >= 40:
        places = places[places % 5 == 0]
    return int(rng.choice(places))


def _capacity_range(service: Service) -> tuple[int, int]:
    for name, low, high in service_kinds(service.categories[0]):
        if name == service.kind_name:
            return low, high
    return OTHER_SERVICE_KINDS[0][1], OTHER_SERVICE_KINDS[0][2]
