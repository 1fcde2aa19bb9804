"""Services as cards a volunteer can act on: what, who for, when, how far, how fresh, and
the public phone, email and website as buttons that call, write or open.

Text from a services file reaches Markdown through `analysis.escape.markdown_text`. A
link's address is never built from Markdown: it is made from the detail itself once
validated (`tel_target`, `mailto_target`, `web_target`) and given to ``st.link_button``,
whose address is an attribute, not text. Contact details follow the rule of
`dashboard.components.service_table.public_contact`: the public sees a detail only when
its own flag says public; the organisation's editors and reviewers see the others too,
marked not public, and without a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from analysis.directory import is_detail_public
from analysis.escape import markdown_text, safe_url
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AUDIENCE,
    CATEGORIES,
    DESCRIPTION,
    DISTANCE_M,
    EMAIL,
    ORG_ID,
    ORG_NAME,
    PHONE,
    SERVICE_NAME,
    WEBSITE,
)
from analysis.provision.filters import checked_on
from analysis.store.access import Rights
from analysis.taxonomy import Taxonomy
from dashboard.components.service_table import (
    NOT_PUBLIC,
    PRIVATE_CONTACT,
    PUBLIC_RIGHTS,
    REPORTED_CLOSED_NOTE,
    category_labels,
    freshness_notes,
)
from dashboard.state import StateKeys

LOOKING_FOR: Final = "postcode_looking_for"
"""Session key of the page's "What help are you looking for?" choice."""
CARDS: Final = "postcode_cards"
"""Session key prefix of how many cards a list shows (+ the postcode and distance)."""
CARDS_AT_ONCE: Final = 10
"""Cards shown at first, and how many more each "Show more" adds."""
STALE_CARD_NOTE: Final = "Out of date: check it still runs before sending someone there"
CLOSED_CARD_NOTE: Final = "Reported closed by members of the public: check it still runs"

_PHONE_SEPARATORS: Final = re.compile(r"[\s().-]")
_PHONE: Final = re.compile(r"\+?[0-9]{6,15}")
# An address a mail program opens as written: no spaces, quotes, brackets or commas.
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def tel_target(phone: object) -> str | None:
    """``tel:`` and the number's digits (a leading + kept), or None when it is no number."""
    digits = _PHONE_SEPARATORS.sub("", str(phone or ""))
    return f"tel:{digits}" if _PHONE.fullmatch(digits) else None


def mailto_target(email: object) -> str | None:
    """``mailto:`` and the address when it is one plain address, else None."""
    text = str(email or "").strip()
    return f"mailto:{text}" if _EMAIL.fullmatch(text) else None


def web_target(website: object) -> str | None:
    """The website as an http(s) address (``https://`` added to a bare domain), else None."""
    url = safe_url(website)
    return url if url and url.lower().startswith(("http://", "https://")) else None


CONTACT_LINKS: Final = (
    (PHONE, "Call", tel_target),
    (EMAIL, "Email", mailto_target),
    (WEBSITE, "Website", web_target),
)
"""Each contact detail: its column, the word on its button, how its link is made."""


def by_relevance(near_df: pd.DataFrame, categories: Iterable[str] = ()) -> pd.DataFrame:
    """Services in any of ``categories`` first, then the others; nearest first in each."""
    wanted = set(categories)
    in_wanted = near_df[CATEGORIES].map(lambda cats: bool(wanted.intersection(cats)))
    order = near_df.assign(_other=~in_wanted.astype(bool))
    return (
        order.sort_values(["_other", DISTANCE_M, SERVICE_NAME], kind="stable")
        .drop(columns="_other")
        .reset_index(drop=True)
    )


