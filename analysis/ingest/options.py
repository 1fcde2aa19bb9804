"""How to read one directory file: the options every command that reads a directory shares.

The command line (`validate`, `analyse`, `report`, `explain`) and the dashboard's upload
step build one `ImportOptions` and pass it to `analysis.ingest.load.load_directory`, so a
file that needs a mapping or file-level defaults reads the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.model import AUTO_FORMAT, DeliveryMode, FormatChoice, OrganisationKind


@dataclass(frozen=True)
class ImportOptions:
    """The reader's choices and the file-level defaults for one directory file.

    Attributes
    ----------
    format
        ``"auto"``, ``"template"`` or ``"oruk"`` (see `analysis.ingest.read.read_table`).
    columns
        Column mapping ``{field: column or None}`` overriding the guesses (tables only).
    sheet
        XLSX sheet to read; None reads the first.
    default_categories
        Category ids of every row whose category cell is empty ("every row of this file
        is: food"): lists of food banks or community centres have no category column.
    default_kind
        Organisation kind of every row whose kind cell is empty.
    default_delivery
        Delivery modes of every row whose delivery cell is empty.
    accept_suggestions
        Take the categories suggested from a row's name and description when its own
        terms name none (otherwise they stay suggestions in the report).
    category_choices
        Row number (as the report numbers rows) -> category ids a person chose for it
        while reviewing suggestions; these replace what the row's cells gave.
    """

    format: FormatChoice = AUTO_FORMAT
    columns: Mapping[str, str | None] | None = None
    sheet: str | None = None
    default_categories: tuple[str, ...] = ()
    default_kind: OrganisationKind | None = None
    default_delivery: tuple[DeliveryMode, ...] = ()
    accept_suggestions: bool = False
    category_choices: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


DEFAULT_OPTIONS = ImportOptions()
