"""The form of one organisation and (optionally) one of its services: every template field,
checked by the importer's own rules when saved.

The widgets write the template's column texts (`analysis.ingest.fields`); saving runs
`analysis.ingest.entry.check_entry` on them, so a form says exactly what an import of the
same row would, and each problem is shown under the field it concerns (the next rerun
draws it there). Categories come from the taxonomy and wards from the area; a choice
left as it was keeps the text it was stored with, so that opening and saving an entry
changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import streamlit as st

from analysis.escape import inert_text, markdown_text
from analysis.geography import AreaSet
from analysis.ingest.cells import parse_categories
from analysis.ingest.entry import NO_COLUMN, EntryCheck, check_entry
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_SERVED_KINDS,
    AREA_VALUE,
    AT_LOCATION,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CITYWIDE,
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
    FIELD_SERVICE_DESCRIPTION,
    FIELD_SERVICE_EMAIL,
    FIELD_SERVICE_PHONE,
    FIELD_SERVICE_WEBSITE,
    FIELD_STATUS,
    LAST_UPDATED,
    LIST_SEPARATOR,
    ORG_ID,
    ORG_NAME,
    ORGANISATION_KINDS,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_KM,
    SERVICE_ID,
    SERVICE_NAME,
    WARD_CODE,
    WARD_NAME,
    WARDS,
    WEBSITE,
)
from analysis.store.schema import SERVICE_STATUSES
from analysis.taxonomy import Taxonomy

AREA_KIND_LABELS: Final = {
    AT_LOCATION: "Around its venue (the usual distance people travel for this kind of help)",
    RADIUS_KM: "Within a distance of its venue",
    WARDS: "Chosen wards",
    CITYWIDE: "The whole area (citywide)",
}
STATUS_LABELS: Final = {
    "active": "Running",
    "temporarily closed": "Temporarily closed",
    "defunct": "Closed for good",
    "inactive": "Not running at the moment",
}
YES, NO = "yes", "no"
CHOSEN_ON_PURPOSE: Final = frozenset({(FIELD_STATUS, "inactive")})
"""Importer notes (column, code) that tell a file's reader what a form's user chose
themselves: a status set to closed is the person's act, not a surprise in a feed."""


@dataclass(frozen=True)
class Problems:
    """The problems of the last save, by template column (`NO_COLUMN`: the whole entry)."""

    by_column: Mapping[str, tuple[str, ...]]

    def show(self, column: str) -> None:
        """Show the problems of ``column`` under its field."""
        for message in self.by_column.get(column, ()):
            st.error(markdown_text(message))

    @staticmethod
    def of(check: EntryCheck) -> Problems:
        found: dict[str, list[str]] = {}
        for problem in noted(check):
            value = f" ({problem.value!r})" if problem.value else ""
            kind = "Not saved" if problem.is_error else "Note"
            found.setdefault(problem.column, []).append(f"{kind}{value}: {problem.message}")
        return Problems({column: tuple(messages) for column, messages in found.items()})


NO_PROBLEMS: Final = Problems({})


def noted(check: EntryCheck) -> tuple:
    """The problems of an entry a person should see (`CHOSEN_ON_PURPOSE` left out)."""
    return tuple(
        problem
        for problem in check.problems
        if problem.is_error or (problem.column, problem.code) not in CHOSEN_ON_PURPOSE
    )


