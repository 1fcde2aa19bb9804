"""The colours and classes of every map: the overview, the ward page's and the ward profile's.

One module decides how a measure's values become classes and each class's colour, so the
overview choropleth (`dashboard.maps.choropleth`), the ward page's neighbourhood map
(`dashboard.maps.neighbourhoods`), the postcode map (`dashboard.maps.nearby`) and the
printable ward profile (`analysis.outputs.profile`) can never disagree about what a colour
means.

- **Provision classes** get fixed categorical colours from Okabe and Ito's palette, safe
  for the common colour-vision deficiencies; the class name is always written beside the
  colour (tooltip, legend, table), so colour is never the only cue.
- **Numeric measures** get ColorBrewer's YlGnBu, sequential, colour-blind safe and
  readable in greyscale. Zero has a class of its own ("none", white), a missing value
  another ("no data", grey); positive values are split into quantile classes by
  `mapclassify`.

`classify_measure` takes the values to break, so the caller chooses what the classes are
fixed over (today: every category's values of the measure, so switching category does not
move the class boundaries).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import mapclassify
import numpy as np
import pandas as pd

from analysis import settings
from analysis.model import (
    ADEQUATE,
    MISSING,
    NO_NEED,
    PROVISION_CLASS,
    PROVISION_CLASSES,
    UNDER_SERVED,
    WELL_PROVIDED,
    ProvisionClass,
)

# Okabe-Ito colours used here (Okabe & Ito 2008, "Color Universal Design").
VERMILLION: Final = "#D55E00"
ORANGE: Final = "#E69F00"
BLUE: Final = "#0072B2"
LIGHT_GREY: Final = "#DCDCDC"
"""Not an Okabe-Ito colour: "adequate" is nothing to act on, so it recedes (yet stays
apart from the near-white of "no need")."""

NEAR_WHITE: Final = "#FAFAFA"
"""Not an Okabe-Ito colour: "no need" has nothing to show, so it is almost the page's
white, yet not the white of "none" (zero on a numeric map), of outlines and backgrounds."""

CLASS_COLOURS: Final[Mapping[ProvisionClass, str]] = MappingProxyType(
    {
        NO_NEED: NEAR_WHITE,
        MISSING: VERMILLION,
        UNDER_SERVED: ORANGE,
        ADEQUATE: LIGHT_GREY,
        WELL_PROVIDED: BLUE,
    }
)
"""Fill colour of each provision class."""

SEQUENTIAL: Final = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
"""ColorBrewer YlGnBu, 5 classes: low values light, high values dark."""

NONE_LABEL: Final = "none"
NO_DATA_LABEL: Final = "no data"
NONE_COLOUR: Final = "#ffffff"
NO_DATA_COLOUR: Final = "#bdbdbd"

DASHED_LABELS: Final = frozenset({MISSING, NONE_LABEL})
"""Classes drawn with a dashed outline (and legend swatch), so they read without colour."""


@dataclass(frozen=True)
class Classification:
    """How one measure's values map to classes, colours and legend labels.

    Attributes
    ----------
    measure
        The measure (a metrics-table column, or another numeric column such as a need
        score).
    breaks
        Upper bounds of the numeric classes (empty for ``class``).
    labels
        Legend label of each class, in legend order.
    colours
        Fill colour of each class, same order as ``labels``.
    """

    measure: str
    breaks: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]

    def label_of(self, value: object) -> str:
        """The class label of one value (`NO_DATA_LABEL` when it is not a known value)."""
        if self.measure == PROVISION_CLASS:
            return str(value) if value in PROVISION_CLASSES else NO_DATA_LABEL
        number = as_float(value)
        if number is None:
            return NO_DATA_LABEL
        if number <= 0:
            return NONE_LABEL
        for upper, label in zip(self.breaks, self.labels[1:], strict=False):
            if number <= upper:
                return label
        return self.labels[len(self.breaks)] if self.breaks else NONE_LABEL

    def colour_of(self, label: str) -> str:
        """The fill colour of a class label (`NO_DATA_COLOUR` for an unknown one)."""
        return dict(zip(self.labels, self.colours, strict=True)).get(label, NO_DATA_COLOUR)

    def colour_of_value(self, value: object) -> str:
        """The fill colour of one value: ``colour_of(label_of(value))``."""
        return self.colour_of(self.label_of(value))

    def legend(self) -> list[tuple[str, str]]:
        """``(label, colour)`` per class, in order."""
        return list(zip(self.labels, self.colours, strict=True))


def as_float(value: object) -> float | None:
    """``value`` as a finite float, or None (text, missing, infinite)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_number(value: object) -> str:
    """A number as people read it: thousands separated, at most two decimals."""
    number = as_float(value)
    if number is None:
        return "–"
    if abs(number) >= 100 or number == int(number):
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def classify_measure(
    all_values: Sequence[float] | pd.Series,
    measure: str,
    *,
    k: int = settings.MAP_CLASSES,
) -> Classification:
    """Classes, colours and legend labels for ``measure``, with breaks from ``all_values``.

    Parameters
    ----------
    all_values
        The values the breaks are computed from. The dashboard passes every value of the
        measure in the metrics table (all areas, all categories), so the breaks do not
        depend on the category shown. Ignored for ``class``.
    measure
        The column classified; ``class`` gets the provision classes' colours.
    k
        Number of classes above zero (at most ``len(SEQUENTIAL)``).

    Returns
    -------
    Classification
        For ``class``: the provision classes in order with `CLASS_COLOURS`. Otherwise
        "none" (zero or below) first, then up to ``k`` classes of the positive values by
        quantiles (``mapclassify.Quantiles``: about as many values in each), fewer when
        there are fewer distinct positive values; labels read "lower to upper", upper
        bound included.
    """
    if measure == PROVISION_CLASS:
        return Classification(
            measure,
            (),
            tuple(PROVISION_CLASSES),
            tuple(CLASS_COLOURS[name] for name in PROVISION_CLASSES),
        )
    # Text and missing values are no data, not an error: they get no class of their own.
    values = pd.to_numeric(pd.Series(all_values, dtype=object), errors="coerce").to_numpy(float)
    positive = values[np.isfinite(values) & (values > 0)]
    distinct = np.unique(positive)
    k = max(1, min(k, len(SEQUENTIAL), len(distinct)))
    if len(distinct) == 0:
        breaks: tuple[float, ...] = ()
    elif len(distinct) <= k:
        breaks = tuple(float(v) for v in distinct)
    else:
        breaks = tuple(sorted({float(b) for b in mapclassify.Quantiles(positive, k=k).bins}))
    labels = [NONE_LABEL]
    lower = 0.0
    for upper in breaks:
        labels.append(f"{format_number(lower)} to {format_number(upper)}")
        lower = upper
    return Classification(
        measure, breaks, tuple(labels), (NONE_COLOUR, *sequential_colours(len(breaks)))
    )


def sequential_colours(n: int) -> tuple[str, ...]:
    """``n`` colours of `SEQUENTIAL`, spread over its range (the middle one for one class)."""
    if n <= 0:
        return ()
    if n == 1:
        return (SEQUENTIAL[2],)
    picks = np.linspace(0, len(SEQUENTIAL) - 1, n).round().astype(int)
    return tuple(SEQUENTIAL[i] for i in picks)
