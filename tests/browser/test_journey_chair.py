"""A quadrant chair filters the tracker, builds an agenda of three cases, records decisions and actions
for two, is asked before closing with the third undiscussed, prints the record (marked on every
page) and sees the actions carry on; each meeting page is checked with axe at 1280 and 375 px."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import constants as c
from cases import models as m
from cases import services
from cases.constants import Role
from tests import factories as f
from tests.browser.helpers import accessible_at_both_widths, fill_date, serious_accessibility_violations

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


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page of a PDF (pdftotext, page by page)."""
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def test_it_runs_a_tracker_meeting_and_carries_actions_forward(page, sign_in, screenshot, mid_cases, tmp_path):
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

    # Open a meeting for the quadrant with an empty agenda: the chair chooses the cases.
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Meetings", exact=True).click()
    expect(menu.get_by_role("link", name="Meetings", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Open a meeting").click()
    page.get_by_label("Area or quadrant", exact=True).check()
    page.select_option("#id_area", label="Mid")
    fill_date(page, "meeting_date", today)
    page.get_by_label("No cases: I will add them").check()
    page.get_by_role("button", name="Open meeting").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("0 cases on the agenda")
    expect(page.locator("h1")).to_have_text("Choose the agenda and attendees")

    # Three cases added (the last first), then put in order with a time each.
    families = {family.name: family for family in mid_cases}
    for name in ("Midfamily2", "Midfamily0", "Midfamily1"):
        family = families[name]
        page.select_option("#id_add-family", value=str(family.pk))
        page.get_by_role("button", name="Add to the agenda").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"The {name} family was added")
    expect(page.locator("#agenda-arrange tbody tr")).to_have_count(3)
    for place, (name, time) in enumerate((("Midfamily0", "10:00"), ("Midfamily1", "10:20"), ("Midfamily2", "10:40"))):
        page.get_by_label(f"Order of the {name} family").fill(str(place + 1))
        page.get_by_label(f"Start time for the {name} family").fill(time)
    page.get_by_role("button", name="Save the agenda").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Agenda saved")
    expect(page.locator("#agenda-arrange tbody tr").first).to_contain_text("Midfamily0")

    # Attendees: a user of the LA and the LA's solicitor.
    page.select_option("#id_attendee-user", label="Worker0 Tester (Social worker)")
    page.get_by_role("button", name="Add the attendee").click()
    page.get_by_label("Or their name").fill("Lee Adams")
    page.get_by_label("Role or organisation").fill("LA solicitor")
    page.get_by_role("button", name="Add the attendee").click()
    expect(page.locator("#attendees")).to_contain_text("Lee Adams")
    expect(page.locator("#attendees")).to_contain_text("Worker0 Tester")
    accessible_at_both_widths(page, screenshot, "meeting-agenda-choose")

    page.get_by_role("link", name="Back to the meeting").first.click()
    rows = page.locator("#agenda tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("10:00")
    expect(rows.nth(0)).to_contain_text("Midfamily0")
    expect(rows.nth(0)).to_contain_text("Worker0 Tester")
    expect(rows.nth(2)).to_contain_text("Midfamily2")
    expect(page.locator("#attendees")).to_contain_text("Lee Adams, LA solicitor")
    accessible_at_both_widths(page, screenshot, "meeting-agenda")

    # Decisions and actions for the first two cases; the third is not discussed.
    page.get_by_role("button", name="Step through the cases").click()
    expect(page.locator("h1")).to_contain_text("Midfamily0")
    expect(page.locator("#previous-decision")).to_contain_text("None: first time at a tracker meeting")
    page.get_by_label("Continue with a review date").check()
    fill_date(page, "review_date", today + dt.timedelta(days=14))
    page.fill("#id_actions-0-description", "Book the family group conference")
    page.select_option("#id_actions-0-owner", label="Worker0 Tester (Social worker)")
    fill_date(page, "actions-0-due_date", today + dt.timedelta(days=7))
    accessible_at_both_widths(page, screenshot, "meeting-item")
    page.get_by_role("button", name="Save and go to the next case").click()

    expect(page.locator("h1")).to_contain_text("Midfamily1")
    page.get_by_label("Issue care proceedings").check()
    page.fill("#id_actions-0-description", "Send the letter initiating proceedings")
    page.select_option("#id_actions-0-owner", label="Worker1 Tester (Social worker)")
    fill_date(page, "actions-0-due_date", today - dt.timedelta(days=1))
    page.get_by_role("button", name="Save and return to the agenda").click()
    # An action cannot fall due before the meeting.
    expect(page.locator(".govuk-error-summary")).to_contain_text("The due date must be on or after the meeting")
    fill_date(page, "actions-0-due_date", today + dt.timedelta(days=3))
    page.get_by_role("button", name="Save and return to the agenda").click()
    expect(page.locator("#meeting-progress")).to_contain_text("2 of 3 cases decided")
    expect(page.locator("#agenda")).to_contain_text("Issue care proceedings")
    expect(page.locator("#agenda")).to_contain_text("Book the family group conference (Worker0 Tester")

    # Closing asks first, naming the case not discussed.
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.locator("h1")).to_have_text("1 of 3 cases was not discussed")
    expect(page.locator("#undiscussed li")).to_have_count(1)
    expect(page.locator("#undiscussed")).to_contain_text("3. Midfamily2")
    accessible_at_both_widths(page, screenshot, "meeting-close-confirm")
    page.get_by_role("link", name="Go back to the agenda").click()
    assert m.TrackerMeeting.objects.get().closed_at is None
    page.get_by_role("button", name="Close the meeting").click()
    page.get_by_role("button", name="Close the meeting anyway").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Meeting closed")
    assert m.TrackerMeeting.objects.get().closed_at is not None

    # The printed record: the two decisions and their actions, compact, marked on every page.
    page.get_by_role("link", name="Print the meeting record").click()
    record = page.locator("#record")
    expect(record).to_contain_text("Continue with a review date")
    expect(record).to_contain_text("Send the letter initiating proceedings")
    expect(record).not_to_contain_text("Midfamily2")
    accessible_at_both_widths(page, screenshot, "meeting-print")
    pages = pdf_pages(page.pdf(format="A4"), tmp_path)
    assert 1 <= len(pages) <= 2
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, f"page {number} of {len(pages)} is not marked"
    assert "Midfamily0" in pages[0]
    assert "Midfamily2" not in "".join(pages)

    # The action is on the case page.
    page.goto(f"/cases/{mid_cases[0].pk}/")
    expect(page.locator("#open-actions")).to_contain_text("Book the family group conference")

    # ...and at the next meeting, where it can be marked done, with the previous decision shown.
    page.goto("/tracker/meetings/new/")
    page.get_by_label("Area or quadrant", exact=True).check()
    page.select_option("#id_area", label="Mid")
    fill_date(page, "meeting_date", today)
    page.get_by_role("button", name="Open meeting").click()
    page.get_by_role("link", name="Back to the meeting").first.click()
    page.get_by_role("button", name="Step through the cases").click()
    expect(page.locator("h1")).to_contain_text("Midfamily0")
    expect(page.locator("#previous-decision")).to_contain_text("Continue with a review date, review on")
    expect(page.locator("#open-actions")).to_contain_text("Book the family group conference")
    page.get_by_label("Done: Book the family group conference", exact=False).check()
    page.get_by_label("Continue with a review date").check()
    fill_date(page, "review_date", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Save and return to the agenda").click()
    action = m.MeetingAction.objects.get(description="Book the family group conference")
    assert action.completed_date == today
    assert action.owner == mid_cases[0].social_worker
    assert m.MeetingItem.objects.filter(decision="continue").count() == 2


def test_it_marks_every_printed_page_of_a_long_meeting_record(page, sign_in, tmp_path):
    """Forty decisions with notes and actions run to several pages: each is marked, and numbered."""
    essex = f.la("881")
    chair = f.UserFactory(username="chair.long", role=Role.QUADRANT_CHAIR, local_authority=essex, password=PASSWORD)
    today = timezone.localdate()
    for n in range(40):
        family = f.FamilyFactory(local_authority=essex, name=f"Longfamily{n}")
        child = f.ChildFactory(family=family)
        start = today - dt.timedelta(weeks=3)
        f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=today)
    for item in meeting.items.all():
        services.meeting_item_record(
            user=chair,
            item=item,
            decision="escalate",
            review_date=None,
            note="Parenting assessment late; the expert is chasing the school and health visitor reports. " * 2,
            new_actions=[services.NewAction(description="Write to the head of service", owner=chair, due_date=today)],
        )
    sign_in("chair.long", PASSWORD)
    page.goto(f"/tracker/meetings/{meeting.pk}/print/")
    pages = pdf_pages(page.pdf(format="A4"), tmp_path)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2, f"page {number}: {text}"  # at the top and the foot
        assert f"Page {number} of {len(pages)}" in text
    assert "Longfamily39" in pages[-1]


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
