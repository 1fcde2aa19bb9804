"""The store's tables, after Open Referral UK 3.0, and the store's own vocabularies.

Table and column names are Open Referral UK's (``organization``, ``service``,
``location``, ``service_at_location``, ``service_area``, ``contact``, ``phone``,
``taxonomy``, ``taxonomy_term``, ``attribute``) so that the feed is a projection of the
tables. The store adds what the standard leaves out and the analysis needs:

- on ``service``: the area served (``area_kind``, ``area_value``, ``radius_m``; the wards
  of a ``wards`` area are its ``service_area`` rows), delivery modes, capacity with its
  unit, ``last_verified`` (a person confirmed the record; an import never sets it), and
  ``contact_public``, ``email_public`` and ``phone_public`` (whether its website, its
  email and its phone may be shown);
- on ``organization``: kind, charity number and the same three flags (its phone is a
  ``phone`` row, as a service's is, each with a ``public`` flag: ``phone_public``);
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
    sa.Column("email_public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("phone_public", sa.Boolean, nullable=False, server_default=sa.false()),
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
    sa.Column("email_public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("phone_public", sa.Boolean, nullable=False, server_default=sa.false()),
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

# ---------------------------------------------------------------------------------------
# People: accounts, their sign-in, the organisations they keep, claims and proposals
# ---------------------------------------------------------------------------------------

AccountRole = Literal["editor", "reviewer", "admin"]
"""What an account may do (`analysis.store.access`); the public has no account."""
ACCOUNT_ROLES: Final = get_args(AccountRole)
EDITOR, REVIEWER, ADMIN = ACCOUNT_ROLES

TokenPurpose = Literal["invitation", "reset", "session"]
"""What a secret link or a sign-in is for: set a first password, set a new one, stay signed
in."""
TOKEN_PURPOSES: Final = get_args(TokenPurpose)
INVITATION, RESET, SESSION = TOKEN_PURPOSES

Decision = Literal["pending", "approved", "declined", "withdrawn", "superseded"]
"""Where a claim or a proposed version stands."""
DECISIONS: Final = get_args(Decision)
PENDING, APPROVED, DECLINED, WITHDRAWN, SUPERSEDED = DECISIONS

ProposalKind = Literal["change", "new service", "new organisation", "suggestion"]
"""A proposal changes records, adds a service or an organisation, or is the public's
suggestion of a group the directory is missing."""
PROPOSAL_KINDS: Final = get_args(ProposalKind)
CHANGE_PROPOSAL, NEW_SERVICE, NEW_ORGANISATION, SUGGESTION = PROPOSAL_KINDS


def _in(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


account = sa.Table(
    "account",
    metadata,
    _id(),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("identity_issuer", sa.Text, nullable=True),
    sa.Column("identity_subject", sa.Text, nullable=True),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_sign_in_at", sa.DateTime, nullable=True),
    _in("role", ACCOUNT_ROLES, "ck_account_role"),
)
"""One person who signs in: email casefolded; a password hash (Argon2id) for a local
account, an identity provider's issuer and subject for one that signs in with OpenID
Connect."""

account_token = sa.Table(
    "account_token",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "account_id",
        sa.String(200),
        sa.ForeignKey("account.id", name="fk_account_token_account", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("purpose", sa.String(20), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime, nullable=True),
    sa.Column("created_by", sa.String(200), nullable=False),
    _in("purpose", TOKEN_PURPOSES, "ck_account_token_purpose"),
)
"""Invitation and reset links and sign-in sessions: only a SHA-256 of each secret is kept,
so a copy of the database opens no account."""

organization_editor = sa.Table(
    "organization_editor",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "account_id",
        sa.String(200),
        sa.ForeignKey("account.id", name="fk_organization_editor_account", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "organization_id",
        sa.String(200),
        sa.ForeignKey("organization.id", name="fk_organization_editor_organization"),
        nullable=False,
        index=True,
    ),
    sa.Column("granted_at", sa.DateTime, nullable=False),
    sa.Column("granted_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("account_id", "organization_id", name="uq_organization_editor"),
)
"""Who keeps which organisation's entry (an organisation can have several editors)."""

claim = sa.Table(
    "claim",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "account_id",
        sa.String(200),
        sa.ForeignKey("account.id", name="fk_claim_account", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "organization_id",
        sa.String(200),
        sa.ForeignKey("organization.id", name="fk_claim_organization"),
        nullable=False,
    ),
    sa.Column("claimant_name", sa.Text, nullable=False),
    sa.Column("role_in_group", sa.Text, nullable=False),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("decided_at", sa.DateTime, nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=True),
    _in("status", DECISIONS, "ck_claim_status"),
)
"""A person's request to keep an organisation's entry, and a reviewer's answer."""

proposal = sa.Table(
    "proposal",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("organization_id", sa.String(200), nullable=False, index=True),
    sa.Column("organization_record", sa.JSON, nullable=True),
    sa.Column("organization_version", sa.Integer, nullable=True),
    sa.Column("service_id", sa.String(200), nullable=True),
    sa.Column("service_record", sa.JSON, nullable=True),
    sa.Column("service_version", sa.Integer, nullable=True),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("proposed_by", sa.String(200), nullable=False),
    sa.Column("proposed_at", sa.DateTime, nullable=False),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("decided_at", sa.DateTime, nullable=True),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    _in("kind", PROPOSAL_KINDS, "ck_proposal_kind"),
    _in("status", DECISIONS, "ck_proposal_status"),
)
"""A proposed version of an organisation and (or) one of its services, held until a
reviewer approves it: the records as proposed, and the versions they were made from (None
for a new record)."""

