"""Edit an organisation's entry: its own details and each of its services, a new service,
and every earlier version compared and restored; a service shows too the history of each
service merged into it (a pair of similar services decided "the same").

An editor's save is held for a reviewer (the public keeps seeing the published version,
and this page says a change is pending); a reviewer's is published at once. Both are
checked by the importer's rules (`dashboard.components.entry_form`) and authorised by the
store.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.errors import StoreError
from analysis.escape import inert_text, markdown_text
from analysis.freshness import cycle_sentence, day_of, last_checked
from analysis.model import (
    EMAIL,
    FIELD_STATUS,
    LAST_UPDATED,
    LAST_VERIFIED,
    ORG_ID,
    ORG_NAME,
    PHONE,
    SERVICE_NAME,
    WEBSITE,
)
from analysis.store import proposals
from analysis.store.accounts import account_names
from analysis.store.editing import open_organisation, organisation_services, verify_service
from analysis.store.entry import entry_fields, entry_records
from analysis.store.history import Change
from analysis.store.pairs import Merged, merged_history
from analysis.store.proposals import FieldChange
from analysis.store.records import ARCHIVED
from analysis.store.schema import CHANGE_PROPOSAL, CREATED, NEW_SERVICE, ORGANIZATION_RESOURCE
from analysis.store.schema import SERVICE_RESOURCE as SERVICE
from analysis.store.writes import utc_now
from dashboard.auth import Viewer
from dashboard.components.entry_form import (
    NO_PROBLEMS,
    EntryForm,
    check,
    contact_flags,
    organisation_fields,
    ready_to_save,
    service_fields,
    show_entry_problems,
)
from dashboard.components.feedback_queue import feedback_queue
from dashboard.components.people import (
    changes_table,
    organisation_names,
    show_done,
    tell_done,
)
from dashboard.context import PageContext
from dashboard.data import store_engine
from dashboard.navigation import open_view
from dashboard.state import ViewState

PAGE_HEADING = "Edit your entries"
NEW = "new"
ORGANISATION_ITSELF = ""
PROBLEMS_KEY = "edit_problems"
CONTACT_DETAILS = (EMAIL, PHONE, WEBSITE)
NOT_YOURS = "not shown: a contact of an organisation you do not keep"
HISTORY_LABELS = {ARCHIVED: "Archived", LAST_VERIFIED: "Last checked by a person"}
"""How the store's own fields of a history are named (the others as the forms name them)."""


def render(ctx: PageContext) -> ViewState:
    """Draw the page; choosing an organisation or service changes the view."""
    st.header(inert_text(PAGE_HEADING))
    viewer = ctx.viewer
    if viewer is None or not viewer.signed_in:
        st.info("Sign in to edit your group's entry (page 'Sign in').")
        return ctx.state
    show_done()
    feedback_queue(viewer, organisation_id=ctx.state.org or None, key="edit", quiet_when_empty=True)
    if not ctx.state.org:
        _choose_organisation(ctx.state, viewer)
        return ctx.state
    if not viewer.may("propose change", ctx.state.org):
        st.warning(
            "You do not keep this organisation's entry. Ask to manage it on your account "
            "page; a reviewer approves it."
        )
        return ctx.state
    try:
        organisation = open_organisation(store_engine(), ctx.state.org)
    except StoreError as error:
        st.error(markdown_text(f"{error}."))
        return ctx.state
    services = organisation_services(store_engine(), ctx.state.org)
    st.subheader(markdown_text(organisation.record[ORG_NAME]))
    _pending(viewer, ctx.state.org, services)
    chosen = _choose_record(ctx.state, services)
    if chosen == ORGANISATION_ITSELF:
        _organisation_form(ctx, viewer, organisation)
    else:
        _service_form(ctx, viewer, organisation, services, chosen)
    return ctx.state


def _choose_organisation(state: ViewState, viewer: Viewer) -> None:
    names = organisation_names(store_engine())
    kept = [key for key in viewer.rights.organisations if key in names]
    if viewer.may("publish change"):
        kept = list(names)
    if not kept:
        st.write("You keep no organisation's entry yet: ask to manage yours on your account page.")
        return
    chosen = st.selectbox(
        "Organisation",
        sorted(kept, key=lambda key: names[key].casefold()),
        index=None,
        format_func=names.get,
        placeholder="Type to search",
    )
    if chosen is not None:
        st.button(
            "Open its entry",
            type="primary",
            on_click=open_view,
            args=(state.with_(org=chosen, service=""),),
        )


def _pending(viewer: Viewer, organisation_id: str, services) -> None:
    waiting = proposals.pending_for(store_engine(), viewer.actor, organisation_id)
    for proposal in waiting:
        what = "the organisation's details"
        if proposal.service_id:
            stored = services.get(proposal.service_id)
            name = (proposal.service_record or {}).get(SERVICE_NAME, "")
            what = f"the service {name}" if stored else f"a new service, {name}"
        st.info(
            markdown_text(
                f"Pending: a change to {what}, sent on {proposal.proposed_at:%d %B %Y}, waits "
                "for a reviewer. The public sees the published version until it is approved."
            )
        )


