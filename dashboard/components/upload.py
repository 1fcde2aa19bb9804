"""The data page's upload step: check an uploaded file and show its validation report.

`handle_upload` and `check_upload` are plain Python (no widgets), so tests can feed them the
bytes of good and bad files; `show_report` draws a `Report` with Streamlit. The file is read
once, from memory: the mapping step checks the table already read. Nothing is written to
disk; if the user keeps the file, it lives in this browser session only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

import pandas as pd
import streamlit as st

from analysis import settings
from analysis.directory import Directory
from analysis.errors import ColumnMappingError, SafetyNetError
from analysis.escape import inert_text, markdown_text
from analysis.ingest.column_values import ColumnHint, column_hints
from analysis.ingest.contribution import ALL_COUNT, NONE_COUNT, Contribution, file_contribution
from analysis.ingest.fields import FIELD_NAMES, TEMPLATE_COLUMNS, field_spec
from analysis.ingest.import_report import ImportReport
from analysis.ingest.load import build_directory
from analysis.ingest.mapping import guess_mapping
from analysis.ingest.options import DEFAULT_OPTIONS, ImportOptions
from analysis.ingest.read import read_table
from analysis.ingest.table import RawTable
from analysis.model import DELIVERY_MODES, ORGANISATION_KINDS, PROBLEM_COLUMNS
from analysis.outputs.accepted import accepted_csv_bytes
from dashboard.context import PageContext
from dashboard.data import DirectorySource, upload_key
from dashboard.failure import record_failure
from dashboard.state import StateKeys

# The limit is the importer's own, so the CLI and the dashboard refuse the same files.
MAX_UPLOAD_MB = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
UPLOAD_TYPES = ["csv", "xlsx", "json", "zip"]


@dataclass(frozen=True)
class UploadOutcome:
    """What became of an upload: a source to use, or a message saying why not.

    Exactly one of ``source`` and ``error`` is set. ``raw`` is the file as read (None when
    it could not be read): the mapping step checks it again with the columns chosen,
    without reading the file again.
    """

    name: str
    size_bytes: int
    source: DirectorySource | None = None
    error: str | None = None
    headers: tuple[str, ...] = ()  # set when the columns need mapping by hand
    guess: dict[str, str] = field(default_factory=dict)
    raw: RawTable | None = None
    key: str = ""
    options: ImportOptions = DEFAULT_OPTIONS
    contribution: Contribution | None = None  # what the file will add, set with ``source``
    hints: tuple[ColumnHint, ...] = ()  # unread columns whose values look like a field's

    @property
    def is_ok(self) -> bool:
        """True when the file was read (its rows may still have problems)."""
        return self.source is not None


def describe_size(size_bytes: int) -> str:
    """A file size in words: ``"512 bytes"``, ``"3.4 KB"``, ``"21.0 MB"``."""
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.1f} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def handle_upload(
    data: bytes, name: str, ctx: PageContext, *, options: ImportOptions = DEFAULT_OPTIONS
) -> UploadOutcome:
    """Read an uploaded services file once, in memory, and check it.

    The importer refuses a file too large, empty or unreadable with its own message (the
    same as the command line's).

    Parameters
    ----------
    data
        The file's bytes.
    name
        The file's name as uploaded (its extension helps detect the format).
    ctx
        The page context; its area and categories are used to check the rows.
    options
        The column mapping of the mapping step and the file-level defaults ("every row
        of this file is").

    Returns
    -------
    UploadOutcome
        The source (Directory, Report, cache key, label) when the file could be read,
        else a message naming the problem and the fix. Row problems do not fail the
        upload: they are in the report.
    """
    try:
        raw = read_table(data, filename=name)
    except Exception as error:  # a file must never show a traceback
        return UploadOutcome(name, len(data), error=_refusal(name, error))
    read = UploadOutcome(name, len(data), raw=raw, key=upload_key(data))
    return check_upload(read, ctx, options=options)


def check_upload(
    outcome: UploadOutcome, ctx: PageContext, *, options: ImportOptions = DEFAULT_OPTIONS
) -> UploadOutcome:
    """Check a file already read (``outcome.raw``), with the choices of the mapping step.

    A file whose columns cannot be matched comes back with its headers and the guessed
    mapping, to pre-fill the mapping step.
    """
    raw = outcome.raw
    if raw is None:
        return outcome
    empty = replace(
        outcome, source=None, error=None, headers=(), guess={}, contribution=None, hints=()
    )
    try:
        directory, report = build_directory(
            raw, area=ctx.area, taxonomy=ctx.taxonomy, options=options
        )
    except ColumnMappingError as error:
        hint = " On this page: choose below which of your columns holds each field."
        guess = dict(guess_mapping(raw.headers).fields)
        return replace(empty, error=str(error) + hint, headers=raw.headers, guess=guess)
    except Exception as error:  # a file must never show a traceback
        return replace(empty, error=_refusal(outcome.name, error))
    source = DirectorySource(
        directory,
        report,
        key=_source_key(outcome.key, options),
        label=f"Uploaded: {outcome.name}",
        is_upload=True,
    )
    # Counted once per check: the page redraws on every click, the check is kept.
    contribution = file_contribution(directory, report, area=ctx.area, taxonomy=ctx.taxonomy)
    hints = column_hints(
        raw.frame, report.ignored_columns, mapped=report.mapping_used, taxonomy=ctx.taxonomy
    )
    return replace(empty, source=source, options=options, contribution=contribution, hints=hints)


def _source_key(file_key: str, options: ImportOptions) -> str:
    """The cache key of a file checked with ``options``: other choices, another source."""
    if options == DEFAULT_OPTIONS:
        return file_key
    chosen = asdict(options)
    chosen["columns"] = dict(options.columns or {})
    chosen["category_choices"] = {str(k): v for k, v in options.category_choices.items()}
    digest = hashlib.sha256(json.dumps(chosen, sort_keys=True).encode()).hexdigest()[:8]
    return f"{file_key}-{digest}"


def _refusal(name: str, error: Exception) -> str:
    """Why a file was refused: the importer's own words, or a reference to the log."""
    if isinstance(error, SafetyNetError):
        return str(error)
    reference = record_failure(error)
    return (
        f"{name} could not be checked: something in it stopped the importer "
        f"(recorded with reference {reference}). Fix: save it again as CSV UTF-8 or "
        ".xlsx from your spreadsheet program; if that does not help, tell the people "
        "who run this site and quote the reference."
    )


def problems_frame(report: ImportReport) -> pd.DataFrame:
    """The report's problems as a table: row, column, value, reason, fix, severity."""
    rows = [{column: getattr(p, column) for column in PROBLEM_COLUMNS} for p in report.problems]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def mapping_frame(report: ImportReport) -> pd.DataFrame:
    """The column mapping used: your column -> what it became (the field and its meaning)."""
    mapping = report.mapping_used
    meanings = [field_spec(name).label if name in FIELD_NAMES else name for name in mapping]
    return pd.DataFrame(
        {"your column": list(mapping.values()), "read as": meanings, "field": list(mapping)}
    )


def unmapped_frame(report: ImportReport) -> pd.DataFrame:
    """Category terms that matched no need category, with the number of rows using them."""
    return pd.DataFrame(
        {
            "category term": list(report.unmapped_categories),
            "rows": list(report.unmapped_categories.values()),
        }
    )


def show_counts(
    report: ImportReport, *, services: int, organisations: int, lead: str = "In use"
) -> None:
    """Rows read, accepted, rejected and with warnings, and what the directory holds."""
    cols = st.columns(4)
    cols[0].metric("Rows read", report.rows_read)
    cols[1].metric("Accepted", report.accepted)
    cols[2].metric("Rejected", report.rejected)
    cols[3].metric("Accepted with warnings", report.warnings)
    st.write(f"{markdown_text(lead)}: {services:,} services from {organisations:,} organisations.")


def show_contribution(contribution: Contribution) -> None:
    """The report's headline: how many services will count and why the others cannot.

    Green only when every row read counts, a warning when some do, an error when none will.
    """
    if contribution.tone == ALL_COUNT:
        st.success(markdown_text(contribution.headline()))
    elif contribution.tone == NONE_COUNT:
        st.error(markdown_text(contribution.headline()))
    else:
        st.warning(markdown_text(contribution.headline()))


def import_confirmed(contribution: Contribution | None, *, key: str) -> bool:
    """Whether the import may go ahead: always, unless no service of the file will count,
    when it says so plainly and asks to be ticked first."""
    if contribution is None or contribution.usable:
        return True
    st.error(
        "No service of this file will count on the maps: importing it stores services that "
        "reach nobody until each is given a place in the area and a need category."
    )
    return st.checkbox(
        "Import it anyway, knowing that no service will count",
        key=f"{StateKeys.IMPORT_FORM}_{key}_anyway",
    )


def hint_choice(hints: tuple[ColumnHint, ...], *, key: str) -> ColumnHint | None:
    """Each unread column that looks like a field, with its evidence and a button to read
    it as that field; returns the hint whose button was pressed, else None."""
    chosen = None
    for position, hint in enumerate(hints):
        st.info(markdown_text(hint))
        if st.button(
            f"Read {inert_text(repr(hint.column))} as {inert_text(hint.field)}",
            key=f"{StateKeys.MAPPING_FORM}_{key}_hint_{position}",
            help="Checks the file again with this column read as that field.",
        ):
            chosen = hint
    return chosen


def show_report(
    report: ImportReport,
    *,
    key: str,
    directory: Directory | None = None,
    contribution: Contribution | None = None,
    hints: tuple[ColumnHint, ...] = (),
) -> ColumnHint | None:
    """The validation report of one file: what it will contribute (given ``contribution``),
    what it lacks, the unread columns that look like a field (``hints``), problems,
    unmapped terms, mapping, and the downloads (rejected rows; the accepted rows as
    understood, given ``directory``). Returns the hint the user chose to apply, if any."""
    if contribution is not None:
        show_contribution(contribution)
        if report.rows_read == 0:
            return None  # a header alone: the headline says what to do, no row to report on
    for lack in report.lacks:
        st.error(markdown_text(lack))
    chosen = hint_choice(hints, key=key)
    if report.rows_read:  # of no row read, "every row was accepted" would be an empty truth
        _show_rows(report, usable=contribution is None or contribution.usable)
    for note in report.notes:
        st.caption(markdown_text(note))
    if report.problems:
        st.subheader("Problems")
        st.dataframe(problems_frame(report), hide_index=True)
    if report.rejected:
        st.download_button(
            "Download the rejected rows (CSV)",
            data=report.rejected_rows_csv(),
            file_name="rejected_rows.csv",
            mime="text/csv",
            key=f"{StateKeys.REJECTED_DOWNLOAD}_{key}",
        )
    if directory is not None and len(directory.services):
        st.download_button(
            "Download the accepted rows as understood (CSV)",
            # Built when clicked: the page redraws on every rerun, downloads are rare.
            data=lambda: accepted_csv_bytes(directory),
            file_name="accepted_rows.csv",
            mime="text/csv",
            key=f"{StateKeys.ACCEPTED_DOWNLOAD}_{key}",
            help="Each accepted row in the template's columns as it was read: category ids, "
            "location, area served, capacity and warnings. Check it, correct it and upload "
            "it next time.",
        )
    if report.unmapped_categories:
        st.subheader("Category terms not recognised")
        st.caption(
            "These services have no need category for these terms. Rename the terms to a "
            "category of the template, or ask for them to be added as synonyms."
        )
        st.dataframe(unmapped_frame(report), hide_index=True)
    if report.mapping_used:
        with st.expander("Columns read from your file"):
            st.dataframe(mapping_frame(report), hide_index=True)
            if report.ignored_columns:
                st.write("Columns not used: " + markdown_text(", ".join(report.ignored_columns)))
    return chosen


def _show_rows(report: ImportReport, *, usable: bool) -> None:
    """Rows rejected, rows with warnings, or every row clean (green only if ``usable``)."""
    if report.rejected:
        st.error(
            f"{report.rejected:,} of {report.rows_read:,} rows were rejected. Each reason and "
            "its fix is in the table below; download the rejected rows, fix them and upload "
            "the file again."
        )
    elif report.warnings:
        st.warning(f"Every row was accepted; {report.warnings:,} have warnings (below).")
    elif usable:
        st.success("Every row was accepted with no problems.")
    else:
        st.info("Every row was accepted with no problems, but no service will count (above).")


NOT_IN_FILE = "(not in my file)"


def mapping_form(outcome: UploadOutcome, *, key: str) -> dict[str, str | None] | None:
    """Selects, pre-filled with the guesses, saying which column holds each template field.

    Returns the mapping when the user applies it, else None.
    """
    options = [NOT_IN_FILE, *outcome.headers]
    with st.form(key=f"{StateKeys.MAPPING_FORM}_{key}"):
        st.markdown("#### Match your columns to the template")
        st.caption("Pre-filled with our guesses. Leave a field as 'not in my file' if absent.")
        chosen: dict[str, str | None] = {}
        cols = st.columns(2)
        for position, name in enumerate(TEMPLATE_COLUMNS):
            guess = outcome.guess.get(name)
            index = options.index(guess) if guess in options else 0
            value = cols[position % 2].selectbox(
                markdown_text(field_spec(name).label),
                options,
                index=index,
                key=f"{StateKeys.MAPPING_FIELD}_{key}_{name}",
            )
            chosen[name] = None if value == NOT_IN_FILE else value
        applied = st.form_submit_button("Check the file with these columns", type="primary")
    return chosen if applied else None


def defaults_form(outcome: UploadOutcome, ctx: PageContext, *, key: str) -> ImportOptions | None:
    """ "Every row of this file is": categories, organisation kind and delivery for the rows
    that give none (a list of food banks has no category column).

    Returns the options with the defaults chosen when the user applies them, else None.
    """
    labels = {category.id: category.label for category in ctx.taxonomy.categories}
    current = outcome.options
    with st.form(key=f"{StateKeys.DEFAULTS_FORM}_{key}"):
        st.markdown("#### Every row of this file is…")
        st.caption(
            "For files that do not say it on each row. Rows that say it themselves keep "
            "their own values."
        )
        categories = st.multiselect(
            "Need categories",
            list(labels),
            default=list(current.default_categories),
            format_func=lambda category_id: labels[category_id],
            key=f"{StateKeys.DEFAULT_FIELD}_{key}_categories",
        )
        kinds = [NOT_GIVEN, *ORGANISATION_KINDS]
        kind = st.selectbox(
            "Kind of organisation",
            kinds,
            index=kinds.index(current.default_kind) if current.default_kind else 0,
            key=f"{StateKeys.DEFAULT_FIELD}_{key}_kind",
        )
        delivery = st.multiselect(
            "How the help is given",
            list(DELIVERY_MODES),
            default=list(current.default_delivery),
            key=f"{StateKeys.DEFAULT_FIELD}_{key}_delivery",
        )
        applied = st.form_submit_button("Check the file with these defaults")
    if not applied:
        return None
    return replace(
        current,
        default_categories=tuple(categories),
        default_kind=None if kind == NOT_GIVEN else kind,
        default_delivery=tuple(delivery),
    )


NOT_GIVEN = "(as each row says)"
