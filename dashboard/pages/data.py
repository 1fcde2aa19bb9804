"""Your data: what the maps are built from, upload your own services file, get the template.

An upload replaces the demo data for this browser session only (``st.session_state``);
nothing is written to disk and no other session sees it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from analysis import settings
from analysis.escape import markdown_text
from analysis.ingest.options import ImportOptions
from dashboard.components.category_review import category_review
from dashboard.components.upload import (
    MAX_UPLOAD_MB,
    UPLOAD_TYPES,
    UploadOutcome,
    check_upload,
    defaults_form,
    describe_size,
    handle_upload,
    mapping_form,
    show_counts,
    show_report,
)
from dashboard.context import PageContext
from dashboard.data import DirectorySource, upload_key
from dashboard.state import StateKeys, ViewState

TEMPLATES = {
    "services_template.csv": "text/csv",
    "services_template.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The last file checked, so a rerun (a click anywhere) does not read it again.
_CHECKED = StateKeys.UPLOAD_CHECKED


def _in_use(source: DirectorySource) -> None:
    st.subheader("Data in use")
    if source.is_demo:
        st.info(markdown_text(source.about))
    else:
        st.write(markdown_text(source.label))
        st.caption("Used in this browser session only; nothing is stored on the server.")
    show_counts(
        source.report,
        services=len(source.directory.services),
        organisations=len(source.directory.organisations),
    )
    if not source.is_demo and st.button("Go back to the demo data", key=StateKeys.USE_DEMO):
        del st.session_state[StateKeys.UPLOAD]
        st.rerun()


def _checked(data: bytes, name: str, ctx: PageContext) -> UploadOutcome:
    # The same file checked against another area is another check.
    key = (upload_key(data), name, ctx.state.area)
    cached = st.session_state.get(_CHECKED)
    if cached is not None and cached[0] == key:
        return cached[1]
    size = describe_size(len(data))
    with st.spinner(f"Checking {markdown_text(name)} ({markdown_text(size)})…"):
        outcome = handle_upload(data, name, ctx)
    st.session_state[_CHECKED] = (key, outcome)
    return outcome


def _recheck(
    outcome: UploadOutcome, ctx: PageContext, options: ImportOptions, *, data: bytes, name: str
) -> UploadOutcome:
    """The table already read, checked again with other choices; kept for the reruns."""
    outcome = check_upload(outcome, ctx, options=options)
    st.session_state[_CHECKED] = ((upload_key(data), name, ctx.state.area), outcome)
    return outcome


def _upload(ctx: PageContext) -> None:
    st.subheader("Upload your services")
    st.write(
        f"A CSV or Excel (XLSX) file laid out like the template or in your own columns, a "
        f"JSON list of records, or an Open Referral UK feed (JSON, or its table package as "
        f"a .zip); up to {MAX_UPLOAD_MB:d} MB. The file is checked row by row: rows with "
        "problems are listed with the reason and how to fix them."
    )
    uploaded = st.file_uploader(
        "Services file (CSV, XLSX, JSON or an Open Referral UK .zip)",
        type=UPLOAD_TYPES,
        key=StateKeys.UPLOAD_WIDGET,
        max_upload_size=MAX_UPLOAD_MB,
    )
    if uploaded is None:
        return
    data, name = uploaded.getvalue(), uploaded.name
    outcome = _checked(data, name, ctx)
    if outcome.error is not None and outcome.headers:
        st.error(markdown_text(outcome.error))
        columns = mapping_form(outcome, key=upload_key(data))
        if columns is None:
            return
        # The table already read is checked again with these columns; the file is not.
        outcome = _recheck(
            outcome, ctx, replace(outcome.options, columns=columns), data=data, name=name
        )
    if outcome.error is not None:
        st.error(markdown_text(outcome.error))
        return
    with st.expander("Every row of this file is…", expanded=bool(outcome.source.report.lacks)):
        options = defaults_form(outcome, ctx, key=upload_key(data))
    if options is not None:
        outcome = _recheck(outcome, ctx, options, data=data, name=name)
        if outcome.error is not None:
            st.error(markdown_text(outcome.error))
            return
    source = outcome.source
    st.markdown("#### Report on the file")
    show_counts(
        source.report,
        services=len(source.directory.services),
        organisations=len(source.directory.organisations),
        lead="This file gives",
    )
    show_report(source.report, key=source.key, directory=source.directory)
    choices = category_review(source.report, ctx.taxonomy, key=source.key)
    if choices is not None:
        kept = {**outcome.options.category_choices, **choices}
        options = replace(outcome.options, category_choices=kept)
        _recheck(outcome, ctx, options, data=data, name=name)
        st.rerun()
    if ctx.source.key == source.key:
        st.success("This file is the data in use.")
    elif source.report.lacks:
        st.warning("This file cannot be analysed as it is: see the first message above.")
    elif st.button("Use this data", type="primary", key=StateKeys.USE_UPLOAD):
        st.session_state[StateKeys.UPLOAD] = source
        st.rerun()


def _templates() -> None:
    st.subheader("Template")
    st.write(
        "Start from the template: one row per service, with its organisation, categories, "
        "where it is delivered and the area it serves."
    )
    cols = st.columns(len(TEMPLATES))
    for col, (name, mime) in zip(cols, TEMPLATES.items(), strict=True):
        path: Path = settings.TEMPLATE_DIR / name
        if path.is_file():
            col.download_button(
                f"Download {markdown_text(name)}",
                data=path.read_bytes(),
                file_name=name,
                mime=mime,
            )
    st.caption(
        "Column names that differ from the template are matched where the meaning is clear "
        "(the report lists the mapping used). When a column the check needs is not found, "
        "the upload asks which of your columns holds each field."
    )


def render(ctx: PageContext) -> ViewState:
    """The data page; the view in the URL does not change here."""
    st.title("Your data")
    _in_use(ctx.source)
    st.divider()
    _upload(ctx)
    st.divider()
    _templates()
    return ctx.state
