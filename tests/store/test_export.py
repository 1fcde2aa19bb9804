"""Export and backup: the template (CSV, XLSX) and Open Referral UK JSON that our own
importer reads back as the same services; a backup that is the same database."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis.cli import main
from analysis.ingest.load import load_directory
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    CONTACT_PUBLIC,
    EMAIL,
    FIELD_STATUS,
    SERVICE_ID,
)
from analysis.settings import DEMO_SERVICES_PATH
from analysis.store import schema
from analysis.store.access import command_line
from analysis.store.backup import backup_store
from analysis.store.editing import save_service
from analysis.store.exporting import export_store
from analysis.store.importing import import_file
from analysis.store.reads import load_directory_from_store
from tests.store.helpers import CONTACTS, MATTERS, assert_same_services, by_id

SERVICE = "ember-together--benefits-help"


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_the_template_export_reads_back_as_the_same_services(demo_store, bristol, shape, tmp_path):
    closed = {FIELD_STATUS: "temporarily closed"}
    save_service(demo_store, SERVICE, closed, expected_version=1, actor=command_line("e"))
    written = export_store(demo_store, tmp_path / "directory.csv", area=bristol)
    assert (written.services, written.organisations) == (900, 400)
    again, report = load_directory(written.path, area=bristol)
    assert report.rejected == 0 and report.accepted == 900
    everything = load_directory_from_store(
        demo_store, shape=shape, statuses=("active", "temporarily closed")
    )
    assert_same_services(again, everything, [*MATTERS, *CONTACTS, ACTIVE_FROM, ACTIVE_UNTIL])
    table = pd.read_csv(written.path, dtype=str, keep_default_na=False).set_index(SERVICE_ID)
    assert table.loc[SERVICE, FIELD_STATUS] == "temporarily closed"


def test_the_spreadsheet_export_reads_back_as_the_same_services(store, bristol, shape, tmp_path):
    rows = pd.read_csv(DEMO_SERVICES_PATH, dtype=str, keep_default_na=False).head(40)
    rows.to_csv(tmp_path / "forty.csv", index=False)
    import_file(store, tmp_path / "forty.csv", source="forty", area=bristol)
    written = export_store(store, tmp_path / "directory.xlsx", area=bristol)
    again, report = load_directory(written.path, area=bristol)
    assert (report.format, report.rejected, report.accepted) == ("xlsx", 0, 40)
    expected = load_directory_from_store(store, shape=shape)
    assert_same_services(again, expected, [*MATTERS, *CONTACTS, ACTIVE_FROM, ACTIVE_UNTIL])


def test_the_open_referral_export_reads_back_as_the_same_services(
    demo_store, bristol, shape, tmp_path
):
    path = export_store(demo_store, tmp_path / "directory.json", area=bristol).path
    again, report = load_directory(path, area=bristol)
    assert report.format == "oruk-json" and (report.rejected, report.accepted) == (0, 900)
    expected = load_directory_from_store(demo_store, shape=shape)
    assert_same_services(again, expected, MATTERS)
    # A feed is public: contacts not marked public are left out, and the rest read back.
    services, orgs = expected.services, expected.organisations
    shown = {*services.loc[services[CONTACT_PUBLIC], EMAIL], *orgs.loc[orgs[CONTACT_PUBLIC], EMAIL]}
    hidden = {*services.loc[~services[CONTACT_PUBLIC], EMAIL]} - shown - {""}
    text = path.read_text(encoding="utf-8")
    assert hidden and not any(email in text for email in hidden)
    public_ids = expected.services.loc[expected.services[CONTACT_PUBLIC], SERVICE_ID]
    pd.testing.assert_frame_equal(
        by_id(again, CONTACTS).loc[public_ids.sort_values()],
        by_id(expected, CONTACTS).loc[public_ids.sort_values()],
    )
    first = json.loads(text)["contents"][0]
    assert (
        first["status"] == "active" and first["capacities"][0]["unit"]["name"] == "places per week"
    )


def test_the_open_referral_export_leaves_out_each_detail_not_public(store, bristol, tmp_path):
    header = "org_name,service_name,postcode,categories,website,email,phone,contact_public,"
    header += "email_public,phone_public"
    rows = [
        "Heron,Pantry,BS8 1TH,food,https://heron.example,secret@heron.example,0117 496 0123,"
        "yes,no,",
        "Kite,Meals,BS8 1TH,food,https://kite.example,hello@kite.example,0117 496 0999,no,yes,",
    ]
    (tmp_path / "mixed.csv").write_text("\n".join([header, *rows]), encoding="utf-8")
    import_file(store, tmp_path / "mixed.csv", source="mixed", area=bristol)
    path = export_store(store, tmp_path / "directory.json", area=bristol).path
    text = path.read_text(encoding="utf-8")
    # Heron: website and phone public (the phone inherits contact_public), email private.
    assert "secret@heron.example" not in text
    assert "0117 496 0123" in text and "https://heron.example" in text
    # Kite: the email public alone.
    assert "hello@kite.example" in text
    assert "0117 496 0999" not in text and "https://kite.example" not in text
    services = {s["name"]: s for s in json.loads(text)["contents"]}
    assert services["Pantry"]["email"] == services["Pantry"]["organization"]["email"] == ""
    assert [p["number"] for p in services["Pantry"]["phones"]] == ["0117 496 0123"]
    assert services["Meals"]["phones"] == services["Meals"]["organization"]["phones"] == []


def test_an_export_as_of_a_past_day_holds_what_was_there(demo_store, bristol, tmp_path):
    path = tmp_path / "before.csv"
    assert (
        main(
            [
                "db",
                "export",
                "--out",
                str(path),
                "--as-of",
                "2026-01-09",
                "--database",
                _url(demo_store),
            ]
        )
        == 0
    )
    assert pd.read_csv(path).empty


@pytest.mark.parametrize(
    "arguments, expected",
    [
        (["--out", "directory.pdf"], "cannot export the directory to directory.pdf"),
        (["--out", "d.csv", "--as-of", "last week"], "--as-of 'last week' is not a date"),
    ],
)
def test_a_bad_export_is_one_line_with_the_fix(demo_store, capsys, tmp_path, arguments, expected):
    arguments = [
        a if not a.startswith(("d.", "directory.")) else str(tmp_path / a) for a in arguments
    ]
    assert main(["db", "export", *arguments, "--database", _url(demo_store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and "Fix:" in err


def _count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(schema.service)
        ).scalar_one()


def test_a_backup_is_the_same_database(demo_store, backend, tmp_path, capsys):
    target = tmp_path / ("store.sqlite3" if backend == "sqlite" else "store.dump")
    assert main(["db", "backup", "--out", str(target), "--database", _url(demo_store)]) == 0
    assert capsys.readouterr().out.startswith("wrote a backup of the database to")
    if backend == "sqlite":
        with sqlite3.connect(target) as copy:
            assert copy.execute("SELECT count(*) FROM service").fetchone()[0] == _count(demo_store)
    else:
        assert target.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    with pytest.raises(Exception, match="exists already; a backup never overwrites"):
        backup_store(demo_store, target)
