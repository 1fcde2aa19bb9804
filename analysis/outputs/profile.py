"""Ward profile: one self-contained, printable HTML page about one ward.

A map (inline SVG drawn from the reference geography: no scripts, styles, fonts or tiles
from elsewhere, so it works offline and prints), the need profile, provision per category,
gaps, good provision and duplicate pairs, and the services that reach the ward. Every
number shown has its unit and a line saying what it means. Every piece of user text goes
through `analysis.escape.html_text`; the page carries a Content-Security-Policy that
allows no script and no request at all.

The page skeleton (``profile.html``) and its stylesheet (``profile.css``) are package data
beside this module, so they can be read and edited as HTML and CSS; `fill_page` places the
escaped parts into the skeleton. The map is drawn by `analysis.outputs.profile_map`.
"""

from __future__ import annotations

import difflib
import functools
import re
import string
from collections.abc import Iterable
from importlib import resources
from typing import Final

import numpy as np
import pandas as pd

from analysis import settings
from analysis.directory import Directory, is_detail_public
from analysis.errors import AnalysisError
from analysis.escape import content_security_meta, html_text
from analysis.geography import AreaSet
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    AREA_CODE,
    AREA_KIND,
    AT_LOCATION,
    CATEGORIES,
    CATEGORY,
    CITYWIDE,
    COUNT_IMPUTED,
    COUNT_SERVICES,
    COUNT_UNCATEGORISED,
    DELIVERY,
    EMAIL,
    GAP_CLASSES,
    IMD_DOMAINS,
    IMPUTED_SHARE,
    JACCARD,
    LOCAL_SERVICES,
    NEED,
    NEED_UNIT,
    ORG_ID,
    ORG_NAME,
    PHONE,
    POP_CHILDREN,
    POP_OLDER,
    POP_WORKING_AGE,
    POPULATION,
    PROVISION_CLASS,
    RADIUS_KM,
    REASON,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    SERVICE_NAME,
    SHARE,
    SMALL_NUMBERS,
    STALE_SERVICES,
    UNCERTAIN,
    WARD_CODE,
    WARD_LEVEL,
    WARD_NAME,
    WARDS,
    WEBSITE,
    WELL_PROVIDED,
    need_col,
)
from analysis.outputs.export import RP_MEANING
from analysis.outputs.palette import CLASS_COLOURS, NO_DATA_COLOUR, as_float
from analysis.outputs.profile_map import map_svg, number_text, plain_text
from analysis.provision.coverage import NO_DECAY, STEPPED, Coverage
from analysis.provision.metrics import MetricsResult
from analysis.provision.wards import services_in_ward
from analysis.taxonomy import Taxonomy

AREA_KIND_LABELS: Final = {
    AT_LOCATION: "catchment around its location",
    RADIUS_KM: "stated radius",
    WARDS: "listed wards",
    CITYWIDE: "whole area",
}
DECAY_MEANINGS: Final = {
    STEPPED: "nearer neighbourhoods count more: 1, 0.68, 0.22 by thirds of the radius",
    NO_DECAY: "every neighbourhood in the catchment counts fully",
}
ATTRIBUTION: Final = (
    "Contains OS data © Crown copyright and database right; contains National Statistics "
    "data © Crown copyright and database right. Open Government Licence v3.0."
)

PAGE_FILE: Final = "profile.html"
STYLE_FILE: Final = "profile.css"
"""The page skeleton and its stylesheet: package data files beside this module."""

_WARD_KEY: Final = re.compile(r"[\W_]+")


def resolve_ward(area: AreaSet, text: str) -> str:
    """The ward code ``text`` names: a ward code or a ward name (case and spacing ignored).

    Raises
    ------
    AnalysisError
        When no ward has that code or name; the message suggests the closest names.
    """
    wanted = str(text).strip()
    codes = area.wards[WARD_CODE].astype(str)
    by_code = codes[codes.str.upper() == wanted.upper()]
    if len(by_code):
        return str(by_code.iloc[0])
    keys = area.wards[WARD_NAME].astype(str).map(_ward_key)
    by_name = codes[keys == _ward_key(wanted)]
    if len(by_name):
        return str(by_name.iloc[0])
    names = list(area.wards[WARD_NAME].astype(str))
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}? Otherwise give" if close else "give"
    raise AnalysisError(
        f"no ward of {area.name} has the code or name {wanted!r}. Fix: {hint} a ward code "
        f"such as {codes.iloc[0]} or a ward name such as {names[0]}."
    )


