"""Dashboard tests see tracebacks: a page that fails must fail its test, not show a message."""

from __future__ import annotations

import pytest

from dashboard.failure import DEBUG_ENV


@pytest.fixture(autouse=True)
def show_tracebacks(monkeypatch):
    """Run every AppTest with ``SAFETYNET_DEBUG=1`` (tests of the plain message unset it)."""
    monkeypatch.setenv(DEBUG_ENV, "1")
