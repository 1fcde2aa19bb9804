"""Similar pairs on the pages, through Streamlit's AppTest on a database of its own: the
queue decides a pair in place, editors answer an introduction on their account page and
see the other group's contacts only once both agreed, and the ward and postcode pages
show the collaboration and the ward's counts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from analysis.store import claims, pairs, schema
from analysis.store.config import DATABASE_URL_ENV, sqlite_url
from analysis.store.opening import open_store
from analysis.store.schema import COULD_WORK_TOGETHER, NOT_THE_SAME
from tests.dashboard.shown import shown
from tests.dashboard.test_people_pages import KEEPER, _account, _app, _button

EMBER, LARKSPUR = "ember-together", "larkspur-pantry-mutual-aid"
BENEFITS = "ember-together--benefits-help"
ENERGY = "larkspur-pantry-mutual-aid--energy-bills-help"
ASHLEY = "E05010885"
PAIR_KEY = f"{BENEFITS}_{ENERGY}"
LARKSPUR_EMAIL = "hello@larkspur-pantry-mutual-aid.example.org"


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A database of this test only, holding the demo, set for the app."""
    url = sqlite_url(tmp_path / "directory.sqlite3")
    engine = open_store(url)
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    yield engine
    engine.dispose()


def _texts(at) -> str:
    """Everything the page says in text, captions included."""
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    parts += [c.value for c in at.caption]
    return " ".join(shown(str(part)) for part in parts)


def _queue_on_the_pair(reviewer):
    at = _app("queue", reviewer)
    at.run()
    at.text_input(key="pairs_find").input("Energy Bills Help")
    at.selectbox(key="pairs_ward").set_value(ASHLEY)
    at.run()
    assert not at.exception
    return at


def _decisions(store) -> list[sa.Row]:
    with store.connect() as connection:
        return connection.execute(sa.select(schema.pair_decision)).all()


def test_the_queue_decides_a_pair_in_place_and_hides_it(store):
    reviewer = _account(store, "rev@example.org", role="reviewer")
    at = _queue_on_the_pair(reviewer)
    shown = _texts(at)
    assert "Benefits Help (Ember Together) and Energy Bills Help (Larkspur Pantry Mutual Aid)" in (
        shown
    )
    assert "Why they look alike:" in shown and "people in need in common" in shown
    at.radio(key=f"pair_decision_{PAIR_KEY}").set_value(NOT_THE_SAME)
    at.button(key=f"FormSubmitter:pair_{PAIR_KEY}-Decide").click()
    at.run()
    assert "'not the same' needs a reason" in _texts(at)
    assert _decisions(store) == []

    at.radio(key=f"pair_decision_{PAIR_KEY}").set_value(NOT_THE_SAME)
    at.text_input(key=f"pair_reason_{PAIR_KEY}").input("one is for energy bills only")
    at.button(key=f"FormSubmitter:pair_{PAIR_KEY}-Decide").click()
    at.run()
    assert not at.exception
    assert "marked not the same; the pair is hidden from now on" in _texts(at)
    [decided] = _decisions(store)
    assert (decided.decision, decided.reason, decided.ward_code) == (
        NOT_THE_SAME,
        "one is for energy bills only",
        ASHLEY,
    )
    again = _queue_on_the_pair(reviewer)
    offered = {radio.key for radio in again.radio}
    assert f"pair_decision_{PAIR_KEY}" not in offered
    # The demo lists Benefits Help twice: that other pair still waits.
    assert f"pair_decision_{BENEFITS}-2_{ENERGY}" in offered


def _editor_page(store, session):
    at = _app("account", session)
    at.run()
    assert not at.exception
    return at


def test_an_introduction_is_answered_on_the_account_pages_and_shown_to_the_public(store):
    reviewer = _account(store, "rev@example.org", role="reviewer")
    ember = _account(store, "ed@ember.example")
    larkspur = _account(store, "lee@larkspur.example")
    claims.grant_editor(store, KEEPER, ember.account.id, EMBER)
    claims.grant_editor(store, KEEPER, larkspur.account.id, LARKSPUR)

    at = _queue_on_the_pair(reviewer)
    at.radio(key=f"pair_decision_{PAIR_KEY}").set_value(COULD_WORK_TOGETHER)
    at.button(key=f"FormSubmitter:pair_{PAIR_KEY}-Decide").click()
    at.run()
    assert "offered an introduction" in _texts(at)
    [pair] = [row.id for row in _decisions(store)]

    page = _editor_page(store, ember)
    assert "You run Benefits Help; they run Energy Bills Help" in _texts(page)
    _button(page, "Agree to be introduced").click()
    page.run()
    assert "You agreed to be introduced to Larkspur Pantry Mutual Aid" in _texts(page)
    assert "Waiting for Larkspur Pantry Mutual Aid to answer" in _texts(page)
    assert LARKSPUR_EMAIL not in _texts(page)  # not before both agreed

    ward = _app("ward", ward=ASHLEY)
    ward.run()
    assert "Working together:" not in _texts(ward)

    other = _editor_page(store, larkspur)
    _button(other, "Agree to be introduced").click()
    other.run()
    assert "hello@ember-together.example.org" in _texts(other)
    assert "ed@ember.example" in _texts(other)  # the editor who agreed

    page = _editor_page(store, ember)
    assert "Both groups agreed: here is how to reach Larkspur Pantry Mutual Aid" in _texts(page)
    assert LARKSPUR_EMAIL in _texts(page)

    ward = _app("ward", ward=ASHLEY)
    ward.run()
    assert not ward.exception
    assert (
        "Working together: Ember Together and Larkspur Pantry Mutual Aid (Benefits Help and "
        "Energy Bills Help), since"
    ) in _texts(ward)
    assert "lee@larkspur.example" not in _texts(ward)  # the public never sees contacts
    counts = {m.label: m.value for m in ward.metric}
    assert counts["Collaborations started"] == "1"
    assert int(counts["Similar pairs open"].replace(",", "")) >= 1

    near = _app("postcode", postcode="BS1 3FD")
    near.run()
    assert not near.exception
    assert "Working together: Ember Together and Larkspur Pantry Mutual Aid" in _texts(near)
    with store.connect() as connection:
        assert [c.service_a_id for c in pairs.collaborations(connection)] == [BENEFITS]
    assert pair
