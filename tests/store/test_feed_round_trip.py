"""The whole feed read back by our own importer: the same services, nothing the standard
carries lost."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from analysis.ingest.load import load_directory
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    CONTACT_PUBLIC,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_STATUS,
    LAST_UPDATED,
    ORG_ID,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    SERVICE_ID,
    WEBSITE,
)
from analysis.store import schema
from analysis.store.access import command_line
from analysis.store.editing import save_service
from analysis.store.feed import Feed, public_id
from analysis.store.importing import import_file
from analysis.store.reads import load_directory_from_store, records_as_of
from analysis.store.schema import ORGANIZATION_RESOURCE, SERVICE_RESOURCE, SERVICE_STATUSES
from tests.store.helpers import MATTERS, assert_same_services

SERVICE = "ember-together--benefits-help"


def _whole_feed(feed: Feed) -> list[dict]:
    """Every page of /services with full objects."""
    pages = [feed.services({"full": "true", "per_page": "200"})]
    while not pages[-1]["last_page"]:
        number = pages[-1]["page_number"] + 1
        pages.append(feed.services({"full": "true", "per_page": "200", "page": str(number)}))
    return pages


def _published_ids(directory):
    """The Directory with the ids the feed publishes (UUIDs) in place of the stored ones."""
    services = directory.services.copy()
    services[SERVICE_ID] = [public_id(SERVICE_RESOURCE, key) for key in services[SERVICE_ID]]
    services[ORG_ID] = [public_id(ORGANIZATION_RESOURCE, key) for key in services[ORG_ID]]
    organisations = directory.organisations.copy()
    organisations[ORG_ID] = [public_id(ORGANIZATION_RESOURCE, k) for k in organisations[ORG_ID]]
    return type(directory)(organisations=organisations, services=services)


def test_the_whole_feed_reads_back_as_the_same_services(demo_store, store, bristol, tmp_path):
    closed = {FIELD_STATUS: "temporarily closed"}
    save_service(demo_store, SERVICE, closed, expected_version=1, actor=command_line("e"))
    pages = _whole_feed(Feed.current(demo_store, bristol))
    assert len(pages) == 5 and sum(page["size"] for page in pages) == 900
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")

    again, report = load_directory(path, area=bristol)
    assert report.format == "oruk-json" and (report.accepted, report.rejected) == (900, 0)
    expected = _published_ids(
        load_directory_from_store(demo_store, area=bristol, statuses=SERVICE_STATUSES)
    )
    assert_same_services(again, expected, [*MATTERS, DESCRIPTION, LAST_UPDATED])
    # Contacts: a service whose details are all public reads back with all of them (the
    # others' private details are nowhere in the feed: tests/store/test_feed.py).
    mine = again.services.set_index(SERVICE_ID).sort_index()
    theirs = expected.services.set_index(SERVICE_ID).sort_index()
    public = theirs[CONTACT_PUBLIC] & theirs[EMAIL_PUBLIC] & theirs[PHONE_PUBLIC]
    assert public.sum() > 100
    contacts = [WEBSITE, EMAIL, PHONE]
    pd.testing.assert_frame_equal(mine.loc[public, contacts], theirs.loc[public, contacts])
    orgs = again.organisations.set_index(ORG_ID).sort_index()
    stored_orgs = expected.organisations.set_index(ORG_ID).sort_index()
    published = stored_orgs.loc[sorted(set(theirs[ORG_ID]))]
    pd.testing.assert_series_equal(orgs[ORG_NAME], published[ORG_NAME])
    pd.testing.assert_series_equal(orgs[DESCRIPTION], published[DESCRIPTION])

    # Status (which a Directory does not hold) and the dates a service runs: through a
    # second store that imports the feed, and the feed's own schedules.
    import_file(store, path, source="feed", area=bristol)
    with store.connect() as connection:
        statuses = dict(
            connection.execute(sa.select(schema.service.c.id, schema.service.c.status)).all()
        )
    with demo_store.connect() as connection:
        records = records_as_of(connection, SERVICE_RESOURCE, None)
    assert statuses == {
        public_id(SERVICE_RESOURCE, key): record[FIELD_STATUS] for key, record in records.items()
    }
    assert statuses[public_id(SERVICE_RESOURCE, SERVICE)] == "temporarily closed"
    services = {service["id"]: service for page in pages for service in page["contents"]}
    for key, record in records.items():
        schedules = services[public_id(SERVICE_RESOURCE, key)].get("schedules", [])
        for field, day in (("valid_from", record[ACTIVE_FROM]), ("valid_to", record[ACTIVE_UNTIL])):
            assert {schedule.get(field) for schedule in schedules} <= {day or None}
            assert not day or schedules
