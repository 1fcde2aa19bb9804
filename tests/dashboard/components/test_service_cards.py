"""Service cards: links made only of valid, public details; most relevant first."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.escape import markdown_text
from analysis.model import (
    CATEGORIES,
    CONTACT_PUBLIC,
    DISTANCE_M,
    EMAIL,
    EMAIL_PUBLIC,
    ORG_ID,
    PHONE,
    PHONE_PUBLIC,
    SERVICE_NAME,
    WEBSITE,
)
from analysis.store.access import PUBLIC_ROLE, Rights
from dashboard.components.service_cards import (
    by_relevance,
    contact_details,
    distance_text,
    mailto_target,
    tel_target,
    web_target,
)

ROW = pd.Series(
    {
        ORG_ID: "ember",
        EMAIL: "hello@ember.example.org",
        PHONE: "0117 496 0000",
        WEBSITE: "ember.example.org",
        CONTACT_PUBLIC: True,
        EMAIL_PUBLIC: False,
        PHONE_PUBLIC: True,
    }
)


@pytest.mark.parametrize(
    ("phone", "target"),
    [
        ("0117 496 0000", "tel:01174960000"),
        ("+44 (0)117 496-0000", "tel:+4401174960000"),
        ("call us", None),
        ("0117](javascript:alert(1))", None),
        ("", None),
    ],
)
def test_tel_target_is_the_digits_or_nothing(phone, target):
    assert tel_target(phone) == target


@pytest.mark.parametrize(
    ("email", "target"),
    [
        ("hello@ember.example.org", "mailto:hello@ember.example.org"),
        ("a b@ember.example.org", None),
        ("hello@ember.example.org?bcc=x@y.org", None),
        ("hello@", None),
    ],
)
def test_mailto_target_is_one_plain_address(email, target):
    assert mailto_target(email) == target


@pytest.mark.parametrize(
    ("website", "target"),
    [
        ("ember.example.org", "https://ember.example.org"),
        ("http://ember.example.org/a", "http://ember.example.org/a"),
        ("javascript:alert(1)", None),
        ("mailto:x@y.org", None),
        ("data:text/html,x", None),
    ],
)
def test_web_target_is_http_only(website, target):
    assert web_target(website) == target


def test_the_public_sees_only_public_details_as_links():
    links, private = contact_details(ROW, Rights(PUBLIC_ROLE))
    assert links == [
        ("Call", "0117 496 0000", "tel:01174960000"),
        ("Website", "ember.example.org", "https://ember.example.org"),
    ]
    assert private == []


def test_an_editor_sees_the_private_email_as_text_not_as_a_link():
    links, private = contact_details(ROW, Rights("editor", frozenset({"ember"})))
    assert [word for word, _, _ in links] == ["Call", "Website"]
    assert private == ["hello@ember.example.org"]


def test_relevance_puts_the_chosen_categories_first_then_distance():
    near = pd.DataFrame(
        {
            SERVICE_NAME: ["a", "b", "c", "d"],
            CATEGORIES: [("food",), ("money",), ("food", "money"), ("food",)],
            DISTANCE_M: [100.0, 200.0, 300.0, 50.0],
        }
    )
    assert list(by_relevance(near)[SERVICE_NAME]) == ["d", "a", "b", "c"]
    assert list(by_relevance(near, ["money"])[SERVICE_NAME]) == ["b", "c", "d", "a"]


def test_distance_reads_in_metres_under_a_kilometre():
    assert distance_text(86) == "90 m away"
    assert distance_text(3) == "10 m away"
    assert distance_text(1440) == "1.4 km away"


def _hostile_card() -> None:
    import pandas as pd

    from analysis.store.access import Rights
    from analysis.taxonomy_file import load_taxonomy
    from dashboard.components.service_cards import service_card

    row = pd.Series(
        {
            "org_id": "x",
            "service_name": "**Bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
            "org_name": "<script>alert(1)</script>",
            "description": "![i](https://evil.example/i.png) www.evil.example",
            "categories": (),
            "audience": "_all_",
            "distance_m": 120.0,
            "email": "a@b.org](javascript:alert(1))",
            "phone": "0117 496 0000",
            "website": "javascript:alert(1)",
            "contact_public": True,
        }
    )
    service_card(row, load_taxonomy(), checked=pd.NaT, note="", rights=Rights("public"))


def test_a_card_escapes_every_text_and_links_only_valid_details():
    at = AppTest.from_function(_hostile_card, default_timeout=30).run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert texts[0] == (
        f"**{markdown_text('**Bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>')}**"
        f"  \n{markdown_text('<script>alert(1)</script>')}"
    )
    assert texts[1] == markdown_text("![i](https://evil.example/i.png) www.evil.example")
    assert [button.proto.url for button in at.get("link_button")] == ["tel:01174960000"]
