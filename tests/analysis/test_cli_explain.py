"""``python -m analysis explain``: one ward and category, step by step."""

from __future__ import annotations

import pandas as pd

from analysis.cli import main


def test_explain_prints_the_steps_and_the_same_class_as_analyse(capsys, tmp_path):
    table_path = tmp_path / "table.csv"
    assert main(["analyse", "--out", str(table_path), "--category", "food"]) == 0
    table = pd.read_csv(table_path)
    row = table[table["area_name"] == "Henbury and Brentry"].iloc[0]
    capsys.readouterr()
    assert main(["explain", "--ward", "henbury and brentry", "--category", "food"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Food")
    for step in ("1. Need:", "2. Local services", "3. Accessibility", "4. The ward"):
        assert step in text
    assert f"Class: {row['class']}" in text
    assert f"= {row['relative_provision']:.2f} (1 = city average per person in need)" in text


def test_explain_names_the_fix_for_an_unknown_ward_or_category(capsys):
    assert main(["explain", "--ward", "Henbury", "--category", "food"]) == 2
    assert "did you mean Henbury and Brentry?" in capsys.readouterr().err
    assert main(["explain", "--ward", "Henbury and Brentry", "--category", "fod"]) == 2
    assert "Unknown need category 'fod'" in capsys.readouterr().err
