"""Where the store is and how it is opened: every default, with its reason.

The one value that differs between installations is read from the environment:
``SAFETYNET_DATABASE_URL``. Without it the store is one SQLite file in the project's
``var/`` folder (git-ignored), created on first use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from analysis.settings import REPO_ROOT

DATABASE_URL_ENV: Final = "SAFETYNET_DATABASE_URL"
"""Environment variable holding the database URL, e.g.
``postgresql+psycopg://safetynet:secret@db.example.org/safetynet`` for a shared server."""

DEFAULT_DATABASE_PATH: Final = REPO_ROOT / "var" / "safetynet.sqlite3"
"""The embedded database when no URL is set: one file, nothing to install or start."""

SQLITE_BUSY_TIMEOUT_MS: Final = 5000
"""How long a SQLite writer waits for another to finish, in milliseconds: a dashboard
session and a CLI import may write at once; five seconds covers an import's batch."""

WRITE_BATCH_ROWS: Final = 5000
"""Rows sent to the database per statement when many records are written (an import):
large enough that round trips do not dominate, small enough to bound the memory."""

CAPACITY_UNIT: Final = "places per week"
"""The unit every stored capacity is in (DESIGN.md: capacity in places per week)."""


def database_url(url: str | None = None) -> str:
    """The database URL to use: ``url``, else `DATABASE_URL_ENV`, else the SQLite file."""
    if url:
        return url
    from_environment = os.environ.get(DATABASE_URL_ENV, "").strip()
    return from_environment or sqlite_url(DEFAULT_DATABASE_PATH)


def sqlite_url(path: Path | str) -> str:
    """The SQLAlchemy URL of a SQLite file at ``path``."""
    return f"sqlite:///{Path(path).resolve()}"


INVITATION_DAYS: Final = 14
"""How long an invitation link works: long enough for a volunteer group that meets
fortnightly to see it, short enough that an old email opens nothing."""

RESET_HOURS: Final = 24
"""How long a password-reset link works (OWASP: short-lived, single use)."""

SESSION_HOURS: Final = 8
"""How long a sign-in lasts before the password is asked again: a working day."""

MAX_FAILED_SIGN_INS: Final = 5
"""Wrong passwords in a row before an account is locked (OWASP's guidance: a small
number, with a lock that ends by itself)."""

LOCK_MINUTES: Final = 15
"""How long a locked account stays locked."""

MIN_PASSWORD_LENGTH: Final = 15
"""NIST SP 800-63B (revision 4, 2025) asks for at least 15 characters of a password that
is the only factor, and no other composition rules: a passphrase of a few words."""

# ---------------------------------------------------------------------------------------
# Mail (analysis.store.mail, analysis.store.reminders)
# ---------------------------------------------------------------------------------------

SMTP_URL_ENV: Final = "SAFETYNET_SMTP_URL"
"""Environment variable naming the mail server: ``smtp://user:password@host:587``
(STARTTLS when the server offers it; add ``?starttls=required`` to refuse a server that
does not), ``smtps://user:password@host:465`` (TLS from the first byte), or
``smtp://localhost:1025`` for a test server. Unset: messages are written to a folder
(`MAIL_FOLDER_ENV`) instead, so a machine with no mail server loses none."""

SMTP_DEFAULT_PORTS: Final = {"smtp": 25, "smtps": 465}
"""Port used when the URL gives none: each scheme's registered port (RFC 5321, RFC 8314).
A submission server with accounts usually listens on 587: write it in the URL."""

SMTP_TIMEOUT_SECONDS: Final = 30.0
"""How long a connection to the mail server, or one of its answers, may take: a slow
server still answers within seconds, a dead one must not hold the run (and its claims)."""

MAIL_FROM_ENV: Final = "SAFETYNET_MAIL_FROM"
"""Environment variable holding the sender of every message (``From``), e.g.
``Safety Net <directory@example.org>``; use an address the mail server may send as."""

DEFAULT_MAIL_FROM: Final = "Safety Net <safetynet@localhost>"
"""The sender when `MAIL_FROM_ENV` is unset: right for the folder and a test server; a
real server will want its own domain's address."""

MAIL_FOLDER_ENV: Final = "SAFETYNET_MAIL_FOLDER"
"""Environment variable naming the folder messages are written to when no mail server is
set (default `DEFAULT_MAIL_FOLDER`)."""

DEFAULT_MAIL_FOLDER: Final = REPO_ROOT / "var" / "outbox"
"""Where messages go with no mail server: one ``.eml`` file each (RFC 5322, opened by any
mail program), beside the embedded database in the git-ignored ``var/``, so a laptop or a
test installation keeps every message it would have sent."""

MAIL_LEASE_MINUTES: Final = 10
"""How long a sender's claim on a message lasts: far longer than one send takes (see
`SMTP_TIMEOUT_SECONDS`), so no second sender takes it over while it is being sent; short
enough that a message whose sender crashed goes out on a later run."""

MAIL_RETRY_MINUTES: Final = 15
"""Wait before the first retry of a failed send; each further failure doubles it (up to
`MAIL_RETRY_MAX_HOURS`): a server's brief trouble passes, a long outage is not hammered."""

MAIL_RETRY_MAX_HOURS: Final = 24
"""Longest wait between retries: a message failing for days is still tried daily."""

MAIL_MAX_ATTEMPTS: Final = 10
"""Sends tried before a message is given up on (over three days with the waits above): it
then stays in the outbox with its error, listed by ``reminders outbox``, until
``reminders retry`` makes it due again."""

MAIL_BATCH_ROWS: Final = 500
"""Messages one run sends at most: a run ends within minutes even on a slow server, and
the rest go out on the next run."""

# ---------------------------------------------------------------------------------------
# The Open Referral UK feed (analysis.store.feed)
# ---------------------------------------------------------------------------------------

FEED_PER_PAGE: Final = 50
"""Items on a page of the feed when ``per_page`` is not given: Open Referral UK 1's
default, so clients written for it page the same way."""

FEED_MAX_PER_PAGE: Final = 500
"""The most items a client may ask for on one page: enough to fetch 10,000 services in 20
requests, small enough that one response stays a few megabytes."""

FEED_COUNTRY: Final = "GB"
"""The country of every published address (ISO 3166-1 alpha-2, as HSDS asks)."""