def _choose_record(state: ViewState, services) -> str:
    options = [
        ORGANISATION_ITSELF,
        *sorted(services, key=lambda k: services[k].record[SERVICE_NAME]),
        NEW,
    ]
    labels = {ORGANISATION_ITSELF: "The organisation's own details", NEW: "Add a new service"}
    labels.update(_service_labels(services))
    current = state.service if state.service in options else ORGANISATION_ITSELF
    chosen = st.selectbox(
        "What to edit",
        options,
        index=options.index(current),
        format_func=labels.get,
        key=f"edit_choice_{state.org}",
    )
    if chosen != current:
        open_view(state.with_(service=chosen))
        st.rerun()
    return chosen


def _service_labels(services) -> dict[str, str]:
    """Each service's name in the chooser; one named like another also shows its id (a
    select tells its options apart by what it shows)."""
    names = [stored.record[SERVICE_NAME] for stored in services.values()]
    labels = {}
    for key, stored in services.items():
        name, status = stored.record[SERVICE_NAME], stored.record[FIELD_STATUS]
        twin = f" · {key}" if names.count(name) > 1 else ""
        labels[key] = f"Service: {name} ({status}){twin}"
    return labels


def _problems(form_key: str):
    return st.session_state.get(PROBLEMS_KEY, {}).get(form_key, NO_PROBLEMS)


def _organisation_form(ctx: PageContext, viewer: Viewer, organisation) -> None:
    form_key = f"org_{ctx.state.org}"
    initial = entry_fields(
        organisation.record, None, area=ctx.area, taxonomy=ctx.taxonomy, org_id=ctx.state.org
    )
    form = EntryForm(form_key, initial, _problems(form_key))
    show_entry_problems(form.problems)
    organisation_fields(form)
    contact_flags(form, "Unticked: shown only to its editors and to reviewers.")
    if st.button(inert_text(_save_label(viewer)), type="primary", key=f"save_{form_key}"):
        result = check(form, area=ctx.area, taxonomy=ctx.taxonomy)
        if not _accepted(form, result):
            st.rerun()
        org_record, _ = entry_records(result)
        _submit(
            viewer,
            form_key,
            organisation_id=ctx.state.org,
            organisation_record=org_record,
            organisation_version=organisation.version,
        )
    _versions(ORGANIZATION_RESOURCE, ctx.state.org, organisation.version, viewer)


def _service_form(ctx: PageContext, viewer: Viewer, organisation, services, chosen: str) -> None:
    is_new = chosen == NEW
    stored = None if is_new else services[chosen]
    service_id = (
        st.session_state.setdefault(f"new_id_{ctx.state.org}", proposals.new_id())
        if is_new
        else chosen
    )
    form_key = f"service_{service_id}"
    initial = entry_fields(
        organisation.record,
        None if stored is None else stored.record,
        area=ctx.area,
        taxonomy=ctx.taxonomy,
        org_id=ctx.state.org,
        service_id=service_id,
    )
    if stored is not None:
        _still_correct(viewer, service_id, stored)
    form = EntryForm(form_key, initial, _problems(form_key))
    for column, value in initial.items():  # the organisation's columns, as stored
        form.values.setdefault(column, value)
    show_entry_problems(form.problems)
    service_fields(form, area=ctx.area, taxonomy=ctx.taxonomy)
    if st.button(inert_text(_save_label(viewer)), type="primary", key=f"save_{form_key}"):
        result = check(form, area=ctx.area, taxonomy=ctx.taxonomy)
        if not _accepted(form, result):
            st.rerun()
        _, service_record = entry_records(result)
        _submit(
            viewer,
            form_key,
            organisation_id=ctx.state.org,
            service_id=service_id,
            service_record=service_record,
            service_version=None if stored is None else stored.version,
            kind=NEW_SERVICE if is_new else CHANGE_PROPOSAL,
        )
    if stored is not None:
        _versions(SERVICE, service_id, stored.version, viewer)
        _merged(service_id, viewer)


def _still_correct(viewer: Viewer, service_id: str, stored) -> None:
    """When the service was last checked, its next reminder, and the one-click check."""
    record = stored.record
    checked = last_checked(day_of(record.get(LAST_UPDATED)), day_of(record.get(LAST_VERIFIED)))
    today = utc_now().date()
    st.markdown(markdown_text(f"**How current it is:** {cycle_sentence(checked, today)}"))
    if viewer.may("verify", record[ORG_ID]) and st.button(
        "Still correct: confirm it today",
        key=f"verify_{service_id}",
        help="Nothing has changed: records today as its last check, so that it is not "
        "marked out of date and no reminder is sent for a year.",
    ):
        try:
            verify_service(
                store_engine(), service_id, expected_version=stored.version, actor=viewer.actor
            )
        except StoreError as error:
            st.error(markdown_text(f"Not confirmed: {error}."))
            return
        tell_done("Confirmed: it counts as checked today.")
        st.rerun()


def _save_label(viewer: Viewer) -> str:
    return "Publish" if viewer.may("publish change") else "Send for approval"


