"""Local accounts: invitations, Argon2id passwords, lockout, sessions, resets, deletion."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from analysis.errors import StoreError
from analysis.store import accounts, config, schema
from analysis.store.access import command_line
from analysis.store.accounts import SignInError
from analysis.store.editing import open_service, save_service
from analysis.store.history import record_history
from analysis.store.schema import EDITOR, INVITATION, RESET

KEEPER = command_line("tests")
BASE = "http://localhost:8501"
AT = datetime(2026, 3, 2, 10, 0, 0)
PASSWORD = "correct horse battery"


def _token(link: accounts.Link, purpose: str = INVITATION) -> str:
    return parse_qs(urlsplit(link.url).query)[purpose][0]


def _invited(store, email="group@example.org", at=AT) -> str:
    return _token(accounts.invite(store, KEEPER, email, base_url=BASE, at=at))


def test_an_invitation_link_opens_the_account_page_once_and_signs_in(store):
    link = accounts.invite(store, KEEPER, " Group@Example.org ", base_url=BASE, at=AT)
    assert link.url.startswith(f"{BASE}/?page=account&invitation=")
    assert link.account.email == "group@example.org" and link.account.role == EDITOR
    assert link.expires_at == AT + timedelta(days=config.INVITATION_DAYS)
    token = _token(link)
    session = accounts.accept_link(store, token, password=PASSWORD, name="Sam", at=AT)
    assert session.account.email == "group@example.org" and session.account.name == "Sam"
    assert accounts.session_account(store, session.token, at=AT).id == link.account.id
    with pytest.raises(SignInError, match="used already, and works only once"):
        accounts.accept_link(store, token, password=PASSWORD, at=AT)


def test_secrets_are_stored_hashed_and_passwords_as_argon2id(store):
    token = _invited(store)
    session = accounts.accept_link(store, token, password=PASSWORD, at=AT)
    with store.connect() as connection:
        hashes = set(connection.execute(sa.select(schema.account_token.c.token_hash)).scalars())
        stored = connection.execute(sa.select(schema.account.c.password_hash)).scalar_one()
    assert token not in hashes and session.token not in hashes and len(hashes) == 2
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_an_expired_invitation_says_when_it_expired(store):
    token = _invited(store)
    later = AT + timedelta(days=config.INVITATION_DAYS, seconds=1)
    with pytest.raises(SignInError, match="expired on 16 March 2026 at 10:00 UTC"):
        accounts.accept_link(store, token, password=PASSWORD, at=later)


def test_a_link_not_made_here_is_refused_with_the_fix(store):
    with pytest.raises(SignInError, match="not one this site made.*ask a reviewer"):
        accounts.accept_link(store, "made-up", password=PASSWORD, at=AT)


@pytest.mark.parametrize(
    ("password", "expected"),
    [("short", "has 5 characters; it needs at least 15"), ("group@example.org", "is the email")],
)
def test_a_weak_password_is_refused_and_the_link_still_works(store, password, expected):
    token = _invited(store)
    with pytest.raises(SignInError, match=expected):
        accounts.accept_link(store, token, password=password, at=AT)
    accounts.accept_link(store, token, password=PASSWORD, at=AT)


def test_sign_in_with_the_right_password_and_not_the_wrong_one(store):
    accounts.accept_link(store, _invited(store), password=PASSWORD, at=AT)
    assert accounts.sign_in(store, "GROUP@example.org", PASSWORD, at=AT).account.email
    with pytest.raises(SignInError, match="do not match an account"):
        accounts.sign_in(store, "group@example.org", "wrong password", at=AT)
    with pytest.raises(SignInError, match="do not match an account"):
        accounts.sign_in(store, "nobody@example.org", PASSWORD, at=AT)


def test_repeated_wrong_passwords_lock_the_account_until_a_time_it_names(store):
    accounts.accept_link(store, _invited(store), password=PASSWORD, at=AT)
    for attempt in range(config.MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(SignInError, match="do not match"):
            accounts.sign_in(store, "group@example.org", f"wrong {attempt}", at=AT)
    with pytest.raises(SignInError, match="locked after 5 wrong passwords, until 10:15 UTC"):
        accounts.sign_in(store, "group@example.org", "wrong again", at=AT)
    with pytest.raises(SignInError, match="locked"):  # even the right password, while locked
        accounts.sign_in(store, "group@example.org", PASSWORD, at=AT + timedelta(minutes=14))
    after = AT + timedelta(minutes=config.LOCK_MINUTES, seconds=1)
    assert accounts.sign_in(store, "group@example.org", PASSWORD, at=after).account


def test_a_session_expires_and_signing_out_ends_it(store):
    accounts.accept_link(store, _invited(store), password=PASSWORD, at=AT)
    session = accounts.sign_in(store, "group@example.org", PASSWORD, at=AT)
    end = AT + timedelta(hours=config.SESSION_HOURS)
    assert accounts.session_account(store, session.token, at=end - timedelta(seconds=1))
    with pytest.raises(SignInError, match="ended after 8 hours"):
        accounts.session_account(store, session.token, at=end)
    other = accounts.sign_in(store, "group@example.org", PASSWORD, at=AT)
    accounts.sign_out(store, other.token, at=AT)
    with pytest.raises(SignInError, match="signed out"):
        accounts.session_account(store, other.token, at=AT)


def test_a_reset_link_sets_a_new_password_and_the_old_one_stops_working(store):
    accounts.accept_link(store, _invited(store), password=PASSWORD, at=AT)
    link = accounts.reset_link(store, KEEPER, "group@example.org", base_url=BASE, at=AT)
    assert link.expires_at == AT + timedelta(hours=config.RESET_HOURS)
    accounts.accept_link(store, _token(link, RESET), password="a brand new phrase", at=AT)
    with pytest.raises(SignInError):
        accounts.sign_in(store, "group@example.org", PASSWORD, at=AT)
    assert accounts.sign_in(store, "group@example.org", "a brand new phrase", at=AT)


def test_a_new_link_replaces_the_older_one(store):
    first = _invited(store)
    second = _invited(store)
    with pytest.raises(SignInError, match="used already"):
        accounts.accept_link(store, first, password=PASSWORD, at=AT)
    accounts.accept_link(store, second, password=PASSWORD, at=AT)


def test_an_identity_provider_sign_in_finds_the_account_made_for_that_email(store):
    made = accounts.invite(store, KEEPER, "officer@council.example", base_url=BASE, role="reviewer")
    session = accounts.sign_in_with_identity(
        store, issuer="https://idp.example", subject="abc", email="Officer@Council.example"
    )
    assert session.account.id == made.account.id and session.account.role == "reviewer"
    again = accounts.sign_in_with_identity(
        store, issuer="https://idp.example", subject="abc", email="renamed@council.example"
    )
    assert again.account.id == made.account.id  # the subject, not the email, is who
    stranger = accounts.sign_in_with_identity(
        store, issuer="https://idp.example", subject="xyz", email="new@council.example"
    )
    assert stranger.account.role == EDITOR and stranger.account.signs_in_with_provider


def test_a_deleted_accounts_versions_read_a_former_user_and_only_admins_see_emails(demo_store):
    editor = accounts.invite(demo_store, KEEPER, "gone@example.org", base_url=BASE).account
    admin = accounts.invite(demo_store, KEEPER, "admin@example.org", base_url=BASE, role="admin")
    reviewer = accounts.invite(
        demo_store, KEEPER, "rev@example.org", base_url=BASE, role="reviewer"
    )
    service = "ember-together--benefits-help"
    version = open_service(demo_store, service).version
    save_service(demo_store, service, {"capacity": 7.0}, expected_version=version, actor=KEEPER)
    label = editor.actor.label
    names = accounts.account_names(demo_store, admin.account.actor, {label, "import"})
    assert names == {label: "gone@example.org", "import": "import"}
    assert accounts.account_names(demo_store, reviewer.account.actor, {label}) == {
        label: "an editor"
    }
    accounts.delete_account(demo_store, admin.account.actor, editor.id)
    assert accounts.account_names(demo_store, admin.account.actor, {label}) == {
        label: "a former user"
    }
    assert record_history(demo_store, service)  # the record's history stays


def test_the_last_admin_cannot_be_removed(store):
    admin = accounts.invite(store, KEEPER, "admin@example.org", base_url=BASE, role="admin")
    with pytest.raises(StoreError, match="only admin"):
        accounts.set_role(store, KEEPER, admin.account.id, EDITOR)
    with pytest.raises(StoreError, match="only admin"):
        accounts.delete_account(store, KEEPER, admin.account.id)


def test_a_person_may_delete_their_own_account(store):
    account = accounts.invite(store, KEEPER, "me@example.org", base_url=BASE).account
    accounts.delete_account(store, account.actor, account.id)
    with pytest.raises(StoreError, match="no account"):
        accounts.get_account(store, KEEPER, account.id)


@pytest.mark.parametrize("email", ["", "no-at-sign", "two@@example.org", "a@b"])
def test_an_invitation_to_something_not_an_email_is_refused(store, email):
    with pytest.raises(StoreError, match="is not an email address"):
        accounts.invite(store, KEEPER, email, base_url=BASE)


def test_a_reviewer_cannot_make_a_link_that_opens_a_reviewers_or_admins_account(store):
    from analysis.store.access import NotAllowedError

    admin = accounts.invite(store, KEEPER, "admin@example.org", base_url=BASE, role="admin")
    reviewer = accounts.invite(store, KEEPER, "rev@example.org", base_url=BASE, role="reviewer")
    with pytest.raises(NotAllowedError):
        accounts.invite(store, reviewer.account.actor, "admin@example.org", base_url=BASE)
    with pytest.raises(NotAllowedError):
        accounts.reset_link(store, reviewer.account.actor, "admin@example.org", base_url=BASE)
    editor = accounts.invite(store, KEEPER, "ed@example.org", base_url=BASE)
    again = accounts.invite(store, reviewer.account.actor, "ed@example.org", base_url=BASE)
    assert again.account.id == editor.account.id  # a group's new link is a reviewer's to make
    assert admin.account.role == "admin"


def test_a_reset_ends_every_sign_in_made_with_the_old_password(store):
    accounts.accept_link(store, _invited(store), password=PASSWORD, at=AT)
    elsewhere = accounts.sign_in(store, "group@example.org", PASSWORD, at=AT)
    link = accounts.reset_link(store, KEEPER, "group@example.org", base_url=BASE, at=AT)
    accounts.accept_link(store, _token(link, RESET), password="a brand new phrase", at=AT)
    with pytest.raises(SignInError, match="signed out"):
        accounts.session_account(store, elsewhere.token, at=AT)


def test_an_account_tied_to_one_identity_is_not_taken_by_another_with_its_email(store):
    accounts.sign_in_with_identity(
        store, issuer="https://idp.example", subject="abc", email="officer@council.example"
    )
    with pytest.raises(SignInError, match="signs in with another identity"):
        accounts.sign_in_with_identity(
            store, issuer="https://idp.example", subject="xyz", email="officer@council.example"
        )
