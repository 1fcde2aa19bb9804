"""Your data: what the maps are built from, upload your own services file, get the template.

The maps show the directory held in the database. An upload is a private what-if: it
replaces the directory for this browser session only (``st.session_state``), compared
with the directory; nothing is written and no other session sees it. A signed-in reviewer can
import the file into the directory for everyone (the store checks they may).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from analysis import settings
from analysis.compare import compare_directories
from analysis.errors import SafetyNetError
from analysis.escape import markdown_text
from analysis.ingest.options import ImportOptions
from analysis.store.access import Actor
from dashboard.auth import link_base
from dashboard.components.category_review import category_review
from dashboard.components.directory_view import comparison_view, directory_counts
from dashboard.components.upload import (
    MAX_UPLOAD_MB,
    UPLOAD_TYPES,
    UploadOutcome,
    check_upload,
    defaults_form,
    describe_size,
    handle_upload,
    import_confirmed,
    mapping_form,
    show_counts,
    show_report,
)
from dashboard.context import PageContext
from dashboard.data import (
    directory_source,
    directory_summary,
    get_area,
    import_upload,
    store_area_path,
    upload_key,
)
from dashboard.feed_routes import FEED_PREFIX
from dashboard.state import StateKeys, ViewState

TEMPLATES = {
    "services_template.csv": "text/csv",
    "services_template.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The last file checked, so a rerun (a click anywhere) does not read it again.
_CHECKED = StateKeys.UPLOAD_CHECKED


def _in_use(ctx: PageContext) -> None:
    source = ctx.source
    st.subheader("Data in use")
    done = st.session_state.pop(StateKeys.IMPORT_DONE, None)
    if done:
        st.success(markdown_text(done))
    if not source.is_upload:
        st.info(markdown_text(source.about))
        if not source.no_services:
            directory_counts(directory_summary())
        return
    st.write(markdown_text(source.label))
    st.caption(
        "A what-if, in this browser session only: nothing is stored on the server and the "
        "directory is unchanged. Every page shows this file until you go back."
    )
    show_counts(
        source.report,
        services=len(source.directory.services),
        organisations=len(source.directory.organisations),
    )
    held = directory_source(ctx.area)
    if not held.no_services:
        comparison_view(
            compare_directories(source.directory, held.directory, taxonomy=ctx.taxonomy)
        )
    if st.button("Go back to the directory", key=StateKeys.USE_DIRECTORY):
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
        "See your own file on every page, for you only, compared with the directory: "
        "nothing is stored. "
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
    hint = show_report(
        source.report,
        key=source.key,
        directory=source.directory,
        contribution=outcome.contribution,
        hints=outcome.hints,
    )
    if hint is not None:
        # The column the values pointed at, read as that field: the file is not read again.
        columns = {**(outcome.options.columns or {}), hint.field: hint.column}
        _recheck(outcome, ctx, replace(outcome.options, columns=columns), data=data, name=name)
        st.rerun()
    choices = category_review(source.report, ctx.taxonomy, key=source.key)
    if choices is not None:
        kept = {**outcome.options.category_choices, **choices}
        options = replace(outcome.options, category_choices=kept)
        _recheck(outcome, ctx, options, data=data, name=name)
        st.rerun()
    usable = outcome.contribution is None or outcome.contribution.usable
    if source.report.lacks or not usable:
        # A what-if of a file that covers nobody would show every ward as missing help.
        st.warning(
            "This file cannot be analysed as it is: no service of it will count. See the "
            "first message above."
        )
    elif ctx.source.key == source.key:
        st.success("This file is the data in use, in this browser session only.")
    elif st.button(
        "Use this data (a what-if, in this session only)",
        type="primary",
        key=StateKeys.USE_UPLOAD,
        help="Every page shows this file instead of the directory, for you only; the "
        "directory is unchanged.",
    ):
        st.session_state[StateKeys.UPLOAD] = source
        st.rerun()
    may_import = ctx.viewer is not None and ctx.viewer.may("import")
    if may_import and ctx.area.lad_code == get_area(store_area_path()).lad_code:
        _import(outcome, key=source.key, actor=ctx.viewer.actor)


def _import(outcome: UploadOutcome, *, key: str, actor: Actor) -> None:
    """Import the file into the directory database, for every session (a keeper's act)."""
    st.markdown("#### Import into the directory")
    st.caption(
        "For the directory's reviewers: the accepted rows are stored for everyone, each "
        "change with its history (who: you). Importing the same file again changes "
        "nothing; a changed service gets a new version."
    )
    confirmed = import_confirmed(outcome.contribution, key=key)
    with st.form(f"{StateKeys.IMPORT_FORM}_{key}"):
        name = st.text_input(
            "Source name",
            value=outcome.name,
            max_chars=200,
            help="Services are matched by source and id: use the same name for the next "
            "file of this source.",
        )
        full = st.checkbox(
            "This file is the whole directory of this source",
            help="Its services missing from the file become inactive (not deleted).",
        )
        if not st.form_submit_button("Import into the directory", disabled=not confirmed):
            return
    try:
        done = import_upload(
            outcome.source.directory,
            outcome.source.report,
            outcome.raw,
            source=name.strip() or outcome.name,
            full=full,
            actor=actor,
        )
    except SafetyNetError as error:
        st.error(markdown_text(error))
        return
    st.session_state.pop(StateKeys.UPLOAD, None)
    st.session_state[StateKeys.IMPORT_DONE] = f"Imported into the directory. {done.summary()}."
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


def _feed() -> None:
    st.subheader("Open Referral UK feed")
    st.write(
        "The directory as it is published (approved entries, public contact details only), "
        "in the Open Referral UK 3.0 standard, for other tools to reuse instead of "
        "re-keying: social prescribing platforms, the NHS, neighbouring councils."
    )
    st.code(f"{link_base()}{FEED_PREFIX}/services", language=None)
    st.caption(
        "Give this address to whoever wants to reuse the directory; the standard's other "
        "lists (organisations, taxonomies, services at locations with a postcode and a "
        "distance) are beside it, and the OpenAPI description at …/openapi.json."
    )


def render(ctx: PageContext) -> ViewState:
    """The data page; the view in the URL does not change here."""
    st.title("Your data")
    _in_use(ctx)
    st.divider()
    _upload(ctx)
    st.divider()
    _feed()
    st.divider()
    _templates()
    return ctx.state
