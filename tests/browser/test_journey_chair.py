"""A quadrant chair filters the tracker, runs a meeting for three cases and sees the actions carry on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import models as m
from cases.constants import Role
from tests import factories as f
from tests.browser.helpers import fill_date, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password"


@pytest.fixture
def mid_cases(db):
    essex = f.la("881")
    mid = m.Team.objects.get(name="Chelmsford Family Support")
    elsewhere = m.Team.objects.get(name="Colchester Family Support")
    today = timezone.localdate()
    families = []
    for n, weeks in enumerate((20, 9, 3)):
        worker = f.UserFactory(local_authority=essex, team=mid, first_name=f"Worker{n}")
        family = f.FamilyFactory(local_authority=essex, team=mid, social_worker=worker, name=f"Midfamily{n}")
        child = f.ChildFactory(family=family)
        start = today - dt.timedelta(weeks=weeks)
        f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start)
        families.append(family)
    other = f.FamilyFactory(local_authority=essex, team=elsewhere, name="Northfamily")
    f.EpisodeFactory(family=other, gateway_meeting_date=today, start_date=today)
    f.UserFactory(username="chair.mid", role=Role.QUADRANT_CHAIR, local_authority=essex, password=PASSWORD)
    return families


def test_it_runs_a_tracker_meeting_and_carries_actions_forward(page, sign_in, screenshot, mid_cases):
    today = timezone.localdate()
    sign_in("chair.mid", PASSWORD)

    # The tracker, filtered to the Mid quadrant.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Tracker", exact=True).click()
    expect(page.locator("#tracker-count")).to_have_text("4 open cases")
    page.select_option("#id_area", label="Mid")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#tracker-count")).to_have_text("3 open cases")
    # The 20-week case is over the 16-week threshold: red, first.
    first_row = page.locator("#tracker tbody tr").first
    expect(first_row).to_contain_text("Midfamily0")
    expect(first_row).to_contain_text("Pre-proceedings over the local threshold")
    expect(first_row.locator(".app-rag")).to_have_text("Red")
    assert not serious_accessibility_violations(page)
    screenshot("tracker")

    # Open a meeting for the quadrant.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("button", name="Open a meeting").click()
    page.get_by_label("Area or quadrant", exact=True).check()
    page.select_option("#id_area", label="Mid")
    fill_date(page, "meeting_date", today)
    page.get_by_role("button", name="Open meeting").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("3 cases on the agenda")
    expect(page.locator("#agenda tbody tr")).to_have_count(3)
    screenshot("meeting-agenda")

    # Step through: decisions and actions for each of the three cases.
    page.get_by_role("button", name="Step through the cases").click()
    expect(page.locator("h1")).to_contain_text("Midfamily0")
    assert not serious_accessibility_violations(page)
    page.get_by_label("Continue with a review date").check()
    fill_date(page, "review_date", today + dt.timedelta(days=14))
    page.fill("#id_actions-0-description", "Book the family group conference")
    page.fill("#id_actions-0-owner", "Worker0")
    fill_date(page, "actions-0-due_date", today + dt.timedelta(days=7))
    screenshot("meeting-item")
    page.get_by_role("button", name="Save and go to the next case").click()

    expect(page.locator("h1")).to_contain_text("Midfamily1")
    page.get_by_label("Issue care proceedings").check()
    page.fill("#id_actions-0-description", "Send the letter initiating proceedings")
    page.fill("#id_actions-0-owner", "Legal")
    fill_date(page, "actions-0-due_date", today + dt.timedelta(days=3))
    page.get_by_role("button", name="Save and go to the next case").click()

    expect(page.locator("h1")).to_contain_text("Midfamily2")
    page.get_by_label("Continue with a review date").check()
    page.get_by_role("button", name="Save and return to the agenda").click()
    # A review date is needed to continue.
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the review date for a case that continues")
    page.get_by_label("Escalate to a senior manager").check()
    page.get_by_role("button", name="Save and return to the agenda").click()
    expect(page.locator("#meeting-progress")).to_contain_text("3 of 3 cases decided")
    expect(page.locator("#agenda")).to_contain_text("Issue care proceedings")
    expect(page.locator("#agenda")).to_contain_text("Book the family group conference")

    # The printable record.
    page.get_by_role("link", name="Print the meeting record").click()
    expect(page.locator("main")).to_contain_text("Decision: Escalate to a senior manager")

    # The action is on the case page.
    page.goto(f"/cases/{mid_cases[0].pk}/")
    expect(page.locator("#open-actions")).to_contain_text("Book the family group conference (Worker0)")

    # ...and at the next meeting, where it can be marked done.
    page.goto("/tracker/meetings/new/")
    page.get_by_label("Area or quadrant", exact=True).check()
    page.select_option("#id_area", label="Mid")
    fill_date(page, "meeting_date", today)
    page.get_by_role("button", name="Open meeting").click()
    page.get_by_role("button", name="Step through the cases").click()
    expect(page.locator("#open-actions")).to_contain_text("Book the family group conference")
    page.get_by_label("Done: Book the family group conference", exact=False).check()
    page.get_by_label("Continue with a review date").check()
    fill_date(page, "review_date", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Save and return to the agenda").click()
    action = m.MeetingAction.objects.get(description="Book the family group conference")
    assert action.completed_date == today
    assert m.MeetingItem.objects.filter(decision="escalate").count() == 1


def test_it_shows_the_dashboard_with_charts_tables_and_no_accessibility_failures(page, sign_in, screenshot, mid_cases):
    from reporting.services import metrics

    essex = f.la("881")
    mid = m.Team.objects.get(name="Chelmsford Family Support")
    today = timezone.localdate()
    for n, days in enumerate((150, 190, 240, 300)):
        end = today - dt.timedelta(days=40 * n + 20)
        family = f.FamilyFactory(local_authority=essex, team=mid, name=f"Dashfamily{n}")
        proceedings = f.ProceedingsFactory(family=family, issue_date=end - dt.timedelta(days=days), concluded_date=end)
        f.ChildProceedingsFactory(proceedings=proceedings)
        f.DelayEventFactory(family=family, proceedings=proceedings, event_date=end, days_lost=10 + n)
    month = metrics.month_start(today)
    metrics.metrics_compute(window=metrics.Window(metrics.add_months(month, -13), month, today))

    sign_in("chair.mid", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("h1")).to_have_text("Dashboard: Essex County Council")
    expect(page.locator("#headlines [data-metric=s31_duration_mean]")).to_be_visible()
    expect(page.locator(".app-chart svg")).to_have_count(4)
    page.locator(".govuk-details__summary").first.click()
    expect(page.locator(".govuk-details__text table").first).to_be_visible()
    assert not serious_accessibility_violations(page)
    screenshot("dashboard")