def render_ward_profile(
    metrics: MetricsResult,
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    ward_code: str,
    robustness: pd.DataFrame | None = None,
    as_of: pd.Timestamp | None = None,
) -> str:
    """The ward profile as one self-contained HTML page.

    Parameters
    ----------
    metrics
        Ward-level metrics (`analysis.provision.metrics.compute_metrics` with ``level="ward"``).
    coverage, directory, area
        The coverage table, services and reference geography the metrics came from.
    taxonomy
        For category labels.
    ward_code
        The ward to describe (see `resolve_ward` for names).
    robustness
        Optional `analysis.provision.robustness.assess_robustness` table (ward level); each
        gap then says in what share of the method's variants it stays a gap, and whether
        that makes it robust.
    as_of
        The day out-of-date entries are judged on: their dots on the map are hatched.

    Returns
    -------
    str
        HTML with inline CSS and an inline SVG map; no external resources.

    Raises
    ------
    AnalysisError
        When ``metrics`` is not ward-level, or the ward is not in it.

    Notes
    -----
    Need scores in the profile are population-weighted means of the neighbourhoods' 0-100
    IMD 2019 need scores (100 = most deprived in England), never sums.
    """
    if metrics.level != WARD_LEVEL:
        raise AnalysisError(
            f"a ward profile needs ward-level metrics, not {metrics.level!r}. Fix: compute "
            "them with compute_metrics(..., level='ward')."
        )
    rows = metrics.table[metrics.table[AREA_CODE] == ward_code]
    if rows.empty:
        raise AnalysisError(
            f"ward {ward_code!r} is not in the metrics table. Fix: pass a ward code of "
            f"{area.name} (resolve a name with resolve_ward)."
        )
    ward = area.wards[area.wards[WARD_CODE] == ward_code].iloc[0]
    zones = area.neighbourhoods[area.neighbourhoods[WARD_CODE] == ward_code]
    labels = {c.id: c.label for c in taxonomy.categories}
    reach = services_in_ward(coverage, directory, area, ward_code)
    name = str(ward[WARD_NAME])
    population = float(zones[POPULATION].sum())
    sections = [
        f"<h1>{html_text(name)}</h1>",
        f'<p class="lede">Ward {html_text(ward_code)} of {html_text(area.name)} · '
        f"{population:,.0f} residents in {len(zones)} neighbourhoods · "
        f"{len(reach)} services reach it</p>",
        _section("At a glance", _summary(rows, labels, metrics, directory)),
        # The summary is the first page; the full lists follow for whoever needs them.
        '<div class="page-break"></div>',
        _section("Map", map_svg(area, ward_code, reach, as_of=as_of)),
        _section("Need profile", _need_profile(area, zones)),
        _section("Provision per category", _provision_table(rows, labels)),
        _section(
            "Gaps, good provision and duplication",
            _gaps_and_duplication(rows, labels, metrics, robustness, _service_names(directory)),
        ),
        _section("Services reaching the ward", _services_table(reach, labels)),
    ]
    return fill_page(
        ward_name=html_text(name),
        sections="\n".join(sections),
        footer=_footer(metrics, area),
    )


