"""A social worker works from My tasks in real Chromium: the list, then two items through to their case.

The first item (the overdue letter before proceedings) is recorded from its case page and leaves the
list; the second (a meeting action) is opened on its case page, where it is listed as open. The
page is checked with axe-core (no serious or critical violation) and screenshotted at 1280 and
375 px.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.constants import Role
from tests import factories as f
from tests.browser.helpers import fill_date, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def caseload(db):
    essex = f.la("881")
    today = timezone.localdate()
    worker = f.UserFactory(
        username="sw.tasks", role=Role.SOCIAL_WORKER, local_authority=essex, password=PASSWORD, first_name="Sam"
    )
    start = today - dt.timedelta(days=3)
    first = f.FamilyFactory(local_authority=essex, social_worker=worker, name="Ashdown", la_reference="ESX-0001")
    child = f.ChildFactory(family=first, first_name="Rosalind", date_of_birth=dt.date(2020, 1, 1))
    f.EpisodeFactory(family=first, children=[child], gateway_meeting_date=start, start_date=start)
    second = f.FamilyFactory(local_authority=essex, social_worker=worker, name="Brook", la_reference="ESX-0002")
    other = f.ChildFactory(family=second, first_name="Tobias", date_of_birth=dt.date(2019, 5, 1))
    f.EpisodeFactory(family=second, children=[other], gateway_meeting_date=today, start_date=today)
    item = f.MeetingItemFactory(
        meeting=f.TrackerMeetingFactory(local_authority=essex, meeting_date=today - dt.timedelta(days=1)),
        family=second,
    )
    f.MeetingActionFactory(
        item=item,
        description="Share the parenting assessment with the parents' solicitors",
        owner=worker,
        owner_note="",
        due_date=today + dt.timedelta(days=1),
    )
    return {"today": today, "start": start, "first": first, "second": second}


def accessible(page, what: str) -> None:
    violations = serious_accessibility_violations(page)
    assert not violations, f"{what}: " + "; ".join(violations)


def rows(page):
    return page.locator("#tasks tbody tr")


def test_a_social_worker_works_through_two_items_from_my_tasks(page, sign_in, screenshot, caseload):
    sign_in("sw.tasks", PASSWORD)
    page.get_by_role("link", name="My tasks").click()
    expect(page.locator("h1")).to_have_text("My tasks")
    expect(page.locator("#tasks-summary")).to_contain_text("1 overdue of 9 items due")
    # Earliest first: the first case's letter (3 days ago, overdue), the second's (due today), the action.
    first = rows(page).nth(0)
    expect(first).to_contain_text("Letter before proceedings")
    expect(first).to_contain_text("Overdue")
    expect(first).to_contain_text("ESX-0001")
    expect(rows(page).nth(1)).to_contain_text("Due today")
    for viewport, name in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(viewport)
        accessible(page, f"my tasks at {name} px")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(f"my-tasks-{name}")
    page.set_viewport_size(DESKTOP)

    # Only what is overdue, then back to everything.
    page.select_option("#id_show", "overdue")
    page.get_by_role("button", name="Apply").click()
    expect(rows(page)).to_have_count(1)
    page.get_by_role("link", name="Clear filters").click()

    # First item: open its case and record the letter.
    first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Ashdown")
    page.get_by_role("link", name="Letter before proceedings", exact=True).click()
    fill_date(page, "lbp_sent_date", caseload["start"])
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Letter before proceedings saved")

    page.get_by_role("link", name="My tasks").click()
    expect(page.locator("#tasks-summary")).to_contain_text("0 overdue of 8 items due")
    labels = [rows(page).nth(n).inner_text() for n in range(rows(page).count())]
    assert not any("Letter before proceedings" in text and "ESX-0001" in text for text in labels)

    # Second item: the meeting action, which opens its case with the action listed as open.
    action = rows(page).filter(has_text="Meeting action")
    expect(action).to_contain_text("Share the parenting assessment")
    expect(action).to_contain_text("Owner: you")
    action.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Brook")
    expect(page.locator("main")).to_contain_text("Share the parenting assessment")
    accessible(page, "case page from my tasks")
