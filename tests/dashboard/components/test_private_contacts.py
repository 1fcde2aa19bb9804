"""Contact details not marked public: shown to the organisation's editors and to
reviewers (marked), never to the public or to another organisation's editor."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.model import (
    CONTACT_PUBLIC,
    EMAIL,
    EMAIL_PUBLIC,
    ORG_ID,
    PHONE,
    PHONE_PUBLIC,
    WEBSITE,
)
from analysis.store.access import PUBLIC_ROLE, Rights
from dashboard.components.service_table import NOT_PUBLIC, PRIVATE_CONTACT, public_contact

PRIVATE = pd.Series(
    {
        ORG_ID: "ember",
        EMAIL: "coordinator@ember.example",
        PHONE: "0117 496 0000",
        WEBSITE: "",
        CONTACT_PUBLIC: False,
    }
)


@pytest.mark.parametrize(
    ("rights", "sees"),
    [
        (Rights(PUBLIC_ROLE), False),
        (Rights("editor", frozenset({"another"})), False),
        (Rights("editor", frozenset({"ember"})), True),
        (Rights("reviewer"), True),
        (Rights("admin"), True),
    ],
)
def test_a_private_contact_is_shown_only_to_who_may_see_it(rights, sees):
    shown = public_contact(PRIVATE, rights)
    if sees:
        assert shown == f"coordinator@ember.example · 0117 496 0000 ({NOT_PUBLIC})"
    else:
        assert shown == PRIVATE_CONTACT and "ember.example" not in shown


def test_a_public_contact_is_shown_to_everyone_unmarked():
    public = PRIVATE.copy()
    public[CONTACT_PUBLIC] = True
    assert public_contact(public) == "coordinator@ember.example · 0117 496 0000"


# Website and phone public, the email not ("show our phone, not our email").
MIXED = pd.Series(
    {
        **PRIVATE,
        WEBSITE: "https://ember.example",
        CONTACT_PUBLIC: True,
        EMAIL_PUBLIC: False,
        PHONE_PUBLIC: True,
    }
)


def test_each_detail_is_shown_to_the_public_by_its_own_flag():
    assert public_contact(MIXED) == "0117 496 0000 · https://ember.example"
    assert public_contact(MIXED, Rights("editor", frozenset({"another"}))) == (
        "0117 496 0000 · https://ember.example"
    )


def test_a_detail_not_public_is_shown_marked_to_who_may_see_it():
    shown = public_contact(MIXED, Rights("editor", frozenset({"ember"})))
    assert (
        shown == f"0117 496 0000 · https://ember.example · coordinator@ember.example ({NOT_PUBLIC})"
    )


def test_a_public_email_of_a_record_whose_website_is_private_is_shown():
    row = pd.Series({**PRIVATE, EMAIL_PUBLIC: True, PHONE_PUBLIC: False})
    assert public_contact(row) == "coordinator@ember.example"


def test_a_record_with_no_detail_public_shows_the_notice():
    row = pd.Series({**MIXED, CONTACT_PUBLIC: False, PHONE_PUBLIC: False})
    assert public_contact(row) == PRIVATE_CONTACT