def fill_page(*, ward_name: str, sections: str, footer: str) -> str:
    """The profile's page skeleton (``profile.html``) with its stylesheet and these parts.

    Parameters
    ----------
    ward_name
        The ward's name for the page title, already escaped with `html_text`.
    sections, footer
        The page's body, HTML built from escaped pieces.

    Returns
    -------
    str
        The whole page, with the Content-Security-Policy that allows no script or request.

    Notes
    -----
    `string.Template` only places the parts: it escapes nothing, so every part arrives
    escaped (one rule, `analysis.escape.html_text`), and a ``$`` inside a part is kept
    as it is.
    """
    return string.Template(_package_text(PAGE_FILE)).substitute(
        content_security_policy=content_security_meta(),
        ward_name=ward_name,
        css=_package_text(STYLE_FILE),
        sections=sections,
        footer=footer,
    )


@functools.cache
def _package_text(name: str) -> str:
    # Package data beside this module (pyproject.toml lists it), read once per process.
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{html_text(title)}</h2>\n{body}\n</section>"


def _ward_key(text: str) -> str:
    return _WARD_KEY.sub("", text.replace("&", "and").casefold())


def _need_profile(area: AreaSet, zones: pd.DataFrame) -> str:
    city = area.neighbourhoods
    ward_pop, city_pop = float(zones[POPULATION].sum()), float(city[POPULATION].sum())
    rows = []
    for column, label in (
        (POP_CHILDREN, "Children 0-15"),
        (POP_WORKING_AGE, "Working age 16-64"),
        (POP_OLDER, "Older people 65+"),
    ):
        ward_n = float(zones[column].sum())
        rows.append(
            f"<tr><td>{html_text(label)}</td><td class=n>{ward_n:,.0f}</td>"
            f"<td class=n>{_share(ward_n, ward_pop)}</td>"
            f"<td class=n>{_share(float(city[column].sum()), city_pop)}</td></tr>"
        )
    ages = (
        "<table><thead><tr><th>Residents</th><th class=n>Ward</th><th class=n>Share</th>"
        "<th class=n>Share in the whole area</th></tr></thead><tbody>"
        f"<tr><td>All residents</td><td class=n>{ward_pop:,.0f}</td><td class=n>100%</td>"
        f"<td class=n>100%</td></tr>" + "".join(rows) + "</tbody></table>"
    )
    need_rows = []
    for domain, label in IMD_DOMAINS.items():
        column = need_col(domain)
        if column not in city.columns:
            continue
        need_rows.append(
            f"<tr><td>{html_text(label)}</td>"
            f"<td class=n>{_weighted_mean(zones, column):.1f}</td>"
            f"<td class=n>{_weighted_mean(city, column):.1f}</td></tr>"
        )
    scores = (
        "<p>Deprivation need score, 0 (least) to 100 (most deprived in England), "
        "population-weighted mean of the ward's neighbourhoods (IMD 2019).</p>"
        "<table><thead><tr><th>Domain</th><th class=n>Ward</th><th class=n>Whole area</th>"
        "</tr></thead><tbody>" + "".join(need_rows) + "</tbody></table>"
    )
    return ages + scores


def _provision_table(rows: pd.DataFrame, labels: dict[str, str]) -> str:
    body = "".join(
        "<tr>"
        f"<td>{html_text(labels.get(row[CATEGORY], row[CATEGORY]))}</td>"
        f"<td class=n>{row[NEED]:,.0f}<br><span class=small>{html_text(row[NEED_UNIT])}"
        "</span></td>"
        f"<td class=n>{row[LOCAL_SERVICES]:,.0f}</td>"
        f"<td class=n>{row[REMOTE_OPTIONS]:,.0f}</td>"
        f"<td class=n>{number_text(row[STALE_SERVICES], ',.0f')}</td>"
        f"<td class=n>{row[ACCESSIBILITY_PER_1000]:,.1f}</td>"
        f"<td class=n>{number_text(row[RELATIVE_PROVISION], '.2f')}</td>"
        f"<td>{_class_badge(row[PROVISION_CLASS])}{_flags(row)}</td>"
        "</tr>"
        for _, row in rows.iterrows()
    )
    return (
        "<table><thead><tr><th>Category</th><th class=n>Need (unit under each figure)</th>"
        "<th class=n>Local services</th><th class=n>Remote options</th>"
        "<th class=n>Of those, out of date</th>"
        "<th class=n>Places a week per 1,000 in need</th><th class=n>Relative provision "
        f"({RP_MEANING})</th><th>Class</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        "<p class=small>Need: how many people the category is for, in the unit under the "
        "figure. Local services: services in person or area-based that reach the ward. "
        "Remote options: phone, online and citywide services, open to anyone and counted "
        "apart. Of those, out of date: services not checked for over a year, whose entries "
        "may no longer be true. Places a week per 1,000 in need: the local supply reaching "
        "the ward's people in need, nearer services counting more (enhanced two-step "
        "floating catchment). "
        "Relative provision: places per person in need as a multiple of the whole area's: "
        f"{RP_MEANING}, 0.5 = half, 2 = twice.</p>"
    )