def contact_details(row: pd.Series, rights: Rights) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The details a viewer with ``rights`` may see: (word, shown text, link) of each
    public one with a valid link, and the text of the others they may see (not public)."""
    may_see_private = rights.may("see private contacts", row.get(ORG_ID))
    links, private = [], []
    for column, word, target_of in CONTACT_LINKS:
        value = row.get(column)
        if not isinstance(value, str) or not value.strip():
            continue
        if is_detail_public(row, column):
            target = target_of(value)
            if target:
                links.append((word, shown_detail(column, value.strip()), target))
                continue
        if may_see_private:  # not public, or no link can be made of it: shown as text
            private.append(value.strip())
    return links, private


def when_text(row: pd.Series) -> str:
    """When it runs, as its dates say: "Since Feb 2019", "Until 31 Mar 2026", or ""."""
    start, end = row.get(ACTIVE_FROM), row.get(ACTIVE_UNTIL)
    parts = []
    if start is not None and pd.notna(start):
        parts.append(f"since {pd.Timestamp(start):%b %Y}")
    if end is not None and pd.notna(end):
        parts.append(f"until {pd.Timestamp(end):%d %b %Y}")
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def distance_text(metres: float) -> str:
    """How far, as a walker reads it: "90 m away" under a kilometre, else "1.4 km away"."""
    if metres < 1000:
        return f"{max(10, round(metres, -1)):.0f} m away"
    return f"{metres / 1000:.1f} km away"


def shown_detail(column: str, value: str) -> str:
    """A detail as its button shows it: a website by its host name, the others as given."""
    if column == WEBSITE:
        url = web_target(value)
        if url:
            return urlsplit(url).hostname or value
    return value


def checked_text(day: pd.Timestamp) -> str:
    """When its entry was last checked, in words."""
    return "never checked" if pd.isna(day) else f"last checked {day:%d %b %Y}"


def service_card(
    row: pd.Series, taxonomy: Taxonomy, *, checked: pd.Timestamp, note: str, rights: Rights
) -> None:
    """One service as a bordered card."""
    with st.container(border=True):
        organisation = row.get(ORG_NAME)
        organisation = organisation if isinstance(organisation, str) else ""
        st.markdown(f"**{markdown_text(row[SERVICE_NAME])}**  \n{markdown_text(organisation)}")
        description = row.get(DESCRIPTION)
        if isinstance(description, str) and description.strip():
            st.markdown(markdown_text(description.strip()))
        audience = row.get(AUDIENCE)
        facts = [
            category_labels(row[CATEGORIES], taxonomy),
            f"for {audience.strip()}" if isinstance(audience, str) and audience.strip() else "",
            when_text(row),
        ]
        st.caption(markdown_text(" · ".join(fact for fact in facts if fact)))
        st.markdown(
            f"**{markdown_text(distance_text(row[DISTANCE_M]))}** · "
            f"{markdown_text(checked_text(checked))}"
        )
        if note:
            st.warning(markdown_text(note))
        links, private = contact_details(row, rights)
        if links:
            with st.container(horizontal=True):
                for word, shown, target in links:
                    st.link_button(markdown_text(f"{word} {shown}"), target)
        elif not private:
            st.caption(markdown_text(f"Contact: {PRIVATE_CONTACT}"))
        if private:
            st.caption(markdown_text(f"{' · '.join(private)} ({NOT_PUBLIC})"))


def service_cards(
    near_df: pd.DataFrame, taxonomy: Taxonomy, *, categories: Iterable[str] = (), key: str
) -> None:
    """The services as cards, most relevant first (`by_relevance`), `CARDS_AT_ONCE` at a
    time with a "Show more" button; ``key`` names this list (a new one per search)."""
    if near_df.empty:
        return
    ordered = by_relevance(near_df, categories)
    today = pd.Timestamp.today().normalize()
    notes = [
        CLOSED_CARD_NOTE if note == REPORTED_CLOSED_NOTE else STALE_CARD_NOTE if note else ""
        for note in freshness_notes(ordered, today)
    ]
    checked = checked_on(ordered)
    rights = st.session_state.get(StateKeys.VIEWER_RIGHTS, PUBLIC_RIGHTS)
    shown = st.session_state.setdefault(key, CARDS_AT_ONCE)
    for index in range(min(shown, len(ordered))):
        service_card(
            ordered.iloc[index],
            taxonomy,
            checked=checked.iloc[index],
            note=notes[index],
            rights=rights,
        )
    hidden = len(ordered) - shown
    if hidden > 0:
        st.button(
            f"Show more ({min(hidden, CARDS_AT_ONCE):,} of {hidden:,} not shown yet)",
            on_click=show_more,
            args=(key,),
            key=f"{key}_more",
        )


def show_more(key: str) -> None:
    """The "Show more" button's callback: `CARDS_AT_ONCE` more cards in the list ``key``."""
    st.session_state[key] = st.session_state.get(key, CARDS_AT_ONCE) + CARDS_AT_ONCE
