"""The Open Referral UK 3.0 feed: every page and object valid against the UK profile's
schemas (the national validator's checks), the filters, the errors, and what is never
published."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache

import jsonschema
import pytest
import sqlalchemy as sa
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from analysis.model import ORG_NAME, SERVICE_NAME
from analysis.store import schema
from analysis.store.access import PUBLIC, command_line
from analysis.store.editing import archive_service, open_service, save_service
from analysis.store.feed import (
    Feed,
    FeedNotFound,
    FeedParameterError,
    feed_index,
    openapi_document,
    public_id,
)
from analysis.store.proposals import new_id, submit
from analysis.store.reads import stored_records
from analysis.store.schema import (
    NEED_TAXONOMY,
    ORGANIZATION_RESOURCE,
    SERVICE_RESOURCE,
    SUGGESTION,
)
from analysis.store.writes import derived_id
from tests.analysis.ingest.helpers import SHARED_OPENREFERRAL

SCHEMA_DIR = SHARED_OPENREFERRAL / "uk-v3" / "schema"
SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
SERVICE = "ember-together--benefits-help"
ORGANISATION = "ember-together"
BASE = "https://feed.example.org/oruk"
EVERY = {"per_page": "500"}


@cache
def _registry() -> Registry:
    """Every schema of the UK profile, by the URL the OpenAPI document refers to it with."""
    resources = [
        (SCHEMA_URL + path.relative_to(SCHEMA_DIR).as_posix(), path)
        for path in sorted(SCHEMA_DIR.rglob("*.json"))
        if path.name != "openapi.json"
    ]
    return Registry().with_resources(
        (url, Resource(json.loads(path.read_text("utf-8")), specification=DRAFT202012))
        for url, path in resources
    )


def _validator(name: str) -> jsonschema.Validator:
    schema_ = _registry().contents(SCHEMA_URL + name)
    return jsonschema.Draft202012Validator(
        schema_, registry=_registry(), format_checker=jsonschema.FormatChecker()
    )


def _page_schema() -> dict:
    return json.loads((SCHEMA_DIR / "openapi.json").read_text("utf-8"))["components"]["schemas"][
        "Page"
    ]


def assert_valid(item: dict, name: str) -> None:
    """``item`` is valid against the schema ``name``, formats (uuid, email, date) checked."""
    errors = sorted(_validator(name).iter_errors(item), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
    )


def assert_page(page: dict, item_schema: str, *, number: int, per_page: int) -> None:
    """A Page of the standard: its keys right and consistent, each item valid."""
    jsonschema.validate(page, _page_schema())
    keys = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page"}
    assert keys | {"empty", "contents"} == set(page)
    total = page["total_items"]
    assert page["total_pages"] == max(1, math.ceil(total / per_page))
    assert page["page_number"] == number and page["size"] == len(page["contents"])
    assert page["first_page"] == (number == 1)
    assert page["last_page"] == (number == page["total_pages"])
    assert page["empty"] == (total == 0)
    expected_size = min(per_page, total - (number - 1) * per_page)
    assert page["size"] == expected_size
    for item in page["contents"]:
        assert_valid(item, item_schema)


def first_middle_last(
    list_: Callable[[dict], dict], query: dict[str, str], per_page: int
) -> Iterator[tuple[int, dict]]:
    """The first, a middle and the last page of a list."""
    first = list_({**query, "per_page": str(per_page)})
    pages = first["total_pages"]
    yield 1, first
    for number in sorted({max(1, (pages + 1) // 2), pages} - {1}):
        yield number, list_({**query, "per_page": str(per_page), "page": str(number)})


LISTS = [
    # list, query, per page, item schema, one (by id), its schema
    ("services", {}, 97, "compiled/service_list.json", "service", "compiled/service.json"),
    ("services", {"minimal": "true"}, 250, "compiled/service_list.json", None, None),
    ("services", {"full": "true"}, 200, "compiled/service.json", None, None),
    (
        "organizations",
        {},
        90,
        "compiled/organization_list.json",
        "organization",
        "compiled/organization.json",
    ),
    ("taxonomies", {}, 1, "taxonomy.json", "taxonomy", "taxonomy.json"),
    ("taxonomy_terms", {}, 50, "taxonomy_term.json", "taxonomy_term", "taxonomy_term.json"),
    (
        "service_at_locations",
        {},
        150,
        "compiled/service_at_location_list.json",
        "service_at_location",
        "compiled/service_at_location.json",
    ),
]


@pytest.mark.parametrize(("name", "query", "per_page", "item", "one", "one_schema"), LISTS)
def test_every_page_and_every_object_is_valid_open_referral_uk(
    demo_store, bristol, name, query, per_page, item, one, one_schema
):
    feed = Feed.current(demo_store, bristol)
    list_ = getattr(feed, name)
    seen = 0
    for number, page in first_middle_last(list_, query, per_page):
        assert page["total_pages"] >= 2
        assert_page(page, item, number=number, per_page=per_page)
        seen += 1
        if one is None:
            continue
        # The validator's second check: ids from the list fetch objects that validate.
        for listed in page["contents"][:3]:
            found = getattr(feed, one)(listed["id"])
            assert found["id"] == listed["id"]
            assert_valid(found, one_schema)
    assert seen == min(3, page["total_pages"])


def test_the_list_holds_what_the_store_publishes(demo_store, bristol):
    feed = Feed.current(demo_store, bristol)
    assert feed.services({})["total_items"] == 900
    assert feed.organizations({})["total_items"] == 400
    everything = feed.services({"per_page": "500"})["contents"]
    everything += feed.services({"per_page": "500", "page": "2"})["contents"]
    assert len({service["id"] for service in everything}) == 900
    # Our categories: a taxonomy of their own, with every category, beside the source's.
    taxonomies = {t["name"]: t for t in feed.taxonomies({})["contents"]}
    assert set(taxonomies) == {NEED_TAXONOMY, "source:demo"}
    ours = feed.taxonomy_terms({"taxonomy_id": taxonomies[NEED_TAXONOMY]["id"], "per_page": "500"})
    food = next(term for term in ours["contents"] if term["code"] == "food")
    assert food["id"] == derived_id(NEED_TAXONOMY, "food") and food["name"] != "food"
    theirs = feed.taxonomy_terms({"taxonomy_id": taxonomies["source:demo"]["id"]})
    assert theirs["total_items"] > 0
    assert all(t["taxonomy"] == "source:demo" for t in theirs["contents"])
    full = feed.service(public_id(SERVICE_RESOURCE, SERVICE))
    kinds = {a["taxonomy_term"]["taxonomy"] for a in full["attributes"]}
    assert kinds == {NEED_TAXONOMY, "source:demo"}


def _ids(page: dict) -> set[str]:
    return {item["id"] for item in page["contents"]}


def test_each_services_filter_alone_and_together(demo_store, bristol):
    full = Feed.current(demo_store, bristol).service(public_id(SERVICE_RESOURCE, SERVICE))
    term = next(a for a in full["attributes"] if a["taxonomy_term"]["taxonomy"] == NEED_TAXONOMY)
    org_id = public_id(ORGANIZATION_RESOURCE, ORGANISATION)
    later = datetime(2030, 1, 1)
    save_service(
        demo_store,
        SERVICE,
        {SERVICE_NAME: "Benefits Help Plus"},
        expected_version=1,
        actor=command_line("test"),
        at=later,
    )
    feed = Feed.current(demo_store, bristol)
    every = {"per_page": "500"}
    all_ids = _ids(feed.services(every)) | _ids(feed.services({**every, "page": "2"}))

    def ids(**query: str) -> set[str]:
        first = feed.services({**every, **query})
        found = _ids(first)
        for number in range(2, first["total_pages"] + 1):
            found |= _ids(feed.services({**every, **query, "page": str(number)}))
        assert len(found) == first["total_items"]
        return found

    by_search = ids(search="BENEFITS help")
    by_term = ids(taxonomy_term_id=term["taxonomy_term_id"])
    by_taxonomy = ids(taxonomy_id=term["taxonomy_term"]["taxonomy_id"])
    by_org = ids(organization_id=org_id)
    by_time = ids(modified_after="2029-12-31T23:00:00Z")
    assert full["id"] in by_search & by_term & by_taxonomy & by_org & by_time
    for one in (by_search, by_term, by_org):
        assert 1 <= len(one) < len(all_ids)
    assert by_time == {full["id"]}
    assert by_taxonomy == all_ids  # every demo service has one of our categories
    together = ids(search="help", taxonomy_term_id=term["taxonomy_term_id"], organization_id=org_id)
    assert together == ids(search="help") & by_term & by_org and together
    # A zone is honoured; a time without one is UTC.
    assert ids(modified_after="2030-01-01T09:00:00+09:00") == {full["id"]}
    assert ids(modified_after="2030-01-01T00:00:01") == set()
    assert ids(modified_after="2030-01-01") == {full["id"]}  # on or after, as the API says
    assert ids(search="no such words anywhere") == set()
    empty = feed.services({"search": "no such words anywhere"})
    assert empty["empty"] and empty["total_pages"] == 1 and empty["contents"] == []
    # The shapes: the default has the organisation, minimal no nested object, full all.
    listed = feed.services({"organization_id": org_id})["contents"][0]
    minimal = feed.services({"organization_id": org_id, "minimal": "true"})["contents"][0]
    nested = feed.services({"organization_id": org_id, "full": "true"})["contents"][0]
    assert "organization" in listed and "service_at_locations" not in listed
    assert not any(isinstance(value, dict | list) for value in minimal.values())
    assert nested == feed.service(nested["id"]) and "attributes" in nested


@pytest.mark.parametrize(
    ("method", "query", "parameter", "message"),
    [
        (
            "services",
            {"per_page": "abc"},
            "per_page",
            "per_page must be a whole number from 1 to 500, not 'abc'",
        ),
        ("services", {"per_page": "501"}, "per_page", "from 1 to 500, not '501'"),
        ("services", {"page": "0"}, "page", "page must be a whole number"),
        ("services", {"page": "99"}, "page", "page 99 is past the last page, 18"),
        ("services", {"minimal": "maybe"}, "minimal", "minimal must be true or false"),
        ("services", {"full": "true", "minimal": "true"}, "full", "cannot both be true"),
        ("services", {"modified_after": "last week"}, "modified_after", "ISO 8601"),
        ("services", {"day": "monday"}, "day", "does not filter on day"),
        ("taxonomies", {"per_page": "-1"}, "per_page", "whole number"),
        ("taxonomy_terms", {"page": "x"}, "page", "whole number"),
        ("organizations", {"per_page": "1.5"}, "per_page", "whole number"),
        ("service_at_locations", {"postcode": "not a postcode"}, "postcode", "Fix:"),
        ("service_at_locations", {"postcode": "SW1A 1AA"}, "postcode", "is not in the postcode"),
        ("service_at_locations", {"proximity": "500"}, "proximity", "needs a postcode"),
        (
            "service_at_locations",
            {"postcode": "BS1 3BE", "proximity": "far"},
            "proximity",
            "metres above 0, not 'far'",
        ),
    ],
)
def test_a_bad_parameter_is_named_with_the_fix(
    demo_store, bristol, method, query, parameter, message
):
    feed = Feed.current(demo_store, bristol)
    with pytest.raises(FeedParameterError, match=message) as raised:
        getattr(feed, method)(query)
    assert raised.value.parameter == parameter and "Fix:" in str(raised.value)


def test_an_unknown_parameter_is_ignored_and_an_unknown_id_not_found(demo_store, bristol):
    feed = Feed.current(demo_store, bristol)
    assert feed.services({"colour": "blue"}) == feed.services({})
    for method in ("service", "organization", "taxonomy", "taxonomy_term", "service_at_location"):
        with pytest.raises(FeedNotFound, match="no published .* has the id 'nope'. Fix: take"):
            getattr(feed, method)("nope")
    with pytest.raises(FeedNotFound):
        feed.service(SERVICE)  # the stored id is not the published one: a UUID is


def _details(store, *, public: bool) -> set[str]:
    """Every email and phone number of the store whose own flag is ``public``."""
    found: set[str] = set()
    with store.connect() as connection:
        for table in (schema.service, schema.organization):
            flag = table.c.email_public if public else ~table.c.email_public
            emails = connection.execute(sa.select(table.c.email).where(flag, table.c.email != ""))
            found |= set(emails.scalars())
        phone = schema.phone
        flag = phone.c.public if public else ~phone.c.public
        found |= set(connection.execute(sa.select(phone.c.number).where(flag)).scalars())
    return found


def _everything(feed: Feed) -> str:
    """The text of every page and every object the feed serves."""
    parts: list[dict] = [feed_index(BASE), openapi_document(BASE)]
    for name, one in (
        ("services", "service"),
        ("organizations", "organization"),
        ("taxonomies", "taxonomy"),
        ("taxonomy_terms", "taxonomy_term"),
        ("service_at_locations", "service_at_location"),
    ):
        query = {"per_page": "500", **({"full": "true"} if name == "services" else {})}
        number, pages = 1, 1
        while number <= pages:
            page = getattr(feed, name)({**query, "page": str(number)})
            parts.append(page)
            parts += [getattr(feed, one)(item["id"]) for item in page["contents"]]
            pages, number = page["total_pages"], number + 1
    return json.dumps(parts, ensure_ascii=False)


def test_private_contact_details_appear_nowhere(demo_store, bristol):
    shown = _details(demo_store, public=True)
    # A number private on one record and public on another (an organisation's) is shown.
    hidden = _details(demo_store, public=False) - shown
    assert len(hidden) > 20
    text = _everything(Feed.current(demo_store, bristol))
    assert not [detail for detail in hidden if detail in text]
    assert all(detail in text for detail in shown)
    assert "null" not in text.replace('"nullable"', "")  # optional fields are left out


def test_a_write_shows_in_the_next_feed_and_a_proposal_never(demo_store, bristol):
    before = Feed.current(demo_store, bristol)
    assert Feed.current(demo_store, bristol) is before  # cached for its data version
    service_id = public_id(SERVICE_RESOURCE, SERVICE)
    stored = open_service(demo_store, SERVICE)
    with demo_store.connect() as connection:
        org = stored_records(connection, ORGANIZATION_RESOURCE, ids=[ORGANISATION])
    held = submit(
        demo_store,
        PUBLIC,
        organisation_id=new_id(),
        organisation_record={**org[ORGANISATION].record, ORG_NAME: "A group held for review"},
        service_id=new_id(),
        service_record={**stored.record, SERVICE_NAME: "A name held for review"},
        kind=SUGGESTION,
    )
    assert not held.published
    save_service(
        demo_store,
        SERVICE,
        {SERVICE_NAME: "Benefits Help Renamed"},
        expected_version=stored.version,
        actor=command_line("test"),
    )
    after = Feed.current(demo_store, bristol)
    assert after is not before and after.version > before.version
    assert after.service(service_id)["name"] == "Benefits Help Renamed"
    text = _everything(after)
    assert "A name held for review" not in text and "A group held for review" not in text
    archive_service(
        demo_store,
        SERVICE,
        expected_version=open_service(demo_store, SERVICE).version,
        actor=command_line("test"),
    )
    gone = Feed.current(demo_store, bristol)
    with pytest.raises(FeedNotFound):
        gone.service(service_id)
    assert gone.services({})["total_items"] == 899


def test_service_at_locations_near_a_postcode(demo_store, bristol):
    feed = Feed.current(demo_store, bristol)
    every = feed.service_at_locations({})["total_items"]
    near = feed.service_at_locations(
        {"postcode": "bs1 3be", "proximity": "1000", "per_page": "500"}
    )
    nearer = feed.service_at_locations(
        {"postcode": "BS1 3BE", "proximity": "300", "per_page": "500"}
    )
    assert 0 < nearer["total_items"] < near["total_items"] < every
    assert _ids(nearer) <= _ids(near)
    point = bristol.postcodes.loc["BS1 3BE"]
    from analysis.crs import lonlat_to_bng

    gaps = []
    for entry in near["contents"]:
        x, y = lonlat_to_bng(entry["location"]["longitude"], entry["location"]["latitude"])
        gaps.append(math.hypot(x - point["easting"], y - point["northing"]))
    assert max(gaps) <= 1000.5 and gaps == sorted(gaps)  # nearest first
    # A postcode alone: the services whose area served holds it.
    covered = feed.service_at_locations({"postcode": "BS1 3BE", "per_page": "500"})
    assert 0 < covered["total_items"] < every
    for entry in covered["contents"][:20]:
        assert_valid(entry, "compiled/service_at_location_list.json")


def test_the_index_and_the_openapi_document(demo_store, bristol):
    index = feed_index(BASE + "/")
    assert index == {
        "version": "3.0",
        "profile": index["profile"],
        "openapi_url": f"{BASE}/openapi.json",
    }
    assert index["profile"].startswith("https://")
    document = openapi_document(BASE)
    assert document["servers"] == [{"url": BASE}]
    assert set(document["paths"]) == {
        "/",
        "/services",
        "/services/{id}",
        "/organizations",
        "/organizations/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
    }
    names = {
        p["$ref"].rsplit("/", 1)[1] for p in document["paths"]["/services"]["get"]["parameters"]
    }
    assert names == {
        "search",
        "page",
        "per_page",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "minimal",
        "full",
    }
    for path in document["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if "$ref" in parameter:
                    assert (
                        parameter["$ref"].rsplit("/", 1)[1] in document["components"]["parameters"]
                    )
    document["servers"] = []
    assert openapi_document(BASE)["servers"] == [{"url": BASE}]  # each call its own copy
