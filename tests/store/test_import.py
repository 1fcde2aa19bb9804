"""Importing files into the store: through the importer, matched by source and id, the same
file twice changes nothing, a changed record is a new version, --full makes the missing
inactive; and the Directory read back is the importer's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis.cli import main
from analysis.errors import StoreError
from analysis.ingest.load import load_directory
from analysis.model import CAPACITY, FIELD_STATUS, SERVICE_ID, SERVICE_NAME
from analysis.settings import DEMO_SERVICES_PATH
from analysis.store import schema
from analysis.store.importing import import_file
from analysis.store.reads import data_version, load_directory_from_store, stored_records
from analysis.store.records import SOURCE_TERMS
from analysis.store.schema import INACTIVE, SERVICE_RESOURCE
from tests.store.conftest import DEMO_AT
from tests.store.helpers import CONTACTS, MATTERS, assert_same_services

LATER = DEMO_AT.replace(month=3)


def _demo_rows(count: int | None = None) -> pd.DataFrame:
    frame = pd.read_csv(DEMO_SERVICES_PATH, dtype=str, keep_default_na=False)
    return frame if count is None else frame.head(count)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def _history_rows(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(schema.change)
        ).scalar_one()


def test_the_store_gives_back_the_directory_the_importer_built(demo_store, bristol, shape):
    expected, _ = load_directory(DEMO_SERVICES_PATH, area=bristol)
    got = load_directory_from_store(demo_store, shape=shape)
    assert_same_services(got, expected, [*MATTERS, *CONTACTS])
    orgs = got.organisations.set_index("org_id").sort_index()
    pd.testing.assert_frame_equal(orgs, expected.organisations.set_index("org_id").sort_index())
    # The areas served are drawn again from the same wards and venues.
    mine = got.services.set_index(SERVICE_ID).sort_index().geometry
    theirs = expected.services.set_index(SERVICE_ID).sort_index().geometry
    assert (mine.symmetric_difference(theirs).area / theirs.area.clip(lower=1)).max() < 1e-4


def test_importing_the_same_file_again_changes_nothing(demo_store, bristol):
    versions_before, history_before = data_version(demo_store), _history_rows(demo_store)
    done = import_file(demo_store, DEMO_SERVICES_PATH, source="demo", area=bristol, at=LATER)
    assert (done.created, done.changed, done.deactivated) == (0, 0, 0)
    assert done.unchanged == done.report.accepted == 900
    assert (data_version(demo_store), _history_rows(demo_store)) == (
        versions_before,
        history_before,
    )
    with demo_store.connect() as connection:
        versions = connection.execute(sa.select(sa.func.max(schema.service.c.version))).scalar()
    assert versions == 1


def test_a_changed_record_becomes_a_new_version_with_its_field_history(store, bristol, tmp_path):
    rows = _demo_rows(20)
    first = import_file(
        store, _write(rows, tmp_path / "a.csv"), source="s", area=bristol, at=DEMO_AT
    )
    assert (first.created, first.organisations_created) == (20, rows["org_id"].nunique())
    changed = rows.copy()
    changed.loc[0, "capacity"] = "99"
    changed.loc[1, "service_name"] = "Renamed Club"
    done = import_file(
        store, _write(changed, tmp_path / "b.csv"), source="s", area=bristol, at=LATER
    )
    assert (done.created, done.changed, done.unchanged) == (0, 2, 18)
    with store.connect() as connection:
        stored = stored_records(connection, SERVICE_RESOURCE)
        history = connection.execute(
            sa.select(
                schema.change.c.resource_id, schema.change.c.field_name, schema.change.c.version
            )
            .where(schema.change.c.updated_at == LATER)
            .order_by(schema.change.c.id)
        ).all()
    first_id, second_id = rows.loc[0, SERVICE_ID], rows.loc[1, SERVICE_ID]
    assert stored[first_id].version == 2 and stored[first_id].record[CAPACITY] == 99.0
    assert stored[second_id].record[SERVICE_NAME] == "Renamed Club"
    assert history == [(first_id, CAPACITY, 2), (second_id, SERVICE_NAME, 2)]


def test_full_makes_the_missing_inactive_and_a_later_file_brings_them_back(
    store, bristol, tmp_path
):
    rows = _demo_rows(12)
    import_file(store, _write(rows, tmp_path / "all.csv"), source="s", area=bristol, at=DEMO_AT)
    part = _write(rows.iloc[:10], tmp_path / "part.csv")
    done = import_file(store, part, source="s", full=True, area=bristol, at=LATER)
    assert (done.deactivated, done.changed, done.unchanged) == (2, 0, 10)
    gone = set(rows[SERVICE_ID].iloc[10:])
    with store.connect() as connection:
        stored = stored_records(connection, SERVICE_RESOURCE)
    assert {key for key, each in stored.items() if each.record[FIELD_STATUS] == INACTIVE} == gone
    assert gone.isdisjoint(load_directory_from_store(store, area=bristol).services[SERVICE_ID])
    # Not deleted: on the day before, the directory still had them.
    before = load_directory_from_store(store, area=bristol, as_of=DEMO_AT.date())
    assert gone <= set(before.services[SERVICE_ID])
    again = import_file(store, tmp_path / "all.csv", source="s", area=bristol)
    assert again.changed == 2
    assert gone <= set(load_directory_from_store(store, area=bristol).services[SERVICE_ID])


def test_without_full_the_missing_are_left_as_they_are(store, bristol, tmp_path):
    rows = _demo_rows(5)
    import_file(store, _write(rows, tmp_path / "all.csv"), source="s", area=bristol)
    done = import_file(store, _write(rows.iloc[:2], tmp_path / "two.csv"), source="s", area=bristol)
    assert (done.deactivated, done.unchanged) == (0, 2)
    assert len(load_directory_from_store(store, area=bristol).services) == 5


def test_full_refuses_a_file_with_nothing_to_keep(store, bristol, tmp_path):
    rows = _demo_rows(5)
    import_file(store, _write(rows, tmp_path / "all.csv"), source="s", area=bristol)
    broken = rows.assign(postcode="ZZ99 9ZZ", latitude="", longitude="", area_served="")
    path = _write(broken, tmp_path / "broken.csv")
    with pytest.raises(StoreError, match="with --full every service of 's' would be made inactive"):
        import_file(store, path, source="s", full=True, area=bristol)
    assert len(load_directory_from_store(store, area=bristol).services) == 5


def test_two_sources_with_the_same_ids_keep_apart(store, bristol, tmp_path):
    rows = _demo_rows(3)
    path = _write(rows, tmp_path / "a.csv")
    import_file(store, path, source="first", area=bristol)
    done = import_file(store, path, source="second", area=bristol)
    assert done.created == 3
    ids = set(load_directory_from_store(store, area=bristol).services[SERVICE_ID])
    assert ids == {*rows[SERVICE_ID], *(f"second:{each}" for each in rows[SERVICE_ID])}


def test_a_service_keeps_its_sources_own_terms_and_status(store, bristol, tmp_path):
    rows = _demo_rows(2).copy()
    rows.loc[0, "categories"] = "Food bank; hot meals"
    rows["status"] = ["temporarily closed", ""]
    import_file(store, _write(rows, tmp_path / "a.csv"), source="s", area=bristol)
    with store.connect() as connection:
        stored = stored_records(connection, SERVICE_RESOURCE)
    first, second = (stored[key].record for key in rows[SERVICE_ID])
    assert first[SOURCE_TERMS] == ["Food bank", "hot meals"]
    assert (first[FIELD_STATUS], second[FIELD_STATUS]) == ("temporarily closed", "active")
    # A temporarily closed service is in the store, not in the directory analysed.
    ids = set(load_directory_from_store(store, area=bristol).services[SERVICE_ID])
    assert ids == {rows.loc[1, SERVICE_ID]}


def test_db_import_prints_the_report_and_what_it_stored(store_url, capsys, tmp_path):
    rows = _demo_rows(6).copy()
    rows.loc[5, "postcode"], rows.loc[5, "latitude"], rows.loc[5, "longitude"] = "NOT ONE", "", ""
    path = _write(rows, tmp_path / "six.csv")
    assert main(["db", "import", str(path), "--database", store_url, "--source", "six"]) == 1
    out = capsys.readouterr().out
    assert "six.csv: 6 rows read, 5 accepted" in out and "1 rejected" in out
    assert "six: 5 services created, 0 changed" in out
    assert main(["db", "import", str(path), "--database", store_url, "--source", "six"]) == 1
    assert "six: 0 services created, 0 changed (a new version each), 5 unchanged" in (
        capsys.readouterr().out
    )


def test_db_import_of_an_unreadable_file_says_so_and_stores_nothing(store_url, capsys, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert main(["db", "import", str(path), "--database", store_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