def _flags(row: pd.Series) -> str:
    notes = []
    if row[UNCERTAIN]:
        notes.append(
            f"uncertain: {row[IMPUTED_SHARE]:.0%} of the supply is estimated, capacity unknown"
        )
    if row[SMALL_NUMBERS]:
        notes.append("small numbers")
    return "".join(f" <span class=small>({html_text(note)})</span>" for note in notes)


SUMMARY_CONTACTS: Final = 8
"""Organisations named under "who to talk to" on the summary page (the rest are in the
duplicate pairs' list)."""


def _summary(
    rows: pd.DataFrame, labels: dict[str, str], metrics: MetricsResult, directory: Directory
) -> str:
    """The first page: the headline numbers, the gaps, the duplication, who to talk to."""
    gaps = rows[rows[PROVISION_CLASS].isin(list(GAP_CLASSES))].sort_values(RELATIVE_PROVISION)
    held = metrics.duplicates[metrics.duplicates[WARD_CODE] == rows[AREA_CODE].iloc[0]]
    stale = rows[STALE_SERVICES]
    stale_text = (
        f"; services behind these figures not checked for over a year, summed over the "
        f"categories: {stale.sum():,.0f}"
        if stale.notna().any()
        else ""
    )
    gap_names = ", ".join(
        f"{html_text(labels.get(row[CATEGORY], row[CATEGORY]))} ({html_text(row[PROVISION_CLASS])})"
        for _, row in gaps.iterrows()
    )
    headline = (
        "<ul>"
        f"<li><strong>{len(gaps)} of {len(rows)} need categories are gaps</strong> "
        f"(missing or under-served){': ' + gap_names if gap_names else ''}.</li>"
        f"<li><strong>{len(held):,} duplicate pairs</strong>: two organisations' local "
        "services of one category reaching mostly the same people, candidates for working "
        "together.</li>"
        f"<li class=small>Counts of services reaching the ward per category are in the "
        f"provision table{html_text(stale_text)}.</li>"
        "</ul>"
    )
    return headline + "<h3>Who to talk to</h3>" + _talk_to(held, directory)


def _talk_to(held: pd.DataFrame, directory: Directory) -> str:
    """The organisations running the ward's duplicate pairs, most pairs first, with their
    public contact details only."""
    if held.empty:
        return "<p>No duplicate pair here: no one to introduce.</p>"
    org_of = directory.services.set_index(SERVICE_ID)[ORG_ID].astype(str)
    involved = pd.concat([held[SERVICE_A], held[SERVICE_B]]).astype(str).map(org_of)
    counts = involved.value_counts()
    organisations = directory.organisations.set_index(ORG_ID)
    items = []
    for org_id, pairs in counts.head(SUMMARY_CONTACTS).items():
        if org_id not in organisations.index:
            continue
        org = organisations.loc[org_id]
        details = [
            html_text(str(org[detail]))
            for detail in (PHONE, EMAIL, WEBSITE)
            if isinstance(org.get(detail), str)
            and org[detail].strip()
            and is_detail_public(org, detail)
        ]
        reach = " · ".join(details) if details else "contact not public: ask the support body"
        items.append(
            f"<li><strong>{html_text(str(org[ORG_NAME]))}</strong> ({pairs} "
            f"pair{'s' if pairs != 1 else ''}): {reach}</li>"
        )
    return (
        "<p class=small>The organisations in most of the ward's duplicate pairs, with the "
        "contact details they publish.</p><ul>" + "".join(items) + "</ul>"
    )


