"""A page that fails shows plain words and a reference; the traceback goes to the log only."""

from __future__ import annotations

import logging
import re

import pytest
from streamlit.testing.v1 import AppTest

from analysis.settings import REPO_ROOT
from dashboard import failure
from dashboard.failure import DEBUG_ENV, failure_message, on_script_error
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_log():
    handler = _Records()
    failure.LOG.addHandler(handler)
    yield handler.records
    failure.LOG.removeHandler(handler)


def _boom(ctx):
    raise RuntimeError("/srv/safety-net/secret/path.py exploded")


@pytest.mark.parametrize("page", ["overview", "ward", "postcode", "data"])
def test_a_failing_page_shows_a_reference_and_no_traceback(page, monkeypatch, server_log):
    import importlib

    monkeypatch.delenv(DEBUG_ENV)
    monkeypatch.setattr(importlib.import_module(f"dashboard.pages.{page}"), "render", _boom)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    at.run()
    assert not at.exception
    [error] = at.error
    text = shown(error.value)
    assert "Something went wrong while preparing this page" in text
    reference = re.search(r"reference ([0-9A-F]{8})", text)[1]
    assert "secret" not in text and "RuntimeError" not in text and "Traceback" not in text
    [record] = server_log
    assert reference in record.getMessage()
    assert "exploded" in str(record.exc_info[1])


def test_debug_mode_lets_the_traceback_through(monkeypatch):
    monkeypatch.setattr("dashboard.pages.overview.render", _boom)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert at.exception and "exploded" in at.exception[0].value


def test_on_script_error_takes_over_unless_debugging(monkeypatch, server_log):
    monkeypatch.delenv(DEBUG_ENV)
    assert on_script_error(RuntimeError("callback failed")) is True
    assert len(server_log) == 1
    monkeypatch.setenv(DEBUG_ENV, "1")
    assert on_script_error(RuntimeError("callback failed")) is False


def test_the_message_says_what_to_do():
    text = failure_message("ABCD1234")
    assert "ABCD1234" in text and "Reload the page" in text and "quote the reference" in text
