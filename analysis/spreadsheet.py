"""One rule for cells a spreadsheet would run as a formula (OWASP "CSV injection").

Every CSV or XLSX the project writes (metrics exports, the rejected rows of an ingest
report) passes its text cells through `neutralise_cell`: text starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows
the text and runs nothing. Numbers stay numbers: a negative number stored as a number is
not text and is never changed. Text that merely looks numeric (``"-5"``, ``"+44 117"``)
is prefixed too, as OWASP advises, because a spreadsheet may still evaluate it
(``-1+2``, ``+44-117``).
"""

from __future__ import annotations

from typing import Final

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Return ``value``, with a leading ``'`` if it is text a spreadsheet would run.

    Only text is changed; numbers, booleans and missing values are returned as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
