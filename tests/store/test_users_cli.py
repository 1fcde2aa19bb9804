"""``python -m analysis users``: the first admin from the command line, and the rest."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from analysis.cli import main
from analysis.store import accounts
from analysis.store.engine import make_engine

PASSWORD = "a long enough phrase"


def _link(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("http"))


def test_users_add_prints_a_one_time_link_that_makes_the_first_admin(store_url, capsys):
    assert (
        main(["users", "add", "Chief@Example.org", "--role", "admin", "--database", store_url]) == 0
    )
    out = capsys.readouterr().out
    assert "chief@example.org (admin)" in out and "works once" in out
    link = _link(out)
    assert link.startswith("http://localhost:8501/?page=account&invitation=")
    token = parse_qs(urlsplit(link).query)["invitation"][0]
    engine = make_engine(store_url)
    try:
        session = accounts.accept_link(engine, token, password=PASSWORD)
        assert session.account.role == "admin"
    finally:
        engine.dispose()
    assert main(["users", "list", "--database", store_url]) == 0
    assert "chief@example.org\tadmin\tpassword" in capsys.readouterr().out


def test_the_link_starts_with_the_public_address(store_url, capsys, monkeypatch):
    monkeypatch.setenv("SAFETYNET_PUBLIC_URL", "https://safetynet.example.org")
    assert main(["users", "add", "ed@example.org", "--database", store_url]) == 0
    assert _link(capsys.readouterr().out).startswith("https://safetynet.example.org/?page=")


def test_users_reset_role_and_delete(store_url, capsys):
    for email in ("one@example.org", "two@example.org"):
        main(["users", "add", email, "--role", "admin", "--database", store_url])
    capsys.readouterr()
    assert main(["users", "reset", "one@example.org", "--database", store_url]) == 0
    assert "&reset=" in _link(capsys.readouterr().out)
    assert main(["users", "role", "one@example.org", "reviewer", "--database", store_url]) == 0
    assert main(["users", "delete", "one@example.org", "--database", store_url]) == 0
    capsys.readouterr()
    assert main(["users", "role", "two@example.org", "editor", "--database", store_url]) != 0
    assert "only admin" in capsys.readouterr().err
    assert main(["users", "delete", "nobody@example.org", "--database", store_url]) != 0
    assert "no account has the email nobody@example.org" in capsys.readouterr().err


def test_db_history_names_accounts_for_the_keeper_and_a_deleted_one_as_a_former_user(
    demo_store, capsys
):
    from analysis.store.access import command_line
    from analysis.store.editing import save_service

    url = demo_store.url.render_as_string(hide_password=False)
    editor = accounts.invite(demo_store, command_line(), "ed@example.org", base_url="http://x")
    service = "ember-together--benefits-help"
    save_service(demo_store, service, {"capacity": 7.0}, expected_version=1, actor=command_line())
    from analysis.store import proposals
    from analysis.store.claims import grant_editor
    from analysis.store.editing import open_service

    grant_editor(demo_store, command_line(), editor.account.id, "ember-together")
    stored = open_service(demo_store, service)
    held = proposals.submit(
        demo_store,
        editor.account.actor,
        organisation_id="ember-together",
        service_id=service,
        service_record={**stored.record, "capacity": 8.0},
        service_version=stored.version,
    )
    proposals.decide(demo_store, command_line(), held.proposal_id, approve=True)
    assert main(["db", "history", service, "--database", url]) == 0
    assert "ed@example.org" in capsys.readouterr().out
    accounts.delete_account(demo_store, command_line(), editor.account.id)
    assert main(["db", "history", service, "--database", url]) == 0
    out = capsys.readouterr().out
    assert "a former user" in out and "ed@example.org" not in out
