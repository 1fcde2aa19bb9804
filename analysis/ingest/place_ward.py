"""The ward a file says a place stands in, checked against the ward its location falls in.

Council lists often have a "Ward" column: the ward of the venue. It is not the area the
service serves (a food bank in Lawrence Hill feeds people from Easton too), so it never
sets the area served; it is a second opinion on the location, and every disagreement is
listed so that the user can tell a wrong postcode from a wrong ward.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from analysis.ingest.area_served import match_wards
from analysis.ingest.cells import Cell, cell_text
from analysis.ingest.import_report import Findings
from analysis.ingest.locate import AreaShape
from analysis.model import FIELD_PLACE_WARD, WARNING

PLACE_WARD_MISMATCH = "place_ward_mismatch"
"""Problem code: the location falls in another ward than the file names."""
PLACE_WARD_UNKNOWN = "place_ward_unknown"
"""Problem code: the ward the file names is no ward of the area."""


def point_wards(
    points: Sequence[tuple[tuple[float, float], ...]], shape: AreaShape
) -> list[str | None]:
    """The code of the ward each row's first point falls in (EPSG:27700); None if none."""
    firsts = np.array([row[0] if row else (np.nan, np.nan) for row in points], dtype=float)
    found: list[str | None] = [None] * len(points)
    if not len(firsts):
        return found
    for code, polygon in shape.ward_polygons.items():
        inside = shapely.contains_xy(polygon, firsts[:, 0], firsts[:, 1])
        for position in np.flatnonzero(inside):
            found[position] = found[position] or code
    return found


def check_place_wards(
    cells: Sequence[Cell],
    points: Sequence[tuple[tuple[float, float], ...]],
    *,
    shape: AreaShape,
    findings: Findings,
) -> None:
    """Record where a row's named ward is unknown, or is not where its location is.

    A cell may name several wards (a venue on a boundary, a list of venues): the location
    agrees when its ward is among them.
    """
    located = point_wards(points, shape) if any(cell_text(c) for c in cells) else []
    names = shape.ward_names
    for position, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            continue
        codes, unmatched = match_wards(cell, shape)
        if unmatched:
            findings.add(
                position=position,
                field=FIELD_PLACE_WARD,
                code=PLACE_WARD_UNKNOWN,
                value=text,
                reason=f"{', '.join(unmatched)} is no ward of {shape.name}, so the ward of "
                "the place could not be checked",
                fix="write the ward's name or code as the area's ward list gives it",
                severity=WARNING,
            )
        actual = located[position]
        if codes and actual is not None and actual not in codes:
            findings.add(
                position=position,
                field=FIELD_PLACE_WARD,
                code=PLACE_WARD_MISMATCH,
                value=text,
                reason=f"the location given is in {names.get(actual, actual)} ({actual}), "
                f"not in {text} as this column says",
                fix="check the postcode or coordinates; if they are right, correct the ward",
                severity=WARNING,
            )
