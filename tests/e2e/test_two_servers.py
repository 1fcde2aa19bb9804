"""End-to-end: two dashboard processes on one PostgreSQL database share one directory.

On server A a reviewer signs in (their account made with ``python -m analysis users add``)
and imports a file; on server B the public, not signed in, is offered no import. The file
imported on A's data page raises the active services B's data page shows on its next
rerun: the directory is the database's, and each process's caches follow its
data version. Both servers' logs are in ``test-artefacts/two-servers-*.log``.

Skipped, with the reason, when Chromium or PostgreSQL is missing (PostgreSQL fails under CI).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from analysis.cli import main
from analysis.settings import DEMO_SERVICES_PATH
from analysis.store.config import DATABASE_URL_ENV
from dashboard.failure import DEBUG_ENV
from tests.e2e.conftest import ARTEFACTS, served_app, shoot
from tests.e2e.test_browser import no_exception, open_view
from tests.e2e.test_group_keeps_its_entry import go, set_password
from tests.store.pgserver import DATABASE_USER, PostgresServer, server_for_tests

pytestmark = pytest.mark.browser

DATABASE = "two_servers"
NEW_SERVICES = 3
FILE_NAME = "new_services.csv"
IMPORT_BUTTON = "Import into the directory"
FIRST_OPEN_TIMEOUT_MS = 180_000
"""The first page a server opens creates the schema and loads the demo: minutes at most."""
PAGE_TIMEOUT_MS = 60_000


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test alone, stopped and deleted at the end."""
    with server_for_tests() as server:
        yield server


def create_database(server: PostgresServer, name: str) -> str:
    """Create the empty database ``name`` on ``server``; return its URL."""
    subprocess.run(
        [
            str(server.bin_dir / "createdb"),
            "--host=127.0.0.1",
            f"--port={server.port}",
            f"--username={DATABASE_USER}",
            name,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return server.url(name)


def new_services_csv(count: int) -> bytes:
    """``count`` services of the demo file given new organisations, ids and names.

    Rows with a postcode and no dates are taken, so every one is accepted and active.
    """
    with DEMO_SERVICES_PATH.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        fields = list(reader.fieldnames or ())
        plain = [
            row
            for row in reader
            if row["postcode"] and not row["active_from"] and not row["active_until"]
        ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for number, row in enumerate(plain[:count], start=1):
        org_id = f"shared-test-group-{number}"
        writer.writerow(
            {
                **row,
                "org_id": org_id,
                "org_name": f"Shared Test Group {number}",
                "charity_number": "",
                "email": "",
                "service_id": f"{org_id}--drop-in",
                "service_name": f"Shared Test Drop-in {number}",
            }
        )
    return out.getvalue().encode("utf-8")


def server_environment(database_url: str) -> dict[str, str]:
    """This process's environment with the shared database and debug on."""
    return {**os.environ, DATABASE_URL_ENV: database_url, DEBUG_ENV: "1"}


def active_services(page) -> int:
    """The "Active services" the data page shows for the directory."""
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Active services")
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def upload_csv(page, data: bytes) -> None:
    """Upload ``data`` as a CSV file on the data page and wait for its report."""
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        files=[{"name": FILE_NAME, "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_text("Report on the file").wait_for()


def rerun(page) -> None:
    """Rerun the page's script in the same session, as Streamlit's R key does."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("r")


def shows_active_services(page, expected: int) -> None:
    """Wait until the data page's "Active services" reads ``expected``."""
    expect(
        page.locator("[data-testid='stMetric']")
        .filter(has_text="Active services")
        .locator("[data-testid='stMetricValue']")
    ).to_have_text(f"{expected:,}")


def test_an_import_on_one_server_is_seen_by_the_other(chromium, postgres_server, capsys):
    database_url = create_database(postgres_server, DATABASE)
    data = new_services_csv(NEW_SERVICES)
    ARTEFACTS.mkdir(exist_ok=True)
    log_a, log_b = ARTEFACTS / "two-servers-a.log", ARTEFACTS / "two-servers-b.log"
    with (
        served_app(log_a, server_environment(database_url)) as url_a,
        chromium.new_context(viewport={"width": 1400, "height": 1000}) as context_a,
    ):
        page_a = context_a.new_page()
        page_a.set_default_timeout(FIRST_OPEN_TIMEOUT_MS)
        # A opens the new database first: it creates the schema and loads the demo alone.
        open_view(page_a, url_a, "page=data")
        page_a.set_default_timeout(PAGE_TIMEOUT_MS)
        demo_count = active_services(page_a)
        assert demo_count > 0
        # A reviewer signs in on A (imports are a reviewer's act).
        made = ["users", "add", "reviewer@example.org", "--role", "reviewer"]
        assert main([*made, "--database", database_url, "--url", url_a]) == 0
        link = next(line for line in capsys.readouterr().out.splitlines() if "invitation=" in line)
        set_password(page_a, link)
        go(page_a, "Your data")

        with (
            served_app(log_b, server_environment(database_url)) as url_b,
            chromium.new_context(viewport={"width": 1400, "height": 1000}) as context_b,
        ):
            page_b = context_b.new_page()
            page_b.set_default_timeout(FIRST_OPEN_TIMEOUT_MS)
            open_view(page_b, url_b, "page=data")
            page_b.set_default_timeout(PAGE_TIMEOUT_MS)
            before = active_services(page_b)
            assert before == demo_count  # B found A's directory and loaded no second demo

            upload_csv(page_a, data)
            gives = f"This file gives: {NEW_SERVICES} services from {NEW_SERVICES} organisations."
            page_a.get_by_text(gives).wait_for()
            page_a.get_by_role("button", name=IMPORT_BUTTON).click()
            page_a.get_by_text("Imported into the directory.").wait_for()
            no_exception(page_a)
            assert active_services(page_a) == demo_count + NEW_SERVICES
            shoot(page_a, "two-servers-a-imported")

            # The same session of B, rerun: its caches follow the database's data version.
            rerun(page_b)
            shows_active_services(page_b, before + NEW_SERVICES)
            # A new session of B sees the same.
            open_view(page_b, url_b, "page=data")
            assert active_services(page_b) == before + NEW_SERVICES

            upload_csv(page_b, data)
            page_b.get_by_role(
                "button", name="Use this data (a what-if, in this session only)"
            ).wait_for()
            no_exception(page_b)
            assert page_b.get_by_role("button", name=IMPORT_BUTTON).count() == 0
            assert page_b.get_by_text("Import into the directory").count() == 0
            shoot(page_b, "two-servers-b-no-import")
