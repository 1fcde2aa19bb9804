"""The store's tables, after Open Referral UK 3.0, and the store's own vocabularies.

Table and column names are Open Referral UK's (``organization``, ``service``,
``location``, ``service_at_location``, ``service_area``, ``contact``, ``phone``,
``taxonomy``, ``taxonomy_term``, ``attribute``) so that the feed is a projection of the
tables. The store adds what the standard leaves out and the analysis needs:

- on ``service``: the area served (``area_kind``, ``area_value``, ``radius_m``; the wards
  of a ``wards`` area are its ``service_area`` rows), delivery modes, capacity with its
  unit, ``last_verified`` (a person confirmed the record; an import never sets it), and
  ``contact_public`` (whether its contact details may be shown);
- on ``organization``: kind, charity number and ``contact_public`` (its phone is a
  ``phone`` row, as a service's is, each with a ``public`` flag);
- on both: the ``source`` the record came from with its id there (``source_id``), so that
  importing a file again updates the same records; ``archived`` (a soft delete);
  ``version``, raised by every change (optimistic locking); created and modified times;
- ``metadata``: one row per change, after HSDS's metadata table (who, when, what kind of
  change, which field, its previous and replacement values, as JSON);
- ``import_run``: one row per import, with the importer's counts;
- ``store_state``: the data version, raised by every write (caches key on it).

Times are UTC, stored without a zone. This module is the schema the code uses; the
migrations in ``migrations/versions`` create it, each frozen as it was written.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import sqlalchemy as sa

from analysis.model import AREA_SERVED_KINDS

# ---------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------

ServiceStatus = Literal["active", "inactive", "temporarily closed", "defunct"]
"""Open Referral UK's service status."""
SERVICE_STATUSES: Final = get_args(ServiceStatus)
ACTIVE, INACTIVE, TEMPORARILY_CLOSED, DEFUNCT = SERVICE_STATUSES

ChangeSource = Literal["import", "edit", "review"]
"""What made a change: a file imported, a person's edit, a reviewer's decision."""
CHANGE_SOURCES: Final = get_args(ChangeSource)
BY_IMPORT, BY_EDIT, BY_REVIEW = CHANGE_SOURCES

ChangeAction = Literal["create", "update"]
"""HSDS's ``last_action_type``: a record created (all its values) or one field changed."""
CHANGE_ACTIONS: Final = get_args(ChangeAction)
CREATED, UPDATED = CHANGE_ACTIONS

ResourceType = Literal["organization", "service"]
"""The records that carry a version and a history."""
RESOURCE_TYPES: Final = get_args(ResourceType)
ORGANIZATION_RESOURCE, SERVICE_RESOURCE = RESOURCE_TYPES

LinkType = Literal["service"]
"""What an ``attribute`` row links a taxonomy term to."""
SERVICE_LINK: Final[LinkType] = "service"

NEED_TAXONOMY: Final = "safetynet-need-categories"
"""The taxonomy of our need categories (``data/taxonomy.csv`` ids are its term codes)."""
SOURCE_TAXONOMY_PREFIX: Final = "source:"
"""A source's own terms live in the taxonomy ``source:<source name>``."""
STATE_ROW: Final = 1
"""The one row of ``store_state``."""

_STATUS_LIST: Final = ", ".join(f"'{status}'" for status in SERVICE_STATUSES)
_AREA_KIND_LIST: Final = ", ".join(f"'{kind}'" for kind in AREA_SERVED_KINDS)

metadata = sa.MetaData()
"""The SQLAlchemy metadata of every table."""


def _id() -> sa.Column:
    return sa.Column("id", sa.String(200), primary_key=True)


def _record_columns() -> list[sa.Column]:
    """The columns every versioned record has: source, soft delete, version, times."""
    return [
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("source_id", sa.String(200), nullable=True),
        sa.Column("archived", sa.Boolean, nullable=False, default=False),
        sa.Column("version", sa.Integer, nullable=False, default=1),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("modified_at", sa.DateTime, nullable=False),
    ]


organization = sa.Table(
    "organization",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("email", sa.Text, nullable=False, default=""),
    sa.Column("website", sa.Text, nullable=False, default=""),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("charity_number", sa.String(40), nullable=False, default=""),
    sa.Column("contact_public", sa.Boolean, nullable=False, default=False),
    sa.Column("last_updated", sa.Date, nullable=True),
    *_record_columns(),
    sa.UniqueConstraint("source", "source_id", name="uq_organization_source"),
)