def _service_names(directory: Directory) -> dict[str, str]:
    services = directory.services
    return dict(
        zip(services[SERVICE_ID].astype(str), services[SERVICE_NAME].astype(str), strict=True)
    )


def _gaps_and_duplication(
    rows: pd.DataFrame,
    labels: dict[str, str],
    metrics: MetricsResult,
    robustness: pd.DataFrame | None,
    service_names: dict[str, str],
) -> str:
    t = metrics.thresholds
    stability: dict[str, str] = {}
    if robustness is not None:
        ward = robustness[robustness[AREA_CODE] == rows[AREA_CODE].iloc[0]]
        for r in ward.itertuples():
            verdict = "robust" if r.robust else "not robust"
            stability[str(r.category)] = (
                f"; a gap in {r.gap_share:.0%} of the {r.variants} variants of the method "
                f"({verdict})"
            )
    robust_note = (
        " Each gap says in what share of the method's variants it stays a gap (catchments "
        "× 0.5 to 1.5, with or without distance decay, unknown capacities at the median or "
        "a quartile, need by indicator or by residents); robust when at least "
        f"{settings.ROBUST_GAP_SHARE:.0%} of them agree by default."
        if robustness is not None
        else ""
    )

    def items(classes: Iterable[str], *, gaps: bool) -> str:
        chosen = rows[rows[PROVISION_CLASS].isin(list(classes))]
        if chosen.empty:
            return "<p>None.</p>"
        return (
            "<ul>"
            + "".join(
                f"<li><strong>{html_text(labels.get(row[CATEGORY], row[CATEGORY]))}</strong>: "
                f"{_class_badge(row[PROVISION_CLASS])}, relative provision "
                f"{number_text(row[RELATIVE_PROVISION], '.2f')}, "
                f"{_count(row[LOCAL_SERVICES], 'local service')}, "
                f"{_count(row[REMOTE_OPTIONS], 'remote option')}"
                f"{html_text(stability.get(row[CATEGORY], '')) if gaps else ''}"
                f"{' (small numbers: read with care)' if row[SMALL_NUMBERS] else ''}</li>"
                for _, row in chosen.sort_values(RELATIVE_PROVISION, ascending=gaps).iterrows()
            )
            + "</ul>"
        )

    return (
        f"<h3>Gaps</h3><p class=small>Missing: no local service (in person or area-based) "
        f"reaches the ward. Under-served: relative provision below {t.under_served_below:g} "
        f"({RP_MEANING}).{robust_note}</p>"
        + items(GAP_CLASSES, gaps=True)
        + f"<h3>Well provided</h3><p class=small>Relative provision of {t.well_provided_from:g}"
        f" or more ({RP_MEANING}).</p>"
        + items((WELL_PROVIDED,), gaps=False)
        + _duplicates(rows, metrics, labels, service_names)
    )


def _duplicates(
    rows: pd.DataFrame, metrics: MetricsResult, labels: dict[str, str], names: dict[str, str]
) -> str:
    held = metrics.duplicates[metrics.duplicates[WARD_CODE] == rows[AREA_CODE].iloc[0]]
    intro = (
        "<h3>Duplicate pairs</h3><p class=small>Pairs of local services of one category, run "
        "by two organisations, that reach mostly the same people (at least "
        f"{metrics.method.duplicate_min_jaccard:.0%} of the need they reach is shared): "
        "candidates for working together.</p>"
    )
    if held.empty:
        return intro + "<p>None.</p>"
    items = "".join(
        f"<li><strong>{html_text(labels.get(pair[CATEGORY], pair[CATEGORY]))}</strong>: "
        f"{html_text(names.get(pair[SERVICE_A], pair[SERVICE_A]))} and "
        f"{html_text(names.get(pair[SERVICE_B], pair[SERVICE_B]))}; "
        f"{html_text(pair[REASON])}</li>"
        for _, pair in held.sort_values(JACCARD, ascending=False).iterrows()
    )
    return intro + f"<ul>{items}</ul>"


