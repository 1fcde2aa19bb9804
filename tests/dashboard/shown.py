"""What a person reads for the Markdown an AppTest element holds.

AppTest gives the Markdown source; the browser shows it with CommonMark's backslash
escapes resolved (`analysis.escape.markdown_text` escapes every ASCII punctuation mark).
"""

from __future__ import annotations

import re
import string

_ESCAPED = re.compile(r"\\([" + re.escape(string.punctuation) + "])")


def shown(markdown: str) -> str:
    """``markdown`` with its backslash escapes resolved and word joiners (invisible) removed."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")