class EntryForm:
    """The widgets of one entry, keyed under ``prefix`` so several can share a page."""

    def __init__(self, prefix: str, initial: Mapping[str, str], problems: Problems) -> None:
        self.prefix = prefix
        self.initial = dict(initial)
        self.problems = problems
        self.values: dict[str, str] = {
            key: value for key, value in initial.items() if key in (ORG_ID, SERVICE_ID)
        }

    def _key(self, column: str) -> str:
        return f"{self.prefix}_{column}"

    def text(self, column: str, label: str, help_: str, *, long: bool = False) -> None:
        """A text field for ``column``."""
        widget = st.text_area if long else st.text_input
        self.values[column] = widget(
            inert_text(label),
            value=self.initial.get(column, ""),
            key=self._key(column),
            help=inert_text(help_),
        ).strip()
        self.problems.show(column)

    def choice(
        self, column: str, label: str, options: Sequence[str], labels: Mapping[str, str], help_: str
    ) -> str:
        """A select for ``column`` among ``options`` (the stored value first if unknown)."""
        current = self.initial.get(column, "") or options[0]
        listed = list(options) if current in options else [current, *options]
        chosen = st.selectbox(
            inert_text(label),
            listed,
            index=listed.index(current),
            format_func=lambda value: labels.get(value, value),
            key=self._key(column),
            help=inert_text(help_),
        )
        self.values[column] = chosen
        self.problems.show(column)
        return chosen

    def several(
        self,
        column: str,
        label: str,
        options: Sequence[str],
        labels: Mapping[str, str],
        chosen_now: Sequence[str],
        help_: str,
    ) -> None:
        """A multiselect for ``column``; its text is kept when the choice did not change."""
        chosen = st.multiselect(
            inert_text(label),
            list(options),
            default=[option for option in chosen_now if option in options],
            format_func=lambda value: labels.get(value, value),
            key=self._key(column),
            help=inert_text(help_),
        )
        same = sorted(chosen) == sorted(chosen_now)
        self.values[column] = (
            self.initial.get(column, "") if same else f"{LIST_SEPARATOR} ".join(chosen)
        )
        self.problems.show(column)

    def flag(self, column: str, label: str, help_: str) -> None:
        """A yes/no checkbox for ``column``."""
        checked = st.checkbox(
            inert_text(label),
            value=self.initial.get(column, "").strip().casefold() == YES,
            key=self._key(column),
            help=inert_text(help_),
        )
        self.values[column] = YES if checked else NO
        self.problems.show(column)


def organisation_fields(form: EntryForm) -> None:
    """The organisation's fields."""
    form.text(ORG_NAME, "Organisation name", "As people know it.")
    form.choice(
        FIELD_ORG_KIND,
        "Kind of organisation",
        ["", *ORGANISATION_KINDS],
        {"": "Not said (charity when it has a charity number)"},
        "Charity, community interest company, mutual aid group, faith group, statutory…",
    )
    form.text(CHARITY_NUMBER, "Charity number", "Registered charity number, if any.")
    form.text(WEBSITE, "Website", "The organisation's website.")
    form.text(EMAIL, "Email", "The organisation's contact email.")
    form.text(PHONE, "Phone", "The organisation's contact phone number.")
    form.text(FIELD_ORG_DESCRIPTION, "About the organisation", "A sentence or two.", long=True)


def service_fields(form: EntryForm, *, area: AreaSet, taxonomy: Taxonomy) -> None:
    """The service's fields: what, for whom, where, how much, when, and its contacts."""
    form.text(SERVICE_NAME, "Service name", "E.g. Tuesday lunch club.")
    form.text(FIELD_SERVICE_DESCRIPTION, "What it offers", "What, to whom, when.", long=True)
    labels = {category.id: category.label for category in taxonomy.categories}
    initial = form.initial.get(CATEGORIES, "")
    form.several(
        CATEGORIES,
        "Categories of need",
        list(labels),
        labels,
        list(parse_categories(initial, taxonomy).ids) if initial else [],
        "What kinds of need it helps with; the first is its main one.",
    )
    delivery = [
        mode.strip()
        for mode in form.initial.get(DELIVERY, "").split(LIST_SEPARATOR)
        if mode.strip()
    ]
    form.several(
        DELIVERY,
        "How people get it",
        DELIVERY_MODES,
        {},
        delivery,
        "In person, by phone, online, or delivered to the home. None chosen: in person.",
    )
    form.text(POSTCODE, "Postcode of its venue", "Where it happens, e.g. BS5 0HE.")
    with st.expander("Or place it by coordinates"):
        form.text(FIELD_LATITUDE, "Latitude", "WGS84 decimal degrees, about 51.45 in Bristol.")
        form.text(FIELD_LONGITUDE, "Longitude", "WGS84 decimal degrees, about -2.59 in Bristol.")
    _area_served(form, area)
    form.text(
        CAPACITY,
        "Capacity (people helped per week)",
        "A number. Blank: unknown, counted at its category's typical capacity.",
    )
    form.text(AUDIENCE, "Who it is for", "E.g. older people, families, everyone.")
    form.text(ACTIVE_FROM, "Runs from (YYYY-MM-DD)", "When it started; blank if always.")
    form.text(ACTIVE_UNTIL, "Runs until (YYYY-MM-DD)", "When it ends, if it does.")
    form.text(LAST_UPDATED, "Details last checked (YYYY-MM-DD)", "Today, if you checked.")
    form.choice(
        FIELD_STATUS,
        "Is it running?",
        SERVICE_STATUSES,
        STATUS_LABELS,
        "Mark it temporarily closed or closed for good rather than deleting it.",
    )
    st.markdown("**Contact details of this service** (blank: the organisation's)")
    form.text(FIELD_SERVICE_EMAIL, "Service email", "Only if it differs from the organisation's.")
    form.text(FIELD_SERVICE_PHONE, "Service phone", "Only if it differs from the organisation's.")
    form.text(
        FIELD_SERVICE_WEBSITE, "Service web page", "Only if it differs from the organisation's."
    )
    contact_flags(form, "Unticked: shown only to this organisation's editors and to reviewers.")