def _services_table(reach: pd.DataFrame, labels: dict[str, str]) -> str:
    if reach.empty:
        return "<p>No service in the directory reaches this ward.</p>"
    body = "".join(
        "<tr>"
        f"<td>{html_text(plain_text(row[SERVICE_NAME]))}</td>"
        f"<td>{html_text(plain_text(row[ORG_NAME]))}</td>"
        f"<td>{html_text(_category_text(row[CATEGORIES], labels))}</td>"
        f"<td>{html_text(', '.join(map(str, row[DELIVERY])))}</td>"
        f"<td>{html_text(_area_kind_text(row[AREA_KIND]))}</td>"
        f"<td class=n>{row[SHARE]:.0%}</td>"
        "</tr>"
        for _, row in reach.iterrows()
    )
    return (
        "<table><thead><tr><th>Service</th><th>Organisation</th><th>Categories</th>"
        "<th>Delivery</th><th>Area served</th><th class=n>Share of the ward's residents "
        "reached</th></tr>"
        f"</thead><tbody>{body}</tbody></table>"
    )


def _area_kind_text(kind: object) -> str:
    return AREA_KIND_LABELS.get(str(kind), plain_text(kind))


def _category_text(categories: Iterable[str], labels: dict[str, str]) -> str:
    # A service with no category counts as "uncategorised", in the footer's words.
    return ", ".join(labels.get(c, c) for c in categories) or COUNT_UNCATEGORISED


def _footer(metrics: MetricsResult, area: AreaSet) -> str:
    t = metrics.thresholds
    method = metrics.method
    counts = metrics.service_counts
    return (
        "<footer>"
        f"<p>Thresholds: relative provision below {t.under_served_below:g} is under-served, "
        f"{t.well_provided_from:g} or more well provided ({RP_MEANING}); small numbers below "
        f"{t.small_numbers_services:g} local services, {t.small_numbers_population:,.0f} "
        f"residents or {t.small_numbers_need:,.0f} people in need; uncertain when more than "
        f"{t.uncertain_imputed_share:.0%} of the supply is estimated. Method: catchment "
        f"factor {method.catchment_factor:g} (× every recorded catchment radius), distance "
        f"decay {html_text(method.decay)} ({html_text(DECAY_MEANINGS.get(method.decay, ''))}), "
        f"duplicate pairs from {method.duplicate_min_jaccard:.0%} of the need shared. "
        f"Services: {counts.get(COUNT_SERVICES, 0)} in the directory, "
        f"{counts.get(COUNT_UNCATEGORISED, 0)} uncategorised (not counted in any category), "
        f"{counts.get(COUNT_IMPUTED, 0)} with capacity unknown (counted at their category's "
        f"{html_text(method.imputation)} capacity, or {settings.DEFAULT_CAPACITY:g} places a "
        "week where it states none).</p>"
        f"<p>{html_text(area.name)} reference geography. {html_text(ATTRIBUTION)}</p>"
        "</footer>"
    )


def _class_badge(value: str) -> str:
    colour = CLASS_COLOURS.get(str(value), NO_DATA_COLOUR)
    return f'<span class="cls" style="border-left-color:{colour}">{html_text(str(value))}</span>'


def _count(value: object, noun: str) -> str:
    """A count with its noun, plural unless it is one: "1 local service", "0 remote options"."""
    number = as_float(value)
    if number is None:
        return f"- {noun}s"
    return f"{number:,.0f} {noun}{'' if number == 1 else 's'}"


def _weighted_mean(frame: pd.DataFrame, column: str) -> float:
    weights = frame[POPULATION].to_numpy(float)
    values = frame[column].to_numpy(float)
    known = np.isfinite(values)
    total = weights[known].sum()
    return float((weights[known] * values[known]).sum() / total) if total > 0 else float("nan")


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole > 0 else "-"
