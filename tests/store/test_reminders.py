"""The review cycle: reminders 10, 11 and 12 months after a service's last check, queued
once, the latest step only, withdrawn when a verification starts a new cycle."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from analysis.cli import main
from analysis.store import accounts, claims, config, editing, schema
from analysis.store.access import NotAllowedError, account_actor, command_line
from analysis.store.mail import FolderTransport, deliver_due
from analysis.store.reminders import (
    cycle_of,
    plan_reminder_mail,
    plan_reminders,
    reminder_key,
    service_cycle,
)

KEEPER = command_line("tests")
BASE = "http://localhost:8501"
ORG = "ember-together"
MONEY = "ember-together--money-advice"  # last updated 2025-10-28 in the demo
MONEY_CHECKED = date(2025, 10, 28)
BENEFITS_2 = "ember-together--benefits-help-2"  # last updated 2025-11-23


def _editor(store, email: str = "ed@example.org") -> str:
    link = accounts.invite(store, KEEPER, email, base_url=BASE)
    claims.grant_editor(store, KEEPER, link.account.id, ORG)
    return link.account.id


def _unsent(store) -> dict[str, sa.Row]:
    outbox = schema.outbox
    with store.connect() as connection:
        rows = connection.execute(sa.select(outbox).where(outbox.c.sent_at.is_(None))).all()
    return {row.dedupe_key: row for row in rows}


def test_the_cycle_reminds_at_10_11_and_12_months_and_is_stale_after_12():
    def on(day: date):
        return cycle_of(MONEY_CHECKED, day)

    before = on(date(2026, 8, 27))
    assert before.due_months is None and before.next_reminder == date(2026, 8, 28)
    assert before.reminders == (date(2026, 8, 28), date(2026, 9, 28), date(2026, 10, 28))
    assert on(date(2026, 8, 28)).due_months == 10
    assert on(date(2026, 9, 27)).due_months == 10
    assert on(date(2026, 9, 28)).due_months == 11
    last_day = on(date(2026, 10, 28))
    assert last_day.due_months == 12 and not last_day.is_stale
    assert last_day.next_reminder == date(2026, 10, 28)  # today: on or after
    stale = on(date(2026, 10, 29))
    assert stale.is_stale and stale.stale_from == date(2026, 10, 29)
    assert stale.next_reminder is None
    never = cycle_of(None, date(2026, 1, 1))
    assert never.is_stale and never.reminders == ()


def test_service_cycle_reads_the_stored_service(demo_store):
    cycle = service_cycle(demo_store, MONEY, today=date(2026, 9, 1))
    assert cycle.checked_on == MONEY_CHECKED and cycle.due_months == 10
    assert cycle.next_reminder == date(2026, 9, 28)


def test_planning_twice_queues_once_for_each_editor(demo_store):
    first, second = _editor(demo_store), _editor(demo_store, "second@example.org")
    assert plan_reminders(demo_store, KEEPER, today=date(2026, 9, 1)) == 2
    assert plan_reminders(demo_store, KEEPER, today=date(2026, 9, 1)) == 0
    unsent = _unsent(demo_store)
    assert set(unsent) == {
        reminder_key(MONEY, MONEY_CHECKED, 10, first),
        reminder_key(MONEY, MONEY_CHECKED, 10, second),
    }
    row = unsent[reminder_key(MONEY, MONEY_CHECKED, 10, first)]
    assert row.recipient == "ed@example.org" and row.account_id == first
    assert row.due_at == datetime(2026, 8, 28)  # due on the day of its step


def test_no_editor_no_reminder(demo_store):
    assert plan_reminders(demo_store, KEEPER, today=date(2027, 6, 1)) == 0
    assert _unsent(demo_store) == {}


def test_the_reminder_says_why_it_came_what_to_do_and_how_to_stop(demo_store):
    account = _editor(demo_store)
    plan_reminders(demo_store, KEEPER, today=date(2026, 9, 1))
    row = _unsent(demo_store)[reminder_key(MONEY, MONEY_CHECKED, 10, account)]
    text = " ".join(row.body.split())
    assert "You keep the entry of Ember Together in Safety Net." in text
    assert "Money Advice was last checked on 28 October 2025" in text
    assert "entries over 12 months old are marked out of date on the maps" in text
    assert f"{BASE}/?page=edit&org={ORG}" in text
    assert "confirm the entry is still correct, or give up keeping it from Your account" in text
    assert "ask a reviewer" in text
    assert max(len(line) for line in row.body.splitlines()) <= 72
    assert row.subject == "Safety Net: please check Money Advice"


def test_a_missed_step_is_not_sent_late_once_the_next_is_due(demo_store):
    account = _editor(demo_store)
    plan_reminders(demo_store, KEEPER, today=date(2026, 9, 1))
    plan = plan_reminder_mail(demo_store, KEEPER, today=date(2026, 10, 1))
    assert plan.withdrawn == 1  # the 10-month one, never sent
    assert set(_unsent(demo_store)) == {
        reminder_key(MONEY, MONEY_CHECKED, 11, account),
        reminder_key(BENEFITS_2, date(2025, 11, 23), 10, account),
    }


def test_a_sent_reminder_is_not_queued_again_and_the_next_step_follows(demo_store, tmp_path):
    account = _editor(demo_store)
    plan_reminders(demo_store, KEEPER, today=date(2026, 9, 1))
    out = tmp_path / "out"
    sent = deliver_due(demo_store, KEEPER, transport=FolderTransport(out), now=datetime(2026, 9, 1))
    assert sent.sent == 1
    assert plan_reminders(demo_store, KEEPER, today=date(2026, 9, 20)) == 0
    plan = plan_reminder_mail(demo_store, KEEPER, today=date(2026, 9, 28))
    assert (plan.queued, plan.withdrawn) == (2, 0)  # Money Advice at 11, Benefits Help 2 at 10
    assert reminder_key(MONEY, MONEY_CHECKED, 11, account) in _unsent(demo_store)


def test_a_verification_withdraws_the_old_reminder_and_starts_a_new_cycle(demo_store):
    account = _editor(demo_store)
    plan_reminders(demo_store, KEEPER, today=date(2026, 9, 1))
    version = editing.open_service(demo_store, MONEY).version
    editing.verify_service(
        demo_store, MONEY, expected_version=version, actor=KEEPER, at=datetime(2026, 9, 2, 10)
    )
    plan = plan_reminder_mail(demo_store, KEEPER, today=date(2026, 9, 2))
    assert (plan.queued, plan.withdrawn) == (0, 1)
    assert _unsent(demo_store) == {}
    cycle = service_cycle(demo_store, MONEY, today=date(2026, 9, 2))
    assert cycle.checked_on == date(2026, 9, 2) and cycle.due_months is None
    assert cycle.next_reminder == date(2027, 7, 2) and not cycle.is_stale
    plan_reminders(demo_store, KEEPER, today=date(2027, 7, 2))
    assert reminder_key(MONEY, date(2026, 9, 2), 10, account) in _unsent(demo_store)
    assert not any(key.startswith(f"reminder:{MONEY}:2025-10-28") for key in _unsent(demo_store))


def test_an_archived_service_gets_no_reminder(demo_store):
    _editor(demo_store)
    plan_reminders(demo_store, KEEPER, today=date(2026, 9, 1))
    version = editing.open_service(demo_store, MONEY).version
    editing.archive_service(demo_store, MONEY, expected_version=version, actor=KEEPER)
    assert plan_reminder_mail(demo_store, KEEPER, today=date(2026, 9, 1)).withdrawn == 1
    assert _unsent(demo_store) == {}


def test_an_editor_may_not_plan_mail(demo_store):
    account = _editor(demo_store)
    with pytest.raises(NotAllowedError, match="may not send mail"):
        plan_reminders(demo_store, account_actor(account), today=date(2026, 9, 1))


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_reminders_send_from_the_command_line(demo_store, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(config.SMTP_URL_ENV, raising=False)
    monkeypatch.setenv(config.MAIL_FOLDER_ENV, str(tmp_path / "out"))
    _editor(demo_store)
    database = ["--database", _url(demo_store)]
    assert main(["reminders", "plan", "--today", "2026-10-01", *database]) == 0
    assert "queued 2 reminders" in capsys.readouterr().out
    assert main(["reminders", "outbox", *database]) == 0
    assert "Safety Net: please check Money Advice" in capsys.readouterr().out
    assert main(["reminders", "send", "--today", "2026-10-01", *database]) == 0
    out = capsys.readouterr().out
    assert "queued 0 reminders" in out and "sent 2 messages in 1 email" in out
    assert len(list((tmp_path / "out").glob("*.eml"))) == 1
    assert main(["reminders", "outbox", *database]) == 0
    assert "the outbox is empty" in capsys.readouterr().out


def test_a_failed_send_from_the_command_line_exits_non_zero_and_stays_listed(
    demo_store, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv(config.SMTP_URL_ENV, raising=False)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(config.MAIL_FOLDER_ENV, str(blocked))
    _editor(demo_store)
    database = ["--database", _url(demo_store)]
    assert main(["reminders", "send", "--today", "2026-10-01", *database]) == 1
    captured = capsys.readouterr()
    assert "failed 2" in captured.out and "left in the outbox: 2 to retry" in captured.out
    assert "error: the run stopped: could not write to the folder" in captured.err
    assert "Traceback" not in captured.err
    assert main(["reminders", "outbox", *database]) == 0
    assert "could not write to the folder" in capsys.readouterr().out


def test_a_bad_smtp_url_is_a_clear_error(demo_store, monkeypatch, capsys):
    monkeypatch.setenv(config.SMTP_URL_ENV, "mail.example.org")
    assert main(["reminders", "send", "--database", _url(demo_store)]) == 2
    assert (
        "SAFETYNET_SMTP_URL 'mail.example.org' has no scheme; it must start with smtp://"
        in capsys.readouterr().err
    )
