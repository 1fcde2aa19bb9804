"""The outbox and its delivery: queued once, claimed by one sender, failures kept and
retried, the folder's .eml files readable by any mail program."""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa

from analysis.store import accounts, config, schema
from analysis.store.access import NotAllowedError, account_actor, command_line
from analysis.store.mail import (
    DeliveryFailure,
    FolderTransport,
    MailError,
    SmtpSettings,
    bundle_text,
    deliver_due,
    retry_given_up,
    retry_wait,
    unsent_messages,
)
from analysis.store.outbox import Message, queue_message
from analysis.store.schema import FEEDBACK_MAIL, REMINDER_MAIL

KEEPER = command_line("tests")
NOW = datetime(2026, 5, 1, 9, 0, 0)


def _queue(store, key: str, *, to: str = "ed@example.org", kind=FEEDBACK_MAIL, body="Hello.\n"):
    message = Message(kind, to, f"Subject {key}", body, key, due_at=NOW)
    with store.begin() as connection:
        return queue_message(connection, message, at=NOW)


def _rows(store) -> list[sa.Row]:
    with store.connect() as connection:
        return connection.execute(sa.select(schema.outbox).order_by(schema.outbox.c.id)).all()


class Recorder:
    """A transport keeping what it was given, optionally running something mid-send."""

    description = "a list"

    def __init__(self, during=None) -> None:
        self.sent: list[EmailMessage] = []
        self.during = during

    def send(self, message: EmailMessage) -> None:
        if self.during is not None:
            self.during()
        self.sent.append(message)

    def close(self) -> None:
        pass


class Broken(Recorder):
    """A transport whose server answers 451 (temporarily) every time."""

    def send(self, message: EmailMessage) -> None:
        raise DeliveryFailure("the mail server answered 451 try again later")


def test_queuing_the_same_key_twice_queues_once(store):
    assert _queue(store, "k1") is True
    assert _queue(store, "k1") is False
    assert len(_rows(store)) == 1


def test_the_folder_transport_writes_parseable_eml_files(store, tmp_path, monkeypatch):
    monkeypatch.setenv(config.MAIL_FROM_ENV, "Safety Net <directory@example.org>")
    monkeypatch.setenv("SAFETYNET_PUBLIC_URL", "https://safetynet.example.org")
    _queue(store, "k1", body="Café Ünïcode: £5 a week.\n")
    report = deliver_due(store, KEEPER, transport=FolderTransport(tmp_path / "out"), now=NOW)
    assert (report.sent, report.emails, report.failed) == (1, 1, ())
    [path] = list((tmp_path / "out").iterdir())
    [row] = _rows(store)
    assert path.name == f"outbox-{row.id}@safetynet.example.org.eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == f"<outbox-{row.id}@safetynet.example.org>"
    assert parsed["From"] == "Safety Net <directory@example.org>"
    assert parsed["To"] == "ed@example.org" and parsed["Subject"] == "Subject k1"
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content().splitlines() == ["Café Ünïcode: £5 a week."]
    assert b"\r\n" in path.read_bytes()  # RFC 5322's line ends
    assert row.sent_at == NOW and row.attempts == 1 and row.claimed_until is None
    again = deliver_due(store, KEEPER, transport=FolderTransport(tmp_path / "out"), now=NOW)
    assert again.sent == 0  # sent once, never again


def test_a_message_being_sent_is_not_sent_by_a_second_sender(store):
    for number in range(3):
        _queue(store, f"k{number}")
    inside: list = []

    def second_sender() -> None:
        if not inside:  # while the first sender is sending its first message
            inside.append(deliver_due(store, KEEPER, transport=Recorder(), now=NOW))

    first = Recorder(during=second_sender)
    report = deliver_due(store, KEEPER, transport=first, now=NOW)
    [nested] = inside
    # The second sender took the two the first had not claimed yet, and not the first.
    assert nested.sent == 2
    assert report.sent == 1 and report.taken_by_others == 2
    assert all(row.sent_at is not None for row in _rows(store))


def test_a_crash_between_send_and_mark_sends_again_after_the_lease_with_the_same_id(store):
    _queue(store, "k1")

    class Crash(BaseException):
        pass

    def crash() -> None:
        raise Crash

    class SentThenCrashed(Recorder):
        def send(self, message: EmailMessage) -> None:
            super().send(message)
            crash()

    crashed = SentThenCrashed()
    with pytest.raises(Crash):
        deliver_due(store, KEEPER, transport=crashed, now=NOW)
    [row] = _rows(store)
    assert row.sent_at is None and row.claimed_until > NOW
    soon = Recorder()
    assert deliver_due(store, KEEPER, transport=soon, now=NOW + timedelta(minutes=5)).sent == 0
    later = Recorder()
    lease_over = NOW + timedelta(minutes=config.MAIL_LEASE_MINUTES, seconds=1)
    assert deliver_due(store, KEEPER, transport=later, now=lease_over).sent == 1
    assert later.sent[0]["Message-ID"] == crashed.sent[0]["Message-ID"]


