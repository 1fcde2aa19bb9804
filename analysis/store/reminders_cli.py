"""``python -m analysis reminders …``: plan the review reminders and send the outbox.

``reminders send`` is what cron or a systemd timer runs (docs/reminders.md): it queues
the reminders due, then delivers every due message, and exits 0 only when none failed.
The command line acts as the machine's keeper (`analysis.store.access.command_line`).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from analysis.store.mail import DeliveryReport


def add_reminders_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``reminders`` and its subcommands on the CLI's subparsers."""
    from analysis.store.cli import add_database_option

    common = argparse.ArgumentParser(add_help=False)
    add_database_option(common)
    dated = argparse.ArgumentParser(add_help=False)
    dated.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        default=None,
        help="plan as on this day (default: today, UTC); for trying the cycle out",
    )
    reminders = commands.add_parser(
        "reminders",
        help="the review cycle's reminders and the outbox: send, plan, outbox, retry",
        description="Editors are reminded 10, 11 and 12 months after a service was last "
        "checked (docs/reminders.md).",
    )
    sub = reminders.add_subparsers(
        dest="reminders_command", required=True, metavar="REMINDERS_COMMAND"
    )

    send = sub.add_parser(
        "send",
        parents=[common, dated],
        help="queue the reminders due, then send every due message",
        description="Exit 0 when every message tried was sent, 1 when some failed (they stay "
        "in the outbox and are tried again on a later run).",
    )
    send.set_defaults(handler=_send)

    plan = sub.add_parser("plan", parents=[common, dated], help="queue the reminders due only")
    plan.set_defaults(handler=_plan)

    outbox = sub.add_parser(
        "outbox", parents=[common], help="list the messages not sent yet, failed ones first"
    )
    outbox.set_defaults(handler=_outbox)

    retry = sub.add_parser(
        "retry", parents=[common], help="make the messages given up on due again"
    )
    retry.set_defaults(handler=_retry)


def _plan(args: argparse.Namespace) -> int:
    from analysis.store.cli import KEEPER, _day, _engine
    from analysis.store.reminders import plan_reminder_mail

    with _engine(args) as engine:
        plan = plan_reminder_mail(engine, KEEPER, today=_day(args.today, "--today"))
    print(_planned(plan.queued, plan.withdrawn))
    return 0


def _send(args: argparse.Namespace) -> int:
    from analysis.store.cli import KEEPER, _day, _engine
    from analysis.store.mail import deliver_due, transport_from_environment
    from analysis.store.reminders import plan_reminder_mail
    from analysis.store.writes import utc_now

    today = _day(args.today, "--today")
    transport = transport_from_environment()
    with _engine(args) as engine:
        plan = plan_reminder_mail(engine, KEEPER, today=today)
        print(_planned(plan.queued, plan.withdrawn))
        now = datetime.combine(today, utc_now().time()) if today else None
        report = deliver_due(engine, KEEPER, transport=transport, now=now)
    print(_delivered(report, transport.description))
    for failed in report.failed:
        print(f"  not sent to {failed.recipient} ({failed.subject}): {failed.reason}")
    if report.to_retry or report.given_up:
        print(
            f"left in the outbox: {report.to_retry} to retry, {report.given_up} given up "
            "(see 'python -m analysis reminders outbox')"
        )
    if report.failed or report.stopped:
        print(f"error: {_failure_summary(report)}", file=sys.stderr)
        return 1
    return 0


def _planned(queued: int, withdrawn: int) -> str:
    text = f"queued {queued} reminder{'' if queued == 1 else 's'}"
    if withdrawn:
        text += f"; withdrew {withdrawn} not sent that no longer apply (checked since)"
    return text


def _delivered(report: DeliveryReport, where: str) -> str:
    text = f"sent {report.sent} message{'' if report.sent == 1 else 's'}"
    if report.emails != report.sent:
        text += f" in {report.emails} email{'' if report.emails == 1 else 's'}"
    text += f" to {where}; failed {len(report.failed)}"
    if report.taken_by_others:
        text += f"; {report.taken_by_others} being sent by another run"
    return text


def _failure_summary(report: DeliveryReport) -> str:
    from analysis.store import config

    if report.stopped:
        return (
            f"the run stopped: {report.stopped}. The messages stay in the outbox and are "
            "tried again on the next run"
        )
    return (
        f"{len(report.failed)} message{'' if len(report.failed) == 1 else 's'} could not be "
        "sent (reasons above); they stay in the outbox and are tried again on a later run. "
        f"Fix: the reasons name the problem; check {config.SMTP_URL_ENV} and the addresses"
    )


def _outbox(args: argparse.Namespace) -> int:
    from analysis.store.cli import KEEPER, _engine
    from analysis.store.mail import unsent_messages

    with _engine(args) as engine:
        entries = unsent_messages(engine, KEEPER)
    if not entries:
        print("the outbox is empty: every message was sent")
        return 0
    print("due (UTC)\tattempts\tto\tsubject\tlast failure")
    for entry in entries:
        note = entry.reason or ""
        if entry.given_up:
            note = f"given up ('reminders retry' tries again): {note}"
        print(
            f"{entry.due_at:%Y-%m-%d %H:%M}\t{entry.attempts}\t{entry.recipient}\t"
            f"{entry.subject}\t{note}"
        )
    return 0


def _retry(args: argparse.Namespace) -> int:
    from analysis.store.cli import KEEPER, _engine
    from analysis.store.mail import retry_given_up

    with _engine(args) as engine:
        count = retry_given_up(engine, KEEPER)
    print(
        f"{count} message{'' if count == 1 else 's'} given up on "
        f"{'is' if count == 1 else 'are'} due again: run 'python -m analysis reminders send'"
    )
    return 0