def contact_flags(form: EntryForm, help_: str) -> None:
    """One checkbox per contact detail: whether the public may see it (``help_`` says who
    sees it when not)."""
    form.flag(CONTACT_PUBLIC, "Show the website publicly", help_)
    form.flag(EMAIL_PUBLIC, "Show the email publicly", help_)
    form.flag(PHONE_PUBLIC, "Show the phone publicly", help_)


def _area_served(form: EntryForm, area: AreaSet) -> None:
    kind = form.choice(
        FIELD_AREA_SERVED,
        "Area served",
        AREA_SERVED_KINDS,
        AREA_KIND_LABELS,
        "Who can use it: near its venue, within a distance, in chosen wards, or anyone in "
        "the area.",
    )
    value = form.initial.get(AREA_VALUE, "")
    if kind == RADIUS_KM:
        form.text(AREA_VALUE, "Distance (km)", "How far people come from, e.g. 2.")
    elif kind == WARDS:
        names = dict(zip(area.wards[WARD_CODE], area.wards[WARD_NAME], strict=True))
        initial = _ward_codes(value, names)
        form.several(
            AREA_VALUE,
            "Wards served",
            sorted(names, key=names.get),
            names,
            initial,
            "The wards whose residents it is for.",
        )
    else:
        form.values[AREA_VALUE] = ""
        form.problems.show(AREA_VALUE)


def _ward_codes(text: str, names: Mapping[str, str]) -> list[str]:
    by_name = {name.casefold(): code for code, name in names.items()}
    codes = []
    for part in text.split(LIST_SEPARATOR):
        part = part.strip()
        code = part if part in names else by_name.get(part.casefold())
        if code:
            codes.append(code)
    return codes


def check(form: EntryForm, *, area: AreaSet, taxonomy: Taxonomy) -> EntryCheck:
    """The importer's verdict on the form's values."""
    return check_entry(form.values, area=area, taxonomy=taxonomy)


def entry_problems(check_result: EntryCheck) -> Problems:
    """The problems of a save, to show under their fields on the next rerun."""
    return Problems.of(check_result)


AGAIN: Final = (
    "Check the notes under the fields: the entry can be saved as it is, but may be wrong. "
    "Correct them, or press the button again to save it as it is."
)


def ready_to_save(form: EntryForm, result: EntryCheck) -> tuple[bool, Problems]:
    """Whether to save the checked entry, and the problems to show if not.

    Rejected: never. Accepted with warnings: only when the same values are saved a second
    time (the person has seen the notes); with none: at once.
    """
    problems = Problems.of(result)
    if not result.is_accepted:
        return False, problems
    if not noted(result):
        return True, problems
    seen_key = f"{form.prefix}_warned"
    values = tuple(sorted(form.values.items()))
    if st.session_state.get(seen_key) == values:
        st.session_state.pop(seen_key, None)
        return True, NO_PROBLEMS
    st.session_state[seen_key] = values
    whole = (*problems.by_column.get(NO_COLUMN, ()), AGAIN)
    return False, Problems({**problems.by_column, NO_COLUMN: whole})


def show_entry_problems(problems: Problems) -> None:
    """The problems of the entry as a whole (not of one field)."""
    problems.show(NO_COLUMN)
