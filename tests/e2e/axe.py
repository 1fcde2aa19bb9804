"""Accessibility checks with axe-core on a Playwright page: ``serious_violations`` and ``describe``.

axe-core comes from npm (``package.json``; ``npm ci`` installs it, ``make test`` does so
first). A test that needs it and finds it missing fails, saying so, rather than skipping:
a skipped accessibility check would look like a passed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pytest

from tests.e2e.conftest import REPO_ROOT

AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SEVERE_IMPACTS = ("serious", "critical")
SHOWN_NODES = 3
SNIPPET_CHARS = 300

# Runs in the page: axe over the whole document and its frames, minus ``exclude``; only
# the severe violations come back, trimmed to what a failure message needs.
_RUN = """async ({exclude, impacts}) => {
  const results = await axe.run(
    {exclude: exclude.map((selector) => [selector])},
    {resultTypes: ["violations"]},
  );
  return results.violations
    .filter((rule) => impacts.includes(rule.impact))
    .map((rule) => ({
      id: rule.id,
      impact: rule.impact,
      help: rule.help,
      helpUrl: rule.helpUrl,
      nodes: rule.nodes.map((node) => ({
        target: node.target,
        html: node.html,
        failureSummary: node.failureSummary,
      })),
    }));
}"""


@cache
def axe_source() -> str:
    """The text of axe.min.js; fails the test with the fix when it is not installed."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_SCRIPT.relative_to(REPO_ROOT)} is missing): "
            "run `npm ci` in the repository root (`make test` does it first)",
            pytrace=False,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


def inject(page) -> None:
    """Load axe into the page and each of its frames (axe checks a frame only from inside).

    Not ``add_script_tag``: it adds an inline ``<script>``, which the app's
    Content-Security-Policy refuses. ``evaluate`` goes through the DevTools protocol,
    which the policy does not govern, so the app's policy stays as strict as it is served.
    """
    source = axe_source()
    for frame in page.frames:
        if not frame.is_detached() and not frame.evaluate("() => 'axe' in window"):
            frame.evaluate(source)


def serious_violations(page, *, exclude: Sequence[str] = ()) -> list[dict]:
    """axe's serious and critical violations on ``page``, outside the ``exclude`` selectors.

    Each is ``{id, impact, help, helpUrl, nodes: [{target, html, failureSummary}]}``.
    Wait for the page to finish drawing first: axe checks what is there now.
    """
    inject(page)
    return page.evaluate(_RUN, {"exclude": list(exclude), "impacts": list(SEVERE_IMPACTS)})


def describe(violations: Sequence[dict]) -> str:
    """A failure message: each rule with its impact and help, then its first few elements."""
    lines = [f"{len(violations)} serious or critical accessibility violation(s):"]
    for rule in violations:
        nodes = rule["nodes"]
        lines.append(f"- {rule['id']} ({rule['impact']}): {rule['help']} <{rule['helpUrl']}>")
        for node in nodes[:SHOWN_NODES]:
            lines.append(f"    at {_selector(node['target'])}")
            lines.append(f"       {_snippet(node['html'])}")
            if node.get("failureSummary"):
                lines.append(f"       {_snippet(node['failureSummary'])}")
        if len(nodes) > SHOWN_NODES:
            lines.append(f"    ... and {len(nodes) - SHOWN_NODES} more element(s)")
    return "\n".join(lines)


def _selector(target: Sequence) -> str:
    """axe's target as one string: frames, then shadow roots, joined by ``>>>``."""
    return " >>> ".join(part if isinstance(part, str) else _selector(part) for part in target)


def _snippet(text: str) -> str:
    """``text`` on one line, cut to ``SNIPPET_CHARS``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"
