"""docs/analysis.md's worked example is what the command it quotes prints, digit for digit.

The page quotes ``python -m analysis explain …`` and, in the next ``text`` block, its
output; this test runs the same command through `analysis.cli.main` (as
tests/analysis/test_cli_explain.py does) and compares, so the page cannot go stale.
"""

from __future__ import annotations

import re
import shlex

from analysis.cli import main
from analysis.settings import REPO_ROOT

DOC = REPO_ROOT / "docs" / "analysis.md"
EXPLAIN = ["explain", "--ward", "Henbury and Brentry", "--category", "food"]
COMMAND = re.compile(r"^[ \t]*(?:\.venv/bin/)?python -m analysis (explain\b.*)$", re.MULTILINE)
BLOCK = re.compile(r"^```text\n(.*?)\n```$", re.MULTILINE | re.DOTALL)


def worked_example(text: str) -> tuple[list[str], str]:
    """The arguments of the explain command the page quotes, and the block after it."""
    command = COMMAND.search(text)
    assert command, f"{DOC.name} quotes no 'python -m analysis explain' command"
    block = BLOCK.search(text, command.end())
    assert block, f"{DOC.name} has no ```text block after its explain command"
    return shlex.split(command.group(1)), block.group(1)


def test_the_worked_example_is_what_explain_prints(capsys):
    arguments, quoted = worked_example(DOC.read_text(encoding="utf-8"))
    assert arguments == EXPLAIN
    capsys.readouterr()
    assert main(arguments) == 0
    printed = capsys.readouterr().out.removesuffix("\n")
    assert quoted == printed, (
        f"the worked example in {DOC.name} is out of date: paste the output of "
        f"'python -m analysis {shlex.join(EXPLAIN)}' into its text block and check the "
        "walk-through below it"
    )