def _accepted(form: EntryForm, result) -> bool:
    ready, problems = ready_to_save(form, result)
    st.session_state.setdefault(PROBLEMS_KEY, {})[form.prefix] = problems
    return ready


def _submit(viewer: Viewer, form_key: str, **parts) -> None:
    try:
        done = proposals.submit(store_engine(), viewer.actor, **parts)
    except StoreError as error:
        st.error(markdown_text(f"Not saved: {error}."))
        return
    st.session_state.get(PROBLEMS_KEY, {}).pop(form_key, None)
    tell_done(
        "Published: the directory shows it now."
        if done.published
        else "Sent for approval: a reviewer checks it; until then the public sees the "
        "published version."
    )
    st.rerun()


def _versions(resource_type, record_id: str, version: int, viewer: Viewer) -> None:
    with st.expander("Earlier versions"):
        listed = proposals.versions(store_engine(), resource_type, record_id)
        if len(listed) < 2:
            st.write("This is its only version so far.")
            return
        first, second = st.columns(2)
        older = first.selectbox(
            "Compare version", listed, index=len(listed) - 2, key=f"v1_{record_id}"
        )
        newer = second.selectbox(
            "with version", listed, index=len(listed) - 1, key=f"v2_{record_id}"
        )
        changes = proposals.compare_versions(store_engine(), resource_type, record_id, older, newer)
        if changes:
            table = changes_table(changes, then=f"Version {older}", now=f"Version {newer}")
            st.dataframe(table, hide_index=True, use_container_width=True)
        else:
            st.write("These two versions are the same.")
        if older != version and st.button(
            markdown_text(f"Restore version {older}"), key=f"restore_{record_id}"
        ):
            try:
                done = proposals.restore_version(
                    store_engine(),
                    viewer.actor,
                    resource_type,
                    record_id,
                    older,
                    expected_version=version,
                )
            except StoreError as error:
                st.error(markdown_text(f"Not restored: {error}."))
                return
            tell_done(
                f"Version {older} is restored."
                if done.published
                else f"Restoring version {older} is sent for approval."
            )
            st.rerun()


def _merged(service_id: str, viewer: Viewer) -> None:
    """Each service merged into this one: its name, when and by whom, and its history."""
    found = merged_history(store_engine(), service_id)
    if not found:
        return
    labels = {change.updated_by for merged in found for change in merged.changes}
    names = account_names(store_engine(), viewer.actor, labels)
    with st.expander("Merged into this service"):
        st.caption(
            "Services a reviewer found to be this one listed twice: each was archived "
            "with its history, shown here."
        )
        for merged in found:
            yours = viewer.may("see private contacts", _organisation_of(merged.changes))
            merger = _merger(merged)
            by = names.get(merger, merger) if merger else "a reviewer"
            st.markdown(
                f"**{markdown_text(merged.service_name)}**, merged on "
                f"{merged.merged_at:%d %B %Y %H:%M} UTC by "
                f"{markdown_text(by)}"
            )
            st.dataframe(
                _merged_table(merged.changes, names, hide_contacts=not yours),
                hide_index=True,
                use_container_width=True,
            )


def _merger(merged: Merged) -> str:
    """Who merged it: the author of its archiving, the last version of its history."""
    archived = [c for c in merged.changes if c.field_name == ARCHIVED and c.replacement]
    return archived[-1].updated_by if archived else ""


def _organisation_of(changes: tuple[Change, ...]) -> str | None:
    """The organisation a merged service belonged to last, by its history."""
    organisation = None
    for change in changes:
        if change.action == CREATED and isinstance(change.replacement, dict):
            organisation = change.replacement.get(ORG_ID, organisation)
        elif change.field_name == ORG_ID:
            organisation = change.replacement
    return None if organisation is None else str(organisation)


def _merged_table(
    changes: tuple[Change, ...], names: dict[str, str], *, hide_contacts: bool
) -> pd.DataFrame:
    """A merged service's history, a row per field a version set (its first version: each
    field it was created with), with when and by whom. Its email, phone and website are
    left out (``hide_contacts``) for someone who may not see its organisation's private
    contacts: it may have been another organisation's service."""
    rows: list[tuple[Change, FieldChange]] = []
    for change in changes:
        if change.action == CREATED and isinstance(change.replacement, dict):
            fields = [
                FieldChange(SERVICE, name, None, value)
                for name, value in change.replacement.items()
                if value not in (None, "", []) and value is not False
            ]
        else:
            fields = [FieldChange(SERVICE, change.field_name, change.previous, change.replacement)]
        for field in fields:
            if hide_contacts and field.field in CONTACT_DETAILS:
                field = FieldChange(SERVICE, field.field, NOT_YOURS, NOT_YOURS)
            rows.append((change, field))
    table = changes_table([field for _, field in rows], then="Was", now="Became")
    table.insert(0, "By", [names.get(c.updated_by, c.updated_by) for c, _ in rows])
    table.insert(0, "When (UTC)", [f"{c.updated_at:%d %B %Y %H:%M}" for c, _ in rows])
    table.insert(0, "Version", [c.version for c, _ in rows])
    table["Field"] = table["Field"].replace(HISTORY_LABELS)
    return table.drop(columns="Record")
