"""Mail through a real SMTP server (aiosmtpd, started by each test on a free local port):
a reminder arrives, a refused or unreachable send is kept and sent once later, and two
senders at once send each message once."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from analysis.store import accounts, claims, config, schema
from analysis.store.access import command_line
from analysis.store.mail import SmtpSettings, SmtpTransport, deliver_due
from analysis.store.outbox import Message, queue_message
from analysis.store.reminders import plan_reminders
from analysis.store.schema import FEEDBACK_MAIL

KEEPER = command_line("tests")
NOW = datetime(2026, 10, 1, 9, 0, 0)


class Collector:
    """An SMTP handler keeping every message it accepts; it can refuse the next few with
    451 (try again later) and take its time over each."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse = 0
        self.delay_s = 0.0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(envelope.content, policy=policy.default)
            for envelope in self.envelopes
        ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, Controller]]:
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller
    if controller._thread is not None:  # stopped by the test already otherwise
        controller.stop()


def _transport(controller: Controller, query: str = "") -> SmtpTransport:
    return SmtpTransport(
        SmtpSettings.from_url(f"smtp://{controller.hostname}:{controller.port}{query}")
    )


def _queue(store, count: int) -> None:
    with store.begin() as connection:
        for number in range(count):
            message = Message(
                FEEDBACK_MAIL,
                f"group{number}@example.org",
                f"Message {number}",
                "Hello.\n",
                f"test:{number}",
                due_at=NOW,
            )
            queue_message(connection, message, at=NOW)


def _unsent(store) -> list[sa.Row]:
    outbox = schema.outbox
    with store.connect() as connection:
        return connection.execute(sa.select(outbox).where(outbox.c.sent_at.is_(None))).all()


def test_a_reminder_arrives_at_the_mail_server(demo_store, smtp, monkeypatch):
    handler, controller = smtp
    monkeypatch.setenv(config.MAIL_FROM_ENV, "Safety Net <directory@example.org>")
    link = accounts.invite(demo_store, KEEPER, "ed@example.org", base_url="http://x")
    claims.grant_editor(demo_store, KEEPER, link.account.id, "ember-together")
    assert plan_reminders(demo_store, KEEPER, today=date(2026, 10, 1)) == 2
    report = deliver_due(demo_store, KEEPER, transport=_transport(controller), now=NOW)
    assert (report.sent, report.emails, report.failed) == (2, 1, ())
    [envelope] = handler.envelopes
    assert envelope.mail_from == "directory@example.org"
    assert envelope.rcpt_tos == ["ed@example.org"]
    [received] = handler.messages()
    assert received["Subject"] == "Safety Net: 2 entries to check"
    assert received["Message-ID"].startswith("<outbox-") and received["Auto-Submitted"]
    text = received.get_content()
    assert "Money Advice was last checked on 28 October 2025" in text
    assert "Benefits Help was last checked on 23 November 2025" in text
    assert text.count("You keep the entry of Ember Together") == 1
    assert _unsent(demo_store) == []


def test_a_refused_send_is_kept_and_sent_exactly_once_on_a_later_run(store, smtp):
    handler, controller = smtp
    _queue(store, 1)
    handler.refuse = 1
    first = deliver_due(store, KEEPER, transport=_transport(controller), now=NOW)
    assert first.sent == 0 and first.to_retry == 1
    [failed] = first.failed
    assert "answered 451 4.3.0 Try again later" in failed.reason
    [row] = _unsent(store)
    assert row.attempts == 1 and "451" in row.error
    too_soon = deliver_due(store, KEEPER, transport=_transport(controller), now=NOW)
    assert too_soon.sent == 0 and handler.envelopes == []
    retried = deliver_due(store, KEEPER, transport=_transport(controller), now=row.due_at)
    assert retried.sent == 1 and retried.failed == ()
    again = deliver_due(store, KEEPER, transport=_transport(controller), now=row.due_at)
    assert again.sent == 0
    assert len(handler.envelopes) == 1 and _unsent(store) == []


def test_a_stopped_server_stops_the_run_and_the_messages_go_once_it_is_back(store, smtp):
    handler, controller = smtp
    _queue(store, 3)
    controller.stop()
    down = deliver_due(store, KEEPER, transport=_transport(controller), now=NOW)
    assert down.sent == 0 and len(down.failed) == 1
    assert "could not be reached" in down.stopped and "SAFETYNET_SMTP_URL" in down.stopped
    assert len(_unsent(store)) == 3
    restarted = Controller(handler, hostname=controller.hostname, port=controller.port)
    restarted.start()
    try:
        later = NOW + timedelta(hours=1)
        back = deliver_due(store, KEEPER, transport=_transport(restarted), now=later)
    finally:
        restarted.stop()
    assert back.sent == 3 and back.failed == ()
    assert sorted(envelope.rcpt_tos[0] for envelope in handler.envelopes) == [
        f"group{number}@example.org" for number in range(3)
    ]


def test_two_senders_at_once_send_each_message_once(store, smtp):
    handler, controller = smtp
    handler.delay_s = 0.01  # each send takes a moment, so the two runs overlap
    _queue(store, 20)
    reports: list = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        reports.append(deliver_due(store, KEEPER, transport=_transport(controller), now=NOW))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ids = Counter(message["Message-ID"] for message in handler.messages())
    assert len(ids) == 20 and set(ids.values()) == {1}
    assert sum(report.sent for report in reports) == 20
    assert all(report.failed == () for report in reports)


def test_starttls_required_refuses_a_server_without_it(store, smtp):
    handler, controller = smtp
    _queue(store, 1)
    report = deliver_due(
        store, KEEPER, transport=_transport(controller, "?starttls=required"), now=NOW
    )
    assert report.sent == 0 and "does not offer STARTTLS" in report.stopped
    assert handler.envelopes == [] and len(_unsent(store)) == 1


def test_a_password_is_never_sent_unencrypted_to_another_host(store):
    handler = Collector()
    # 127.0.0.2 is this machine too, but not an address trusted as loopback.
    controller = Controller(handler, hostname="127.0.0.2", port=_free_port())
    controller.start()
    _queue(store, 1)
    settings = SmtpSettings("127.0.0.2", controller.port, username="me", password="secret")
    try:
        report = deliver_due(store, KEEPER, transport=SmtpTransport(settings), now=NOW)
    finally:
        controller.stop()
    assert "the password would cross the network unencrypted" in report.stopped
    assert handler.envelopes == []
