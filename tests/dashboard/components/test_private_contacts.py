"""Contact details not marked public: shown to the organisation's editors and to
reviewers (marked), never to the public or to another organisation's editor."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.model import CONTACT_PUBLIC, EMAIL, ORG_ID, PHONE, WEBSITE
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
