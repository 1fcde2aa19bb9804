"""store_summary: what the data page says the store holds, on both backends."""

from __future__ import annotations

from analysis.model import FIELD_STATUS
from analysis.store.access import command_line
from analysis.store.editing import archive_service, save_service
from analysis.store.schema import INACTIVE
from analysis.store.summary import store_summary

SERVICE = "ember-together--benefits-help"


def test_the_summary_counts_active_other_and_leaves_archived_out(demo_store):
    before = store_summary(demo_store)
    assert before.active_services > 0 and before.sources == ("demo",)
    assert before.active_services + before.other_services == 900
    save_service(
        demo_store, SERVICE, {FIELD_STATUS: INACTIVE}, expected_version=1, actor=command_line("e")
    )
    inactive = store_summary(demo_store)
    assert (inactive.active_services, inactive.other_services) == (
        before.active_services - 1,
        before.other_services + 1,
    )
    assert inactive.data_version == before.data_version + 1
    archive_service(demo_store, SERVICE, expected_version=2, actor=command_line("e"))
    archived = store_summary(demo_store)
    assert (archived.active_services, archived.other_services) == (
        before.active_services - 1,
        before.other_services,
    )
