"""The documented services template: ``data/templates/services_template.csv`` and ``.xlsx``.

Both hold the header row and two example rows. The workbook adds a "Guide" sheet
explaining every column (from `analysis.ingest.mapping.FIELDS`, the same text as
docs/data-format.md) and a "Categories" sheet listing the need categories and their
synonyms. `write_templates` rewrites both files; a test checks the committed files match.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final

import pandas as pd

from analysis.ingest.fields import FIELDS, TEMPLATE_COLUMNS
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
    COLUMN,
    CONTACT_PUBLIC,
    DELIVERY,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_SERVICE_DESCRIPTION,
    HOME_DELIVERY,
    IN_PERSON,
    LAST_UPDATED,
    LIST_SEPARATOR,
    ORG_ID,
    ORG_NAME,
    PHONE,
    POSTCODE,
    SERVICE_ID,
    SERVICE_NAME,
    WARDS,
    WEBSITE,
)
from analysis.settings import TEMPLATE_DIR
from analysis.taxonomy import Taxonomy
from analysis.taxonomy_file import load_taxonomy

TEMPLATE_NAME: Final = "services_template"
# Fixed so that rewriting the workbook gives the same document properties.
_STAMP: Final = datetime(2026, 1, 1)

EXAMPLE_ROWS: Final[tuple[dict[str, str], ...]] = (
    {
        ORG_ID: "willow-lantern-project",
        ORG_NAME: "Willow Lantern Project",
        FIELD_ORG_KIND: CHARITY_KIND,
        CHARITY_NUMBER: "9912345",
        WEBSITE: "https://willow-lantern.example.org",
        EMAIL: "hello@willow-lantern.example.org",
        PHONE: "0117 496 0123",
        FIELD_ORG_DESCRIPTION: "Volunteer-run community group. (fictional example)",
        SERVICE_ID: "willow-lantern-project--community-pantry",
        SERVICE_NAME: "Community pantry",
        FIELD_SERVICE_DESCRIPTION: "Low-cost groceries every Tuesday and Friday.",
        CATEGORIES: "food; Toiletries",
        DELIVERY: IN_PERSON,
        POSTCODE: "BS5 0HE",
        FIELD_AREA_SERVED: AT_LOCATION,
        CAPACITY: "40",
        AUDIENCE: "everyone",
        ACTIVE_FROM: "2023-04-01",
        LAST_UPDATED: "2026-09-30",
        CONTACT_PUBLIC: "yes",
        # The group shows its phone and website, not its email.
        EMAIL_PUBLIC: "no",
    },
    {
        ORG_ID: "kingfisher-kitchen-cic",
        ORG_NAME: "Kingfisher Kitchen CIC",
        FIELD_ORG_KIND: CIC_KIND,
        WEBSITE: "https://kingfisher-kitchen.example.org",
        EMAIL: "meals@kingfisher-kitchen.example.org",
        FIELD_ORG_DESCRIPTION: "Social kitchen cooking meals for neighbours. (fictional example)",
        SERVICE_ID: "kingfisher-kitchen-cic--hot-meals",
        SERVICE_NAME: "Hot meals delivered",
        FIELD_SERVICE_DESCRIPTION: "A hot meal and a chat, delivered weekday lunchtimes.",
        CATEGORIES: "food; befriending",
        DELIVERY: HOME_DELIVERY,
        FIELD_LATITUDE: "51.4627",
        FIELD_LONGITUDE: "-2.5591",
        FIELD_AREA_SERVED: WARDS,
        AREA_VALUE: "Easton; Lawrence Hill",
        CAPACITY: "120",
        AUDIENCE: "older people",
        ACTIVE_FROM: "2024-01-08",
        ACTIVE_UNTIL: "2030-03-31",
        LAST_UPDATED: "2026-10-12",
        CONTACT_PUBLIC: "no",
    },
)


def default_template_dir() -> Path:
    """Where the templates live: ``data/templates``."""
    return TEMPLATE_DIR


def template_frame() -> pd.DataFrame:
    """The template's header and example rows as a table of text."""
    return pd.DataFrame(
        [[row.get(column, "") for column in TEMPLATE_COLUMNS] for row in EXAMPLE_ROWS],
        columns=list(TEMPLATE_COLUMNS),
        dtype=str,
    )


def guide_rows() -> list[tuple[str, str, str, str]]:
    """(column, required?, what to write, example) for every template column."""
    required = {ORG_NAME: f"yes, or {SERVICE_NAME}", CATEGORIES: "recommended"}
    return [
        (field.name, required.get(field.name, "no"), field.description, field.example)
        for field in FIELDS
        if field.in_template
    ]


def write_template_csv(path: Path | str) -> Path:
    """Write the CSV template (UTF-8, header and two example rows)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    template_frame().to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    return out


def write_template_xlsx(path: Path | str, *, taxonomy: Taxonomy | None = None) -> Path:
    """Write the XLSX template: "Services" (header, examples), "Guide" and "Categories"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    taxonomy = load_taxonomy() if taxonomy is None else taxonomy
    workbook = Workbook()
    workbook.properties.creator = "Safety Net"
    workbook.properties.created = _STAMP
    workbook.properties.modified = _STAMP
    services = workbook.active
    services.title = "Services"
    services.append(list(TEMPLATE_COLUMNS))
    for row in template_frame().itertuples(index=False):
        services.append(list(row))
    bold = Font(bold=True)
    for cell in services[1]:
        cell.font = bold
    services.freeze_panes = "A2"
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = services.cell(row=1, column=index).column_letter
        services.column_dimensions[letter].width = max(12, min(40, len(column) + 4))
        # Text format keeps phone numbers' leading 0 and charity numbers as typed.
        for row_number in range(2, 200):
            services.cell(row=row_number, column=index).number_format = "@"

    guide = workbook.create_sheet("Guide")
    guide.append([COLUMN, "required", "what to write", "example"])
    for values in guide_rows():
        guide.append(list(values))
    guide.append([])
    guide.append(
        [
            "note",
            "",
            "One row per service; repeat the organisation's columns on each of its rows. "
            "Rows with problems are reported by 'python -m analysis validate FILE' or the "
            "dashboard's upload page, never dropped silently. See docs/data-format.md.",
            "",
        ]
    )
    for cell in guide[1]:
        cell.font = bold
    for letter, width in zip("ABCD", (20, 20, 90, 40), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")

    categories = workbook.create_sheet("Categories")
    categories.append(["id", "label", "default catchment (km)", "synonyms (also accepted)"])
    for category in taxonomy.categories:
        categories.append(
            [
                category.id,
                category.label,
                category.catchment_km,
                LIST_SEPARATOR.join(category.synonyms),
            ]
        )
    for cell in categories[1]:
        cell.font = bold
    for letter, width in zip("ABCD", (18, 40, 12, 100), strict=True):
        categories.column_dimensions[letter].width = width

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return out


def write_templates(folder: Path | str | None = None) -> list[Path]:
    """Write ``services_template.csv`` and ``.xlsx`` into ``folder`` (default data/templates)."""
    out = default_template_dir() if folder is None else Path(folder)
    return [
        write_template_csv(out / f"{TEMPLATE_NAME}.csv"),
        write_template_xlsx(out / f"{TEMPLATE_NAME}.xlsx"),
    ]