access_event = sa.Table(
    "access_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("account_id", sa.String(200), nullable=True),
    sa.Column("organization_id", sa.String(200), nullable=True),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)
"""The history of the people's side: accounts made, invited, changed and deleted, claims
and proposals filed and decided, editors granted and revoked (never a password or a
secret)."""

# ---------------------------------------------------------------------------------------
# Keeping it current: mail, the public's feedback, duplicate pairs and introductions
# ---------------------------------------------------------------------------------------

MailKind = Literal["reminder", "feedback", "introduction", "outcome"]
"""Why a message is sent: a review reminder, feedback on a service reached its keepers, an
introduction between two groups, or the outcome of a claim or a proposal."""
MAIL_KINDS: Final = get_args(MailKind)
REMINDER_MAIL, FEEDBACK_MAIL, INTRODUCTION_MAIL, OUTCOME_MAIL = MAIL_KINDS

FeedbackKind = Literal["out of date", "closed", "more information"]
"""What a member of the public says about a service."""
FEEDBACK_KINDS: Final = get_args(FeedbackKind)
OUT_OF_DATE, REPORTED_CLOSED, MORE_INFORMATION = FEEDBACK_KINDS

FeedbackStatus = Literal["open", "resolved"]
"""Feedback waits for someone to check the service, then is resolved."""
FEEDBACK_STATUSES: Final = get_args(FeedbackStatus)
OPEN_FEEDBACK, RESOLVED_FEEDBACK = FEEDBACK_STATUSES

PairDecisionKind = Literal["not the same", "the same", "could work together"]
"""A reviewer's answer on a pair of similar services."""
PAIR_DECISIONS: Final = get_args(PairDecisionKind)
NOT_THE_SAME, THE_SAME, COULD_WORK_TOGETHER = PAIR_DECISIONS

IntroductionAnswer = Literal["pending", "agreed", "declined"]
"""One group's answer to an introduction: contact details are shared only when both
agreed."""
INTRODUCTION_ANSWERS: Final = get_args(IntroductionAnswer)
NOT_ANSWERED, AGREED, DECLINED_INTRODUCTION = INTRODUCTION_ANSWERS

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column(
        "account_id",
        sa.String(200),
        sa.ForeignKey("account.id", name="fk_outbox_account", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("dedupe_key", sa.String(400), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("due_at", sa.DateTime, nullable=False, index=True),
    sa.Column("claimed_until", sa.DateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    _in("kind", MAIL_KINDS, "ck_outbox_kind"),
)
"""Every message the directory sends: queued with the time it is due, claimed by one
sender at a time (``claimed_until``), sent once (``sent_at``) or kept with its last
``error`` to be tried again. ``dedupe_key`` makes queuing the same message twice a no-op;
an account's messages go with the account."""

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "service_id",
        sa.String(200),
        sa.ForeignKey("service.id", name="fk_feedback_service"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("reporter", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
    sa.Column("resolved_by", sa.String(200), nullable=True),
    sa.Column("resolution", sa.Text, nullable=False, default=""),
    _in("kind", FEEDBACK_KINDS, "ck_feedback_kind"),
    _in("status", FEEDBACK_STATUSES, "ck_feedback_status"),
)
"""What the public says about a service, with no account: ``reporter`` is a keyed hash of
the browser session (never an address), enough to rate-limit and to tell two people
apart."""

pair_decision = sa.Table(
    "pair_decision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("service_a", sa.String(200), nullable=False),
    sa.Column("service_b", sa.String(200), nullable=False),
    sa.Column("decision", sa.String(30), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("kept_service", sa.String(200), nullable=True),
    sa.Column("ward_code", sa.String(20), nullable=True),
    sa.Column("decided_by", sa.String(200), nullable=False),
    sa.Column("decided_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("service_a", "service_b", name="uq_pair_decision"),
    _in("decision", PAIR_DECISIONS, "ck_pair_decision"),
)
"""A reviewer's answer on a pair of similar services (``service_a`` < ``service_b``):
dismissed, merged into ``kept_service``, or an introduction offered. ``ward_code`` is the
ward that held the pair when decided, so the ward still counts it once a merged service
has left the analysis."""

introduction = sa.Table(
    "introduction",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "pair_id",
        sa.Integer,
        sa.ForeignKey("pair_decision.id", name="fk_introduction_pair", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "organization_id",
        sa.String(200),
        sa.ForeignKey("organization.id", name="fk_introduction_organization"),
        nullable=False,
    ),
    sa.Column("answer", sa.String(20), nullable=False),
    sa.Column("answered_by", sa.String(200), nullable=True),
    sa.Column("answered_at", sa.DateTime, nullable=True),
    sa.UniqueConstraint("pair_id", "organization_id", name="uq_introduction"),
    _in("answer", INTRODUCTION_ANSWERS, "ck_introduction_answer"),
)
"""Each group's answer to an introduction offered on a pair: a collaboration starts when
both agreed."""
