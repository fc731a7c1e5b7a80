"""A social worker walks a child from the legal gateway to a final order in real Chromium.

At each step the timeline gains the milestone and the next-due list moves on; every page type is
screenshotted and checked with axe-core (no serious or critical violations).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases import models as m
from cases.constants import Role
from tests import factories as f
from tests.browser.helpers import fill_date, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
PASSWORD = "a long test password"


@pytest.fixture
def worker(db):
    return f.UserFactory(
        username="sw.journey", role=Role.SOCIAL_WORKER, password=PASSWORD, first_name="Sam", last_name="Worker"
    )


def accessible(page: Page, what: str) -> None:
    violations = serious_accessibility_violations(page)
    assert not violations, f"{what}: " + "; ".join(violations)


def save(page: Page, banner: str) -> None:
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(banner)


def timeline(page: Page):
    return page.locator("#timeline-list")


def next_due(page: Page):
    return page.locator("#next-due")


def list_hearing(page: Page, kind: str, listed: dt.date, screenshot=None) -> None:
    """List a hearing; the listing is made today unless the form is told otherwise."""
    open_form(page, "Hearing", screenshot, "form-hearing")
    page.get_by_label(kind, exact=True).check()
    fill_date(page, "listed_date", listed)
    save(page, "Hearing saved")


def record_outcome(
    page: Page, kind: str, listed: dt.date, outcome: str, screenshot=None, *, reason="", relisted=None, note=""
) -> None:
    """Record what came of a listed hearing from its timeline entry, and its re-listing if any."""
    entry = page.locator("#timeline-list li").filter(has_text=f"{listed.day} {listed:%B %Y}").filter(has_text=kind)
    entry.get_by_role("link", name="Record the outcome").click()
    expect(page.locator("h1")).to_have_text("Hearing outcome")
    accessible(page, "form hearing outcome")
    if screenshot:
        screenshot("form-hearing-outcome")
    page.get_by_label(outcome, exact=True).check()
    if reason:
        page.select_option("#id_reason", reason)
    if relisted:
        fill_date(page, "relisted_for", relisted[0])
        fill_date(page, "relisted_on", relisted[1])
    if note:
        page.get_by_label("Note").fill(note)
    save(page, "Hearing outcome saved")


def open_form(page: Page, link: str, screenshot=None, name: str = "") -> None:
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.locator("h1")).to_be_visible()
    accessible(page, f"form {link}")
    if screenshot and name:
        screenshot(name)


def test_it_walks_a_child_from_gateway_to_final_order(page, sign_in, screenshot, worker):
    sign_in("sw.journey", PASSWORD)
    page.goto("/cases/")
    expect(page.locator("h1")).to_have_text("My cases")
    expect(page.locator("#case-count")).to_contain_text("0 open cases")

    # A new case: the family and its first child.
    page.get_by_role("button", name="Open a new case").click()
    accessible(page, "new case form")
    screenshot("form-new-case")
    page.get_by_label("Name", exact=True).fill("Journeytest")
    page.get_by_label("LA reference").fill("J-0001")
    page.get_by_label("Child's first name").fill("Amara")
    page.get_by_label("Child's last name").fill("Journeytest")
    page.get_by_label("LA child ID").fill("C-J-0001")
    fill_date(page, "child_date_of_birth", D(2021, 3, 14))
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Open case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case J-0001 opened")
    expect(page.locator("#stage-label")).to_have_text("Before the legal gateway decision")
    case_url = page.url

    # Legal gateway decision: start pre-proceedings.
    open_form(page, "Legal gateway decision", screenshot, "form-gateway-decision")
    fill_date(page, "gateway_meeting_date", D(2026, 1, 5))
    page.get_by_label("Start pre-proceedings").check()
    fill_date(page, "start_date", D(2026, 1, 5))
    page.get_by_label("Amara Journeytest").check()
    save(page, "Legal gateway decision saved")
    expect(page.locator("#stage-label")).to_have_text("In pre-proceedings")
    expect(timeline(page)).to_contain_text("Legal gateway meeting")
    expect(timeline(page)).to_contain_text("Pre-proceedings started")
    expect(next_due(page)).to_contain_text("Letter before proceedings")
    # 16 weeks from 5 January 2026.
    expect(next_due(page)).to_contain_text("Step-down or issue decision")
    expect(next_due(page)).to_contain_text("27 Apr 2026")

    # Letter before proceedings.
    open_form(page, "Letter before proceedings", screenshot, "form-letter")
    fill_date(page, "lbp_sent_date", D(2026, 1, 9))
    save(page, "Letter before proceedings saved")
    expect(timeline(page)).to_contain_text("Letter before proceedings sent")
    expect(next_due(page)).not_to_contain_text("Letter before proceedings")

    # Initial meeting: the review is then due 6 weeks later.
    open_form(page, "Initial or review meeting", screenshot, "form-pp-meeting")
    page.get_by_label("Initial pre-proceedings meeting").check()
    fill_date(page, "meeting_date", D(2026, 1, 20))
    save(page, "Pre-proceedings meeting saved")
    expect(timeline(page)).to_contain_text("Initial pre-proceedings meeting")
    expect(next_due(page)).to_contain_text("Review meeting")
    expect(next_due(page)).to_contain_text("3 Mar 2026")

    # Decision to issue.
    open_form(page, "Step-down or issue decision", screenshot, "form-decision")
    fill_date(page, "step_decision_date", D(2026, 3, 2))
    page.get_by_label("Care proceedings issued").check()
    fill_date(page, "court_application_date", D(2026, 3, 4))
    save(page, "Step-down or issue decision saved")
    expect(timeline(page)).to_contain_text("Decision: Care proceedings issued")
    expect(page.locator("#stage-label")).to_contain_text("record the care application")

    # The care application.
    open_form(page, "Care application", screenshot, "form-care-application")
    page.select_option("#id_court", "chelmsford")
    page.get_by_label("Court case number").fill("CM26C00123")
    fill_date(page, "issue_date", D(2026, 3, 4))
    page.get_by_label("Amara Journeytest").check()
    save(page, "Care application saved")
    expect(page.locator("#stage-label")).to_have_text("In care proceedings")
    expect(timeline(page)).to_contain_text("Care application issued (CM26C00123)")
    # CMH window: day 12 to day 18 from 4 March; IRH by week 20; final hearing by week 26.
    expect(next_due(page)).to_contain_text("15 Mar 2026 to 21 Mar 2026")
    expect(next_due(page)).to_contain_text("Issues resolution hearing listed")
    expect(next_due(page)).to_contain_text("22 Jul 2026")
    expect(next_due(page)).to_contain_text("Final hearing by timetable end")
    expect(next_due(page)).to_contain_text("2 Sep 2026")
    screenshot("case-page-proceedings")
    accessible(page, "case page")

    # CMH listed, then held: recording the outcome is a step of its own, not a correction.
    list_hearing(page, "Case management hearing", D(2026, 3, 18), screenshot)
    expect(next_due(page)).not_to_contain_text("Case management hearing")
    record_outcome(page, "case management hearing", D(2026, 3, 18), "Held", screenshot)
    expect(timeline(page)).to_contain_text("Held")

    # A further CMH adjourned on the day, with its reason, and re-listed a fortnight later.
    list_hearing(page, "Further case management hearing", D(2026, 5, 20))
    record_outcome(
        page,
        "further case management hearing",
        D(2026, 5, 20),
        "Adjourned (on the day)",
        reason="expert_late_report",
        relisted=(D(2026, 6, 3), D(2026, 5, 20)),
        note="Expert report not filed.",
    )
    reason = m.DelayReason.objects.get(code="expert_late_report").label
    expect(timeline(page)).to_contain_text(f"Adjourned (on the day): {reason}")
    expect(timeline(page)).to_contain_text("Re-listed for 3 June 2026")
    expect(timeline(page)).to_contain_text("Expert report not filed.")

    # IRH listed: it no longer appears as due.
    list_hearing(page, "Issues resolution hearing", D(2026, 7, 15))
    expect(next_due(page)).not_to_contain_text("Issues resolution hearing listed")
    record_outcome(page, "issues resolution hearing", D(2026, 7, 15), "Held")

    # An extension of 6 weeks moves the final hearing date.
    open_form(page, "Extension", screenshot, "form-extension")
    page.get_by_label("Amara Journeytest").check()
    fill_date(page, "granted_date", D(2026, 8, 20))
    fill_date(page, "new_end_date", D(2026, 10, 14))
    page.get_by_label("Reason").fill("Psychological assessment of the mother needs six more weeks.")
    save(page, "Extension saved")
    expect(timeline(page)).to_contain_text("Extension for Amara Journeytest to 14 October 2026")
    expect(next_due(page)).to_contain_text("14 Oct 2026")
    expect(next_due(page)).to_contain_text("The time limit, extended by the court")

    # Final order: the proceedings conclude.
    open_form(page, "Plans and final order for Amara Journeytest", screenshot, "form-final-order")
    page.select_option("#id_final_plan", "long_term_fostering")
    page.locator("#id_final_plan_approved_0").check()
    page.select_option("#id_final_outcome", "care_order")
    fill_date(page, "final_outcome_date", D(2026, 10, 9))
    save(page, "Plans and final order saved")
    expect(page.locator("#stage-label")).to_have_text("Proceedings concluded")
    expect(timeline(page)).to_contain_text("Final order for Amara Journeytest: Care order")
    expect(next_due(page)).to_contain_text("Nothing is due")
    screenshot("case-page-concluded")

    proceedings = m.Proceedings.objects.get(court_case_number="CM26C00123")
    assert proceedings.concluded_date == D(2026, 10, 9)
    assert proceedings.created_by.username == "sw.journey"
    # Timeline in date order: the gateway meeting first, the final order last.
    entries = timeline(page).locator(".app-timeline__title").all_inner_texts()
    assert entries[0] == "Amara Journeytest born"
    assert entries[1] == "Legal gateway meeting"
    assert entries[-1] == "Final order for Amara Journeytest: Care order"

    # The case list: back to my cases (now concluded, so not open).
    page.goto("/cases/?scope=all")
    accessible(page, "case list")
    page.goto(case_url)


def test_it_shows_every_date_error_in_the_error_summary(page, sign_in, screenshot, worker):
    family = f.FamilyFactory(local_authority=worker.local_authority, social_worker=worker, name="Datecheck")
    f.ChildFactory(family=family, first_name="Ben")
    sign_in("sw.journey", PASSWORD)
    page.goto(f"/cases/{family.pk}/episode/new/")

    fill_date(page, "gateway_meeting_date", ("31", "2", "2026"))  # not a real date
    page.get_by_label("Start pre-proceedings").check()
    fill_date(page, "start_date", ("5", "", "2026"))  # month missing
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The legal gateway meeting date must be a real date")
    expect(summary).to_contain_text("The pre-proceedings start date must include a month")
    # Each message links to its field.
    summary.get_by_role("link", name="The legal gateway meeting date must be a real date").click()
    assert page.evaluate("document.activeElement.id") == "id_gateway_meeting_date_day"
    assert page.title().startswith("Error: ")
    accessible(page, "form with errors")
    screenshot("form-errors-dates")

    # Date order and dates in the future.
    fill_date(page, "gateway_meeting_date", D(2026, 2, 10))
    fill_date(page, "start_date", D(2026, 2, 3))
    page.get_by_role("button", name="Save").click()
    expect(summary).to_contain_text("The pre-proceedings start date must be on or after the legal gateway meeting.")
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    fill_date(page, "gateway_meeting_date", tomorrow)
    fill_date(page, "start_date", tomorrow)
    page.get_by_role("button", name="Save").click()
    expect(summary).to_contain_text("The legal gateway meeting date must be today or in the past.")
    expect(page.locator("#id_gateway_meeting_date-error")).to_be_visible()
    # The values typed are kept, and nothing was saved.
    assert page.input_value("#id_gateway_meeting_date_day") == str(tomorrow.day)
    assert not m.PreProceedingsEpisode.objects.filter(family=family).exists()
