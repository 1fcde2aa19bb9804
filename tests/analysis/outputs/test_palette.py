"""The palette: one set of class colours and one classification for every map."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.model import (
    ADEQUATE,
    MISSING,
    NO_NEED,
    PROVISION_CLASS,
    PROVISION_CLASSES,
    UNDER_SERVED,
    WELL_PROVIDED,
)
from analysis.outputs.palette import (
    CLASS_COLOURS,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    NONE_COLOUR,
    NONE_LABEL,
    SEQUENTIAL,
    classify_measure,
    format_number,
    sequential_colours,
)
from analysis.settings import REPO_ROOT

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def test_fixed_breaks_do_not_change_with_category_and_zero_is_none():
    table = pd.DataFrame({"category": ["a"] * 3 + ["b"] * 3, "need": [0.0, 10, 20, 30, 400, 5000]})
    fixed = classify_measure(table["need"], "need")
    only_a = classify_measure(table.loc[table["category"] == "a", "need"], "need")
    # Breaks come from every category's values: category a's map keeps b's top class.
    assert fixed.breaks[-1] == 5000 and only_a.breaks[-1] == 20
    assert fixed.label_of(30) == "20 to 30" != only_a.label_of(30)
    assert [fixed.label_of(v) for v in (10, 20, 30, 400, 5000)] == list(fixed.labels[1:])
    assert fixed.label_of(0) == NONE_LABEL
    assert fixed.labels[0] == NONE_LABEL
    assert fixed.label_of(float("nan")) == "no data"
    assert fixed.label_of(5000) == fixed.labels[-1]
    classes = classify_measure([], "class")
    assert [label for label, _ in classes.legend()] == [
        "no need",
        "missing",
        "under-served",
        "adequate",
        "well provided",
    ]
    assert len(set(classes.colours)) == 5


def test_quantile_breaks_of_one_to_ten():
    """Positive values 1..10 in five quantiles: 20 % steps of 9 above 1 -> 2.8, 4.6, ..."""
    classes = classify_measure(list(range(11)), "need")
    assert classes.breaks == pytest.approx((2.8, 4.6, 6.4, 8.2, 10.0))
    assert classes.labels == (
        NONE_LABEL,
        "0 to 2.80",
        "2.80 to 4.60",
        "4.60 to 6.40",
        "6.40 to 8.20",
        "8.20 to 10",
    )
    assert classes.colours == (NONE_COLOUR, *SEQUENTIAL)
    # Upper bounds are inside their class.
    assert classes.label_of(2.8) == "0 to 2.80"
    assert classes.label_of(2.81) == "2.80 to 4.60"
    assert classes.label_of(11) == "8.20 to 10"
    assert classes.colour_of_value(1) == SEQUENTIAL[0]
    assert classes.colour_of_value(10) == SEQUENTIAL[-1]


def test_few_distinct_values_give_one_class_each_and_k_is_respected():
    classes = classify_measure([0, 5, 5, 7, -3, float("nan"), "x"], "need")
    assert classes.breaks == (5.0, 7.0)
    assert classes.labels == (NONE_LABEL, "0 to 5", "5 to 7")
    assert classes.colours == (NONE_COLOUR, SEQUENTIAL[0], SEQUENTIAL[-1])
    assert classes.label_of(-3) == NONE_LABEL
    assert len(classify_measure(list(range(100)), "need", k=3).breaks) == 3
    assert len(classify_measure(list(range(100)), "need", k=9).breaks) == len(SEQUENTIAL)


def test_no_positive_value_leaves_only_none():
    classes = classify_measure([0.0, 0.0, float("nan")], "need")
    assert classes.legend() == [(NONE_LABEL, NONE_COLOUR)]


def test_provision_classes_use_the_class_colours_and_unknowns_are_no_data():
    classes = classify_measure([1.0, 2.0], PROVISION_CLASS)
    assert classes.breaks == ()
    assert classes.legend() == [
        (NO_NEED, CLASS_COLOURS[NO_NEED]),
        (MISSING, CLASS_COLOURS[MISSING]),
        (UNDER_SERVED, CLASS_COLOURS[UNDER_SERVED]),
        (ADEQUATE, CLASS_COLOURS[ADEQUATE]),
        (WELL_PROVIDED, CLASS_COLOURS[WELL_PROVIDED]),
    ]
    assert set(CLASS_COLOURS) == set(PROVISION_CLASSES)  # every class has its colour
    assert classes.label_of(WELL_PROVIDED) == WELL_PROVIDED
    assert classes.label_of("overlap") == NO_DATA_LABEL  # the old class is no class now
    assert classes.label_of("<b>new</b>") == NO_DATA_LABEL
    assert classes.colour_of(NO_DATA_LABEL) == NO_DATA_COLOUR
    assert classes.colour_of_value(None) == NO_DATA_COLOUR


def test_colours_are_distinct_hex_codes():
    colours = [*CLASS_COLOURS.values(), *SEQUENTIAL, NONE_COLOUR, NO_DATA_COLOUR]
    assert all(HEX.match(colour) for colour in colours)
    assert len({c.lower() for c in colours}) == len(colours)
    with pytest.raises(TypeError):
        CLASS_COLOURS[MISSING] = "#000000"  # type: ignore[index]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, ()),
        (1, (SEQUENTIAL[2],)),
        (2, (SEQUENTIAL[0], SEQUENTIAL[4])),
        (3, (SEQUENTIAL[0], SEQUENTIAL[2], SEQUENTIAL[4])),
        (5, SEQUENTIAL),
    ],
)
def test_sequential_colours_spread_over_the_range(n, expected):
    assert sequential_colours(n) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234.5, "1,234"), (100, "100"), (3, "3"), (0.256, "0.26"), (None, "–"), ("x", "–")],
)
def test_format_number(value, text):
    assert format_number(value) == text


def _meaningful_colours() -> set[str]:
    return {c.lower() for c in (*CLASS_COLOURS.values(), *SEQUENTIAL, NO_DATA_COLOUR)}


def test_only_the_palette_spells_the_map_colours():
    """A map or page that wrote a class or scale colour itself could drift from the others."""
    spelled = re.compile(r"#[0-9a-fA-F]{6}\b")
    offenders = [
        f"{path.relative_to(REPO_ROOT)}: {colour}"
        for folder in ("analysis", "dashboard")
        for path in sorted((REPO_ROOT / folder).rglob("*"))
        if path.suffix in {".py", ".html", ".css", ".js"}
        and path.name != "palette.py"
        and "static" not in path.parts
        for colour in spelled.findall(path.read_text(encoding="utf-8"))
        if colour.lower() in _meaningful_colours()
    ]
    assert not offenders