service = sa.Table(
    "service",
    metadata,
    _id(),
    sa.Column(
        "organization_id",
        sa.String(200),
        sa.ForeignKey("organization.id", name="fk_service_organization"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("url", sa.Text, nullable=False, default=""),
    sa.Column("email", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(20), nullable=False, default=ACTIVE),
    sa.Column("delivery", sa.JSON, nullable=False),
    sa.Column("area_kind", sa.String(20), nullable=False),
    sa.Column("area_value", sa.Text, nullable=False, default=""),
    sa.Column("radius_m", sa.Float, nullable=True),
    sa.Column("capacity", sa.Float, nullable=True),
    sa.Column("capacity_unit", sa.String(40), nullable=False),
    sa.Column("audience", sa.Text, nullable=False, default=""),
    sa.Column("active_from", sa.Date, nullable=True),
    sa.Column("active_until", sa.Date, nullable=True),
    sa.Column("last_updated", sa.Date, nullable=True),
    sa.Column("last_verified", sa.DateTime, nullable=True),
    sa.Column("contact_public", sa.Boolean, nullable=False, default=False),
    sa.Column("flags", sa.JSON, nullable=False),
    sa.Column("source_row", sa.Integer, nullable=False, default=0),
    *_record_columns(),
    sa.UniqueConstraint("source", "source_id", name="uq_service_source"),
    sa.CheckConstraint(f"status IN ({_STATUS_LIST})", name="ck_service_status"),
    sa.CheckConstraint(f"area_kind IN ({_AREA_KIND_LIST})", name="ck_service_area_kind"),
)

location = sa.Table(
    "location",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("postcode", sa.String(10), nullable=False, default=""),
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("easting", sa.Float, nullable=False),
    sa.Column("northing", sa.Float, nullable=False),
)

service_at_location = sa.Table(
    "service_at_location",
    metadata,
    _id(),
    sa.Column(
        "service_id",
        sa.String(200),
        sa.ForeignKey("service.id", name="fk_service_at_location_service"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "location_id",
        sa.String(200),
        sa.ForeignKey("location.id", name="fk_service_at_location_location"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),
)

service_area = sa.Table(
    "service_area",
    metadata,
    _id(),
    sa.Column(
        "service_id",
        sa.String(200),
        sa.ForeignKey("service.id", name="fk_service_area_service"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("code", sa.String(20), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

contact = sa.Table(
    "contact",
    metadata,
    _id(),
    sa.Column("service_id", sa.String(200), sa.ForeignKey("service.id", name="fk_contact_service")),
    sa.Column(
        "organization_id",
        sa.String(200),
        sa.ForeignKey("organization.id", name="fk_contact_organization"),
    ),
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("email", sa.Text, nullable=False, default=""),
    sa.Column("public", sa.Boolean, nullable=False, default=False),
)

phone = sa.Table(
    "phone",
    metadata,
    _id(),
    sa.Column(
        "service_id",
        sa.String(200),
        sa.ForeignKey("service.id", name="fk_phone_service"),
        index=True,
    ),
    sa.Column(
        "organization_id",
        sa.String(200),
        sa.ForeignKey("organization.id", name="fk_phone_organization"),
        index=True,
    ),
    sa.Column("contact_id", sa.String(200), sa.ForeignKey("contact.id", name="fk_phone_contact")),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("public", sa.Boolean, nullable=False, default=False),
)

taxonomy = sa.Table(
    "taxonomy",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("uri", sa.Text, nullable=False, default=""),
    sa.Column("version", sa.String(40), nullable=False, default=""),
)

taxonomy_term = sa.Table(
    "taxonomy_term",
    metadata,
    _id(),
    sa.Column(
        "taxonomy_id",
        sa.String(200),
        sa.ForeignKey("taxonomy.id", name="fk_taxonomy_term_taxonomy"),
        nullable=False,
    ),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("parent_id", sa.String(200), nullable=True),
)

attribute = sa.Table(
    "attribute",
    metadata,
    _id(),
    sa.Column("link_id", sa.String(200), nullable=False),
    sa.Column("link_type", sa.String(40), nullable=False),
    sa.Column(
        "taxonomy_term_id",
        sa.String(200),
        sa.ForeignKey("taxonomy_term.id", name="fk_attribute_taxonomy_term"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_attribute_link", "link_type", "link_id"),
)

import_run = sa.Table(
    "import_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("format", sa.String(20), nullable=False),
    sa.Column("full", sa.Boolean, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("created", sa.Integer, nullable=False),
    sa.Column("changed", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
    sa.Column("deactivated", sa.Integer, nullable=False),
)

change = sa.Table(
    "metadata",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("resource_id", sa.String(200), nullable=False),
    sa.Column("resource_type", sa.String(20), nullable=False),
    sa.Column("last_action_type", sa.String(20), nullable=False),
    sa.Column("field_name", sa.String(60), nullable=False, default=""),
    sa.Column("previous_value", sa.Text, nullable=True),
    sa.Column("replacement_value", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
    sa.Column("source_kind", sa.String(20), nullable=False),
    sa.Column(
        "import_id", sa.Integer, sa.ForeignKey("import_run.id", name="fk_metadata_import_run")
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_metadata_resource", "resource_type", "resource_id"),
    sa.Index("ix_metadata_updated_at", "updated_at"),
)
"""HSDS's ``metadata`` table: the history of every organisation and service."""

store_state = sa.Table(
    "store_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("data_version", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
