"""The pages that keep the directory, each through Streamlit's AppTest on a database of its
own: sign in, set a password from a link, claim, edit, the review queue, accounts,
suggest a group. The store decides who may; these check each page offers and does it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from analysis.settings import REPO_ROOT
from analysis.store import accounts, claims, proposals
from analysis.store.access import command_line
from analysis.store.config import DATABASE_URL_ENV, sqlite_url
from analysis.store.editing import open_service
from analysis.store.opening import open_store
from dashboard.state import StateKeys
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")
KEEPER = command_line("tests")
BASE = "http://localhost:8501"
PASSWORD = "correct horse battery"
ORG = "ember-together"
SERVICE = "ember-together--benefits-help"


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A database of this test only, holding the demo, set for the app."""
    url = sqlite_url(tmp_path / "directory.sqlite3")
    engine = open_store(url)
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    yield engine
    engine.dispose()


def _account(store, email: str, role: str = "editor") -> accounts.Session:
    link = accounts.invite(store, KEEPER, email, base_url=BASE, role=role)
    token = parse_qs(urlsplit(link.url).query)["invitation"][0]
    return accounts.accept_link(store, token, password=PASSWORD)


def _app(page: str, session: accounts.Session | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in {"page": page, **query}.items():
        at.query_params[name] = value
    if session is not None:
        at.session_state[StateKeys.SESSION_TOKEN] = session.token
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    return " ".join(shown(str(part)) for part in parts)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_signing_in_with_a_password_and_a_wrong_one_is_told(store):
    _account(store, "group@example.org")
    at = _app("account")
    at.run()
    email, password = at.text_input[0], at.text_input[1]
    email.input("group@example.org")
    password.input("wrong password")
    _button(at, "Sign in").click()
    at.run()
    assert "Not signed in: that email and password do not match an account" in _texts(at)
    at.text_input[1].input(PASSWORD)
    _button(at, "Sign in").click()
    at.run()
    assert not at.exception
    assert "Signed in as group@example.org: an editor" in _texts(at)


def test_an_invitation_link_sets_a_password_and_signs_in(store):
    link = accounts.invite(store, KEEPER, "new@example.org", base_url=BASE)
    token = parse_qs(urlsplit(link.url).query)["invitation"][0]
    at = _app("account", invitation=token)
    at.run()
    assert "invitation" not in at.query_params  # the secret leaves the address at once
    assert "this is the account of new@example.org" in _texts(at)
    name, first, second = at.text_input[0], at.text_input[1], at.text_input[2]
    name.input("Sam")
    first.input(PASSWORD)
    second.input("not the same")
    _button(at, "Set password and sign in").click()
    at.run()
    assert "The two passwords are not the same" in _texts(at)
    at.text_input[2].input(PASSWORD)
    _button(at, "Set password and sign in").click()
    at.run()
    assert "Your password is set and you are signed in" in _texts(at)
    assert accounts.sign_in(store, "new@example.org", PASSWORD).account.name == "Sam"


def test_a_claim_is_sent_decided_in_the_queue_and_its_outcome_shown(store):
    editor = _account(store, "group@example.org")
    reviewer = _account(store, "rev@example.org", role="reviewer")
    at = _app("account", editor)
    at.run()
    claim = next(s for s in at.selectbox if s.label == "Your organisation")
    claim.set_value(ORG)
    for field, value in (
        ("Your name", "Sam Jones"),
        ("Your role in the group", "coordinator"),
        ("How a reviewer can contact you", "07700 900123"),
    ):
        next(t for t in at.text_input if t.label == field).input(value)
    _button(at, "Ask to manage it").click()
    at.run()
    assert "Your request to manage Ember Together is sent" in _texts(at)

    queue = _app("queue", reviewer)
    queue.run()
    assert "Sam Jones, coordinator; contact: 07700 900123" in _texts(queue)
    _button(queue, "Approve").click()
    queue.run()
    assert "The claim is approved" in _texts(queue)

    again = _app("account", editor)
    again.run()
    assert any(b.label == "Edit Ember Together" for b in again.button)


def test_the_queue_shows_a_change_field_by_field_and_approving_publishes_it(store):
    editor = _account(store, "group@example.org")
    reviewer = _account(store, "rev@example.org", role="reviewer")
    claims.grant_editor(store, KEEPER, editor.account.id, ORG)
    stored = open_service(store, SERVICE)
    proposals.submit(
        store,
        editor.account.actor,
        organisation_id=ORG,
        service_id=SERVICE,
        service_record={**stored.record, "capacity": 77.0},
        service_version=stored.version,
    )
    at = _app("queue", reviewer)
    at.run()
    [table] = [df.value for df in at.dataframe]
    row = table.iloc[0].to_dict()
    assert row["Field"] == "Capacity" and row["Published"] == "45" and row["Proposed"] == "77"
    assert "Sent on" in " ".join(shown(c.value) for c in at.caption)
    _button(at, "Approve").click()
    at.run()
    assert "The proposal is approved" in _texts(at)
    assert open_service(store, SERVICE).record["capacity"] == 77.0


def test_declining_needs_a_reason(store):
    editor = _account(store, "group@example.org")
    reviewer = _account(store, "rev@example.org", role="reviewer")
    claim = claims.request_claim(
        store, editor.account.actor, ORG, claimant_name="Sam", role_in_group="x", contact="y"
    )
    at = _app("queue", reviewer)
    at.run()
    _button(at, "Decline").click()
    at.run()
    assert "a decline needs a reason" in _texts(at)
    assert claims.claims_to_decide(store, reviewer.account.actor)[0].id == claim.id


@pytest.mark.parametrize(
    ("page", "role", "told"),
    [
        ("queue", None, "The review queue is for the directory's reviewers"),
        ("queue", "editor", "The review queue is for the directory's reviewers"),
        ("admin", "reviewer", "Accounts are managed by the directory's admins"),
        ("edit", None, "Sign in to edit your group's entry"),
    ],
)
def test_a_page_not_for_the_viewer_says_so_and_shows_nothing_else(store, page, role, told):
    session = None if role is None else _account(store, f"{role}@example.org", role=role)
    at = _app(page, session)
    at.run()
    assert not at.exception
    assert told in _texts(at)
    assert not at.dataframe


def test_the_accounts_page_lists_emails_and_changes_a_role_for_admins(store):
    admin = _account(store, "admin@example.org", role="admin")
    _account(store, "ed@example.org")
    at = _app("admin", admin)
    at.run()
    emails = set(at.dataframe[0].value["Email"])
    assert emails == {"admin@example.org", "ed@example.org"}
    account = next(s for s in at.selectbox if s.label == "Account")
    ed = accounts.account_by_email(store, KEEPER, "ed@example.org")
    account.set_value(ed.id)
    next(s for s in at.selectbox if s.label == "New role").set_value("reviewer")
    _button(at, "Change the role").click()
    at.run()
    assert "ed@example.org is now reviewer" in _texts(at)
    assert accounts.account_by_email(store, KEEPER, "ed@example.org").role == "reviewer"


def test_the_sidebar_offers_each_role_its_pages(store):
    def offered(session) -> list[str]:
        at = _app("overview", session)
        at.run()
        return list(at.sidebar.radio[0].options)

    public = offered(None)
    assert "Sign in" in public and "Review queue" not in public and "Accounts" not in public
    reviewer = offered(_account(store, "rev@example.org", role="reviewer"))
    assert {"Your account", "Review queue", "Edit your entries"} <= set(reviewer)
    assert "Accounts" in offered(_account(store, "admin@example.org", role="admin"))


def test_an_expired_or_ended_session_signs_out_and_says_why(store):
    session = _account(store, "group@example.org")
    accounts.sign_out(store, session.token)
    at = _app("account", session)
    at.run()
    assert "You were signed out: you are signed out" in _texts(at)
    assert any(b.label == "Sign in" for b in at.button)


def _editor_of_org(store) -> accounts.Session:
    editor = _account(store, "group@example.org")
    claims.grant_editor(store, KEEPER, editor.account.id, ORG)
    return editor


def _field(at: AppTest, label: str):
    return next(t for t in at.text_input if shown(t.label).startswith(label))


def _edit(session, service: str = SERVICE) -> AppTest:
    at = _app("edit", session, org=ORG, service=service)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_editors_change_is_pending_until_approved_and_changes_only_what_they_changed(store):
    at = _edit(_editor_of_org(store))
    _field(at, "Capacity").input("80")
    _button(at, "Send for approval").click()
    at.run()
    assert "Sent for approval" in _texts(at)
    assert "Pending: a change to the service Benefits Help" in _texts(at)
    assert open_service(store, SERVICE).record["capacity"] == 45.0  # the public's
    [held] = proposals.queue(store, KEEPER)
    changes = proposals.proposal_changes(store, held)
    assert [(c.field, c.published, c.proposed) for c in changes] == [("capacity", 45.0, 80.0)]


def test_a_mistake_is_shown_under_its_field_with_the_importers_message(store):
    from analysis.ingest.entry import check_entry

    at = _edit(_editor_of_org(store))
    _field(at, "Capacity").input("lots")
    _button(at, "Send for approval").click()
    at.run()
    assert proposals.queue(store, KEEPER) == []  # a note to read first
    errors = [shown(e.value) for e in at.error]
    assert any("'lots'" in error and "Note" in error for error in errors), errors
    assert any("press the button again to save it as it is" in error for error in errors)
    from analysis.geography import load_area
    from analysis.taxonomy_file import load_taxonomy

    expected = (
        check_entry(
            {"org_name": "X", "service_name": "Y", "postcode": "BS1 5TR", "capacity": "lots"},
            area=load_area(),
            taxonomy=load_taxonomy(),
        )
        .problems_of("capacity")[0]
        .message
    )
    assert any(expected in error for error in errors)  # the importer's words, not a copy


def test_a_reviewers_edit_publishes_at_once(store):
    reviewer = _account(store, "rev@example.org", role="reviewer")
    at = _edit(reviewer)
    _field(at, "Who it is for").input("older people")
    _button(at, "Publish").click()
    at.run()
    assert "Published" in _texts(at)
    assert open_service(store, SERVICE).record["audience"] == "older people"


def test_each_contact_detail_is_made_public_or_not_by_its_own_checkbox(store):
    before = open_service(store, SERVICE).record
    reviewer = _account(store, "rev@example.org", role="reviewer")
    at = _edit(reviewer)
    boxes = {shown(c.label): c for c in at.checkbox}
    labels = ["Show the website publicly", "Show the email publicly", "Show the phone publicly"]
    assert set(labels) <= set(boxes)
    flags = ["contact_public", "email_public", "phone_public"]
    assert [boxes[label].value for label in labels] == [before[flag] for flag in flags]
    boxes["Show the email publicly"].set_value(not before["email_public"])
    _button(at, "Publish").click()
    at.run()
    after = open_service(store, SERVICE).record
    assert after["email_public"] is not before["email_public"]
    assert (after["contact_public"], after["phone_public"]) == (
        before["contact_public"],
        before["phone_public"],
    )


def test_marking_a_service_temporarily_closed_is_an_edit(store):
    reviewer = _account(store, "rev@example.org", role="reviewer")
    at = _edit(reviewer)
    next(s for s in at.selectbox if shown(s.label) == "Is it running?").set_value(
        "temporarily closed"
    )
    _button(at, "Publish").click()
    at.run()
    assert open_service(store, SERVICE).record["status"] == "temporarily closed"


def test_an_editor_adds_a_new_service_held_for_approval(store):
    at = _edit(_editor_of_org(store), service="new")
    _field(at, "Service name").input("Saturday pantry")
    _field(at, "Postcode of its venue").input("BS5 0HE")
    _field(at, "Capacity").input("30")
    next(m for m in at.multiselect if shown(m.label) == "Categories of need").set_value(["food"])
    _button(at, "Send for approval").click()
    at.run()
    assert "Sent for approval" in _texts(at), [shown(e.value) for e in at.error]
    [held] = proposals.queue(store, KEEPER)
    assert held.kind == "new service" and held.service_record["service_name"] == "Saturday pantry"
    assert held.service_record["categories"] == ["food"]


def test_earlier_versions_are_compared_and_restored(store):
    reviewer = _account(store, "rev@example.org", role="reviewer")
    for capacity in ("50", "60"):
        at = _edit(reviewer)
        _field(at, "Capacity").input(capacity)
        _button(at, "Publish").click()
        at.run()
    at = _edit(reviewer)
    table = at.dataframe[0].value
    assert table.iloc[0]["Version 2"] == "50" and table.iloc[0]["Version 3"] == "60"
    _button(at, "Restore version 2").click()
    at.run()
    assert "Version 2 is restored" in _texts(at)
    assert open_service(store, SERVICE).record["capacity"] == 50.0


def test_anyone_can_suggest_a_missing_group_into_the_queue(store):
    at = _app("suggest")
    at.run()
    _field(at, "Organisation name").input("Lantern Lunch Club")
    _field(at, "Service name").input("Thursday lunch")
    _field(at, "Postcode of its venue").input("BS5 0HE")
    _field(at, "Capacity").input("30")
    next(m for m in at.multiselect if shown(m.label) == "Categories of need").set_value(["food"])
    next(t for t in at.text_area if "reviewer" in shown(t.label)).input("I help there")
    _button(at, "Send the suggestion").click()
    at.run()
    assert "your suggestion is with the reviewers" in _texts(at)
    [held] = proposals.queue(store, KEEPER)
    assert held.kind == "suggestion" and held.note == "I help there"
    assert held.organisation_record["org_name"] == "Lantern Lunch Club"


def test_a_suggestion_outside_the_area_is_refused_under_the_postcode(store):
    at = _app("suggest")
    at.run()
    _field(at, "Organisation name").input("Far Away Group")
    _field(at, "Postcode of its venue").input("SW1A 1AA")
    _button(at, "Send the suggestion").click()
    at.run()
    assert proposals.queue(store, KEEPER) == []
    assert any("SW1A 1AA" in shown(e.value) for e in at.error), [e.value for e in at.error]
