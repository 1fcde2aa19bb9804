"""Feedback on the pages, through AppTest on a database of each test's own: the public sends
a report from the postcode page (or is told to wait), a reviewer sees it in the queue and
resolves it, and an editor sees only their organisations' reports."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis.settings import FEEDBACK_PER_HOUR, REPORTED_CLOSED_PEOPLE
from analysis.store import claims
from analysis.store.access import PUBLIC
from analysis.store.audit import access_events
from analysis.store.editing import organisation_services
from analysis.store.feedback import give_feedback, open_feedback, reporter_key
from analysis.store.schema import MORE_INFORMATION, OUT_OF_DATE, REPORTED_CLOSED
from dashboard.components.feedback_form import SECRET_KEY
from tests.dashboard.shown import shown
from tests.dashboard.test_people_pages import (
    KEEPER,
    ORG,
    SERVICE,
    _account,
    _app,
    _button,
    store,  # noqa: F401  (the fixture: a database of the test's own, with the demo)
)

POSTCODE = "BS8 1TH"
FORM = "feedback_form_nearby"
OTHER_SERVICE = "wren-works--housing-advice"
WORDS = "It moved to the *library* <b>last week</b>"


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    parts += [w.value for w in at.warning] + [c.value for c in at.caption]
    return " ".join(shown(str(part)) for part in parts)


def _fill(at: AppTest, kind: str, text: str = "") -> str:
    """Choose `SERVICE`, ``kind`` and ``text`` in the form; the service's label there."""
    chooser = at.selectbox(key=f"{FORM}_service").set_value(SERVICE)
    at.radio(key=f"{FORM}_kind").set_value(kind)
    at.text_area(key=f"{FORM}_text").input(text)
    return next(label for label in chooser.options if label.endswith(f"· {SERVICE}"))


def _report(store, service_id: str, who: str, kind=REPORTED_CLOSED) -> int:  # noqa: F811
    return give_feedback(store, PUBLIC, service_id, kind, "", reporter=reporter_key(who))


def test_the_public_sends_a_report_from_the_postcode_page_and_is_thanked(store):  # noqa: F811
    at = _app("postcode", postcode=POSTCODE)
    at.run()
    assert "Tell us about a service" in [h.value for h in at.subheader]
    _button(at, "Send").click()
    at.run()
    assert "Not sent: choose the service and what you want to tell us" in _texts(at)
    label = _fill(at, OUT_OF_DATE, WORDS)
    _button(at, "Send").click()
    at.run()
    assert not at.exception
    assert f"Thank you: your report on {label} is sent" in _texts(at)
    assert "The group's editors are told and the directory's reviewers see it" in _texts(at)
    [report] = open_feedback(store, KEEPER)
    assert (report.kind, report.text) == (OUT_OF_DATE, WORDS)
    assert report.service_id == SERVICE


def test_a_browser_that_sent_too_many_is_told_when_to_try_again(store):  # noqa: F811
    at = _app("postcode", postcode=POSTCODE)
    at.session_state[SECRET_KEY] = "this browser's secret"
    at.run()
    for service_id in list(organisation_services(store, ORG))[:FEEDBACK_PER_HOUR]:
        _report(store, service_id, "this browser's secret", OUT_OF_DATE)
    _fill(at, MORE_INFORMATION)  # not one of the five: a new report
    _button(at, "Send").click()
    at.run()
    told = _texts(at)
    assert f"Not sent: you have sent {FEEDBACK_PER_HOUR} reports in the last hour" in told
    assert "try again after" in told and "UTC (in " in told
    assert len(open_feedback(store, KEEPER)) == FEEDBACK_PER_HOUR


def test_a_reviewer_sees_reported_closed_in_the_queue_and_resolves_it(store):  # noqa: F811
    reviewer = _account(store, "rev@example.org", role="reviewer")
    closed = [_report(store, SERVICE, f"person {n}") for n in range(REPORTED_CLOSED_PEOPLE)]
    text_of = give_feedback(
        store, PUBLIC, SERVICE, OUT_OF_DATE, WORDS, reporter=reporter_key("person 0")
    )
    at = _app("queue", reviewer)
    at.run()
    assert not at.exception
    told = _texts(at)
    assert "Feedback from the public (3 open)" in [h.value for h in at.subheader]
    assert f"Reported closed by {REPORTED_CLOSED_PEOPLE} people — check it" in told
    assert f"Their words: {WORDS}" in told  # shown as written, never as Markdown or HTML
    assert "\\<b\\>" in "".join(m.value for m in at.markdown)
    at.text_input(key=f"resolve_feedback_queue_{closed[0]}_note").input("rang them: open")
    next(b for b in at.button if b.label == "Resolve").click()
    at.run()
    assert 'Resolved its "closed" reports on Benefits Help (2 report(s) in all)' in _texts(at)
    assert f"Reported closed by {REPORTED_CLOSED_PEOPLE} people" not in _texts(at)
    assert [r.id for r in open_feedback(store, KEEPER)] == [text_of]
    assert "rang them: open" in access_events(store, KEEPER)[0].detail


def test_an_editor_sees_only_their_organisations_reports(store):  # noqa: F811
    editor = _account(store, "group@example.org")
    claims.grant_editor(store, KEEPER, editor.account.id, ORG)
    _report(store, SERVICE, "someone", OUT_OF_DATE)
    _report(store, OTHER_SERVICE, "someone", OUT_OF_DATE)
    at = _app("edit", editor)
    at.run()
    assert not at.exception
    told = _texts(at)
    assert "Feedback from the public (1 open)" in [h.value for h in at.subheader]
    assert "Benefits Help" in told and "Housing Advice" not in told
    theirs = _app("edit", editor, org="wren-works")
    theirs.run()
    assert "You do not keep this organisation's entry" in _texts(theirs)
    assert not [h for h in theirs.subheader if h.value.startswith("Feedback")]


def test_the_ward_page_offers_the_form_for_its_services(store):  # noqa: F811
    at = _app("ward", ward="E05010892")
    at.run()
    assert not at.exception
    assert "Tell us about a service" in [h.value for h in at.subheader]
    assert at.selectbox(key="feedback_form_in_ward_service").options
