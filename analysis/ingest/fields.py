"""The template's fields: what each column of a services file holds and the headers meaning it.

The template (``data/templates``), its guide sheet and ``docs/data-format.md`` describe the
columns with these texts; `analysis.ingest.mapping` matches a file's headers to the fields
through their synonyms. Field names are the constants of `analysis.model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_VALUE,
    AT_LOCATION,
    AUDIENCE,
    BY_PHONE,
    CAPACITY,
    CATEGORIES,
    CHARITY_KIND,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DELIVERY,
    DELIVERY_MODES,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_PLACE_WARD,
    FIELD_SERVICE_DESCRIPTION,
    FIELD_SERVICE_EMAIL,
    FIELD_SERVICE_PHONE,
    FIELD_SERVICE_WEBSITE,
    FIELD_STATUS,
    IN_PERSON,
    LAST_UPDATED,
    ORG_ID,
    ORG_NAME,
    ORGANISATION_GROUP,
    ORGANISATION_KINDS,
    OTHER_KIND,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    SERVICE_GROUP,
    SERVICE_ID,
    SERVICE_NAME,
    WEBSITE,
    FieldGroup,
)


@dataclass(frozen=True)
class Field:
    """One field of the template.

    Attributes
    ----------
    name
        The template's column header and the key of a column mapping.
    label
        Short human name.
    group
        Whether it describes the organisation or the service.
    description
        What to write in it (the template guide and docs/data-format.md show it).
    example
        An example value.
    synonyms
        Other headers meaning this field, compared ignoring case, spaces and punctuation.
    in_template
        False for fields that are recognised but not in the template's header row.
    """

    name: str
    label: str
    group: FieldGroup
    description: str
    example: str
    synonyms: tuple[str, ...]
    in_template: bool = True


def word_list(text: str) -> tuple[str, ...]:
    """The words of a comma-separated list, in order: how the word lists of ingest are written."""
    return tuple(word.strip() for word in text.split(",") if word.strip())


FIELDS: Final[tuple[Field, ...]] = (
    Field(
        name=ORG_ID,
        label="Organisation id",
        group=ORGANISATION_GROUP,
        description=(
            "Your own short id for the organisation; the same on every row of its services. "
            "Blank: made from the organisation's name."
        ),
        example="willow-lantern-project",
        synonyms=word_list(
            "org id, organisation id, organization id, org ref, organisation ref, "
            "organisation reference, organisation number, provider id"
        ),
    ),
    Field(
        name=ORG_NAME,
        label="Organisation name",
        group=ORGANISATION_GROUP,
        description=(
            "The organisation's name. Required unless service_name is given (then it is used)."
        ),
        example="Willow Lantern Project",
        synonyms=word_list(
            "organisation, organization, organisation name, organization name, org, org name, "
            "name of organisation, name of organization, group, group name, name of group, "
            "provider, provider name, charity, charity name, name"
        ),
    ),
    Field(
        name=FIELD_ORG_KIND,
        label="Kind of organisation",
        group=ORGANISATION_GROUP,
        description=(
            f"One of: {', '.join(ORGANISATION_KINDS)}. Blank: {CHARITY_KIND} when a charity "
            f"number is given, else {OTHER_KIND}."
        ),
        example=CHARITY_KIND,
        synonyms=word_list(
            "kind, org kind, organisation kind, organisation type, organization type, org type, "
            "type of organisation, type of organization, legal status, legal form, sector"
        ),
    ),
    Field(
        name=CHARITY_NUMBER,
        label="Charity number",
        group=ORGANISATION_GROUP,
        description=(
            "Registered charity number (England and Wales, SC… Scotland, NIC… Northern Ireland)."
        ),
        example="1234567",
        synonyms=word_list(
            "charity number, charity no, charity num, registered charity number, "
            "registered charity no, reg charity no, charity reg no, charity registration number, "
            "charity registration, charity id, ccn"
        ),
    ),
    Field(
        name=WEBSITE,
        label="Website",
        group=ORGANISATION_GROUP,
        description="The organisation's website.",
        example="https://willow-lantern.example.org",
        synonyms=word_list(
            "website, web, web site, url, web address, website address, homepage, site, "
            "organisation website"
        ),
    ),
    Field(
        name=EMAIL,
        label="Email",
        group=ORGANISATION_GROUP,
        description="The organisation's contact email.",
        example="hello@willow-lantern.example.org",
        synonyms=word_list("email, e mail, email address, contact email, organisation email"),
    ),
    Field(
        name=PHONE,
        label="Phone",
        group=ORGANISATION_GROUP,
        description=(
            "The organisation's contact phone number (keep the leading 0: format the column as "
            "text in a spreadsheet)."
        ),
        example="0117 496 0123",
        synonyms=word_list(
            "phone, telephone, tel, phone number, telephone number, contact number, "
            "contact phone, mobile, organisation phone"
        ),
    ),
    Field(
        name=FIELD_ORG_DESCRIPTION,
        label="About the organisation",
        group=ORGANISATION_GROUP,
        description="A sentence about the organisation.",
        example="Volunteer-run group in Easton.",
        synonyms=word_list(
            "org description, organisation description, organization description, "
            "about the organisation, about the organization, about us"
        ),
    ),
    Field(
        name=SERVICE_ID,
        label="Service id",
        group=SERVICE_GROUP,
        description="Your own id for the service, unique in the file. Blank: made from the names.",
        example="willow-lantern-project--community-pantry",
        synonyms=word_list(
            "service id, service ref, service reference, service number, activity id"
        ),
    ),
    Field(
        name=SERVICE_NAME,
        label="Service name",
        group=SERVICE_GROUP,
        description=(
            "The service's name. Blank: the organisation's name (one service per organisation)."
        ),
        example="Community pantry",
        synonyms=word_list(
            "service, service name, name of service, project, project name, activity, "
            "activity name, programme, program"
        ),
    ),
    Field(
        name=FIELD_SERVICE_DESCRIPTION,
        label="What the service does",
        group=SERVICE_GROUP,
        description="What the service offers, to whom, when.",
        example="Low-cost groceries every Tuesday and Friday.",
        synonyms=word_list(
            "description, service description, what we do, what they do, what it does, "
            "what is offered, details, summary, about, about the service"
        ),
    ),
    Field(
        name=CATEGORIES,
        label="Need categories",
        group=SERVICE_GROUP,
        description=(
            "One or more need categories separated by ';': the ids of data/taxonomy.csv or any "
            "of their synonyms (e.g. 'Foodbank; Debt advice'). Blank: kept as uncategorised and "
            "flagged."
        ),
        example="food; money_advice",
        synonyms=word_list(
            "categories, category, need category, need categories, need, needs, type of support, "
            "support type, support category, type of help, help offered, service type, "
            "services offered, theme, themes, topic, topics, taxonomy, tags"
        ),
    ),
    Field(
        name=DELIVERY,
        label="Delivery",
        group=SERVICE_GROUP,
        description=(
            f"How people get it, one or more separated by ';': {', '.join(DELIVERY_MODES)}. "
            f"Blank: {IN_PERSON}."
        ),
        example=f"{IN_PERSON}; {BY_PHONE}",
        synonyms=word_list(
            "delivery, delivery mode, delivery method, how delivered, how it is delivered, mode, "
            "attending type, how to access"
        ),
    ),
    Field(
        name=POSTCODE,
        label="Postcode",
        group=SERVICE_GROUP,
        description=(
            "Where the service is, e.g. BS5 6XX (any case or spacing). Or give latitude and "
            "longitude."
        ),
        example="BS5 0HE",
        synonyms=word_list(
            "postcode, post code, postal code, post_code, zip, zip code, zipcode, pcode, "
            "venue postcode"
        ),
    ),
    Field(
        name=FIELD_LATITUDE,
        label="Latitude",
        group=SERVICE_GROUP,
        description=(
            "WGS84 latitude in decimal degrees (about 51.45 in Bristol). Used before the "
            "postcode when both are given."
        ),
        example="51.4627",
        synonyms=word_list("latitude, lat, lat wgs84, y coordinate"),
    ),
    Field(
        name=FIELD_LONGITUDE,
        label="Longitude",
        group=SERVICE_GROUP,
        description=(
            "WGS84 longitude in decimal degrees (about -2.59 in Bristol: west of Greenwich is "
            "negative)."
        ),
        example="-2.5591",
        synonyms=word_list("longitude, lon, lng, long, lon wgs84, x coordinate"),
    ),
    Field(
        name=FIELD_AREA_SERVED,
        label="Area served",
        group=SERVICE_GROUP,
        description=(
            "at_location (a catchment around the location, of the first category's default "
            "radius), radius_km (a radius you give in area_value), wards (the wards listed in "
            "area_value) or citywide. Blank: at_location when there is a location, citywide for "
            "phone and online services."
        ),
        example=AT_LOCATION,
        synonyms=word_list(
            "area served, area, area type, area kind, coverage, catchment, service area, "
            "area covered, geographic coverage, reach"
        ),
    ),
    Field(
        name=AREA_VALUE,
        label="Area value",
        group=SERVICE_GROUP,
        description=(
            "For radius_km the radius in km (e.g. 2); for wards the ward names or codes "
            "separated by ';'. Empty for at_location and citywide."
        ),
        example="",
        synonyms=word_list(
            "area value, area details, radius, radius km, wards covered, wards served, "
            "area served wards, service area wards, coverage wards"
        ),
    ),
    Field(
        name=CAPACITY,
        label="Capacity",
        group=SERVICE_GROUP,
        description=(
            "People helped per week, a number. Blank: unknown (a warning), counted at the median "
            "capacity of its category's services."
        ),
        example="40",
        synonyms=word_list(
            "capacity, capacity per week, people per week, places, spaces, places per week, "
            "number of people"
        ),
    ),
    Field(
        name=AUDIENCE,
        label="Audience",
        group=SERVICE_GROUP,
        description="Who it is for, in words (e.g. older people, families, everyone).",
        example="everyone",
        synonyms=word_list(
            "audience, who for, who is it for, who it is for, target group, client group, "
            "eligibility, beneficiaries, age group"
        ),
    ),
    Field(
        name=ACTIVE_FROM,
        label="Active from",
        group=SERVICE_GROUP,
        description="Date the service started, YYYY-MM-DD (or DD/MM/YYYY).",
        example="2023-04-01",
        synonyms=word_list("active from, start date, started, starts, start, open from, from"),
    ),
    Field(
        name=ACTIVE_UNTIL,
        label="Active until",
        group=SERVICE_GROUP,
        description="Date the service ends, if it does (e.g. when its funding ends).",
        example="",
        synonyms=word_list("active until, end date, ends, end, until, funded until, open until"),
    ),
    Field(
        name=LAST_UPDATED,
        label="Last updated",
        group=SERVICE_GROUP,
        description="Date these details were last checked.",
        example="2026-09-30",
        synonyms=word_list(
            "last updated, updated, date updated, last checked, date checked, last reviewed, "
            "last modified, modified"
        ),
    ),
    Field(
        name=CONTACT_PUBLIC,
        label="Contact details public",
        group=SERVICE_GROUP,
        description=(
            "yes if the website, email and phone may be shown to the public; no if they are for "
            "professionals only (email_public and phone_public may say otherwise for the email "
            "and the phone). Blank: no."
        ),
        example="yes",
        synonyms=word_list(
            "contact public, public, public contact, contact details public, publish contact, "
            "publish contact details, consent to publish, can publish"
        ),
    ),
    Field(
        name=EMAIL_PUBLIC,
        label="Email public",
        group=SERVICE_GROUP,
        description=(
            "yes if the email may be shown to the public; no if it is for professionals only. "
            "Blank: as contact_public."
        ),
        example="",
        synonyms=word_list(
            "email public, public email, show email, email shown, publish email, "
            "email may be shown, email consent"
        ),
    ),
    Field(
        name=PHONE_PUBLIC,
        label="Phone public",
        group=SERVICE_GROUP,
        description=(
            "yes if the phone number may be shown to the public; no if it is for professionals "
            "only. Blank: as contact_public."
        ),
        example="",
        synonyms=word_list(
            "phone public, public phone, show phone, phone shown, publish phone, "
            "phone may be shown, phone consent, telephone public, show telephone"
        ),
    ),
    Field(
        name=FIELD_SERVICE_EMAIL,
        label="Service email",
        group=SERVICE_GROUP,
        description="The service's own email, when it differs from the organisation's.",
        example="",
        synonyms=word_list("service email, service email address"),
        in_template=False,
    ),
    Field(
        name=FIELD_SERVICE_PHONE,
        label="Service phone",
        group=SERVICE_GROUP,
        description="The service's own phone number, when it differs from the organisation's.",
        example="",
        synonyms=word_list("service phone, service telephone, helpline, helpline number"),
        in_template=False,
    ),
    Field(
        name=FIELD_SERVICE_WEBSITE,
        label="Service website",
        group=SERVICE_GROUP,
        description="The service's own web page, when it differs from the organisation's.",
        example="",
        synonyms=word_list("service website, service url, service web page"),
        in_template=False,
    ),
    Field(
        name=FIELD_PLACE_WARD,
        label="Ward of the place",
        group=SERVICE_GROUP,
        description=(
            "The ward the service's place is in. Checked against the ward its location falls "
            "in (disagreements are listed); it does not set the area served: a column saying "
            "area served, coverage or service area does."
        ),
        example="",
        synonyms=word_list(
            "ward, wards, ward name, ward code, electoral ward, location ward, venue ward, "
            "ward of venue, council ward"
        ),
        in_template=False,
    ),
    Field(
        name=FIELD_STATUS,
        label="Status",
        group=SERVICE_GROUP,
        description="active, inactive, defunct or temporarily closed (Open Referral UK's status).",
        example="",
        synonyms=word_list("status, service status"),
        in_template=False,
    ),
)

FIELD_NAMES: Final = tuple(f.name for f in FIELDS)
TEMPLATE_COLUMNS: Final = tuple(f.name for f in FIELDS if f.in_template)


def field_spec(name: str) -> Field:
    """The `Field` called ``name``.

    Raises
    ------
    KeyError
        When no field has that name.
    """
    for spec in FIELDS:
        if spec.name == name:
            return spec
    raise KeyError(name)