def test_a_failed_send_is_kept_with_its_error_and_retried_after_a_wait(store):
    _queue(store, "k1")
    report = deliver_due(store, KEEPER, transport=Broken(), now=NOW)
    assert report.sent == 0 and report.to_retry == 1
    [failed] = report.failed
    assert "451" in failed.reason and not failed.given_up
    [row] = _rows(store)
    assert row.sent_at is None and row.attempts == 1 and "451" in row.error
    assert row.due_at == NOW + timedelta(minutes=config.MAIL_RETRY_MINUTES)
    assert row.claimed_until is None
    early = Recorder()
    assert deliver_due(store, KEEPER, transport=early, now=NOW + timedelta(minutes=1)).sent == 0
    later = Recorder()
    assert deliver_due(store, KEEPER, transport=later, now=row.due_at).sent == 1
    [row] = _rows(store)
    assert row.sent_at == row.due_at and row.error is None and row.attempts == 2
    assert len(later.sent) == 1


def test_after_many_failures_a_message_stays_listed_until_retried(store):
    _queue(store, "k1")
    at = NOW
    for _ in range(config.MAIL_MAX_ATTEMPTS):
        deliver_due(store, KEEPER, transport=Broken(), now=at)
        at += timedelta(days=2)
    [row] = _rows(store)
    assert row.attempts == config.MAIL_MAX_ATTEMPTS
    assert deliver_due(store, KEEPER, transport=Recorder(), now=at).sent == 0
    [entry] = unsent_messages(store, KEEPER)
    assert entry.given_up and "451" in entry.reason and entry.recipient == "ed@example.org"
    assert retry_given_up(store, KEEPER, now=at) == 1
    assert deliver_due(store, KEEPER, transport=Recorder(), now=at).sent == 1
    assert unsent_messages(store, KEEPER) == []


def test_an_unwritable_folder_stops_the_run_and_keeps_every_message(store, tmp_path):
    for number in range(3):
        _queue(store, f"k{number}")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    report = deliver_due(store, KEEPER, transport=FolderTransport(blocked), now=NOW)
    assert report.sent == 0 and len(report.failed) == 1
    assert "could not write to the folder" in report.stopped
    assert [row.attempts for row in _rows(store)] == [1, 0, 0]  # the others untouched
    assert len(unsent_messages(store, KEEPER)) == 3


def test_reminders_to_one_person_go_as_one_email_other_kinds_alone(store):
    body = "You keep {}.\n\nItem {}.\n\nHow to stop.\n"
    _queue(store, "r1", kind=REMINDER_MAIL, body=body.format("A", 1))
    _queue(store, "r2", kind=REMINDER_MAIL, body=body.format("A", 2))
    _queue(store, "r3", kind=REMINDER_MAIL, to="other@example.org", body=body.format("B", 3))
    _queue(store, "f1")
    _queue(store, "f2")
    recorder = Recorder()
    report = deliver_due(store, KEEPER, transport=recorder, now=NOW)
    assert (report.sent, report.emails) == (5, 4)
    bundle = next(sent for sent in recorder.sent if sent["Subject"].endswith("entries to check"))
    assert bundle.get_content().replace("\r\n", "\n") == (
        "You keep A.\n\nItem 1.\n\nItem 2.\n\nHow to stop.\n"
    )


def test_bundle_text_says_shared_paragraphs_once():
    assert bundle_text(["A\n\nx\n\nS\n", "B\n\ny\n\nS\n"]) == "A\n\nx\n\nB\n\ny\n\nS\n"
    assert bundle_text(["A\n\nS\n", "A\n\nS\n"]) == "A\n\nS\n\nS\n"  # each keeps its own


def test_retry_waits_double_up_to_a_day():
    assert retry_wait(1) == timedelta(minutes=15)
    assert retry_wait(2) == timedelta(minutes=30)
    assert retry_wait(4) == timedelta(hours=2)
    assert retry_wait(9) == retry_wait(40) == timedelta(hours=config.MAIL_RETRY_MAX_HOURS)


def test_only_an_admin_may_send_or_list_mail(store):
    link = accounts.invite(
        store, KEEPER, "reviewer@example.org", base_url="http://x", role="reviewer"
    )
    reviewer = account_actor(link.account.id)
    with pytest.raises(NotAllowedError, match="may not send mail; that needs an admin"):
        deliver_due(store, reviewer, transport=Recorder(), now=NOW)
    with pytest.raises(NotAllowedError, match="may not send mail"):
        unsent_messages(store, reviewer)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("http://mail.example.org", "starts with http://; it must start with smtp:// or smtps://"),
        ("smtp://", "names no host"),
        ("smtp://mail.example.org:port", "port that is not a number"),
        ("smtp://mail.example.org?starttls=sometimes", "starttls='sometimes'"),
    ],
)
def test_a_bad_server_url_is_refused_with_the_fix(url, match):
    with pytest.raises(MailError, match=match):
        SmtpSettings.from_url(url)


def test_a_server_url_gives_its_parts_and_hides_its_password():
    settings = SmtpSettings.from_url("smtps://me%40example.org:s3cret@mail.example.org")
    assert (settings.host, settings.port, settings.implicit_tls) == ("mail.example.org", 465, True)
    assert (settings.username, settings.password) == ("me@example.org", "s3cret")
    assert "s3cret" not in settings.description
    with pytest.raises(MailError) as caught:
        SmtpSettings.from_url("ftp://me:s3cret@mail.example.org")
    assert "s3cret" not in str(caught.value)


def test_the_folder_is_a_setting_under_var():
    assert config.DEFAULT_MAIL_FOLDER == config.REPO_ROOT / "var" / "outbox"
    assert isinstance(config.DEFAULT_MAIL_FOLDER, Path)
