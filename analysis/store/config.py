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
