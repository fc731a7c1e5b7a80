"""Find any family and the case page, in the browser at 1280 px and 375 px: a social worker finds a
closed family by a child's date of birth, is warned of it when opening the same family again,
reopens it for a repeat episode instead, and reads its status, flags, weeks, episodes and a
newest-first timeline. No serious or critical accessibility violation on any page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.browser.helpers import fill_date, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
D = dt.date


@pytest.fixture
def closed_family(db):
    essex = f.la("881")
    worker = f.UserFactory(username="sw.findfamily", local_authority=essex)
    family = f.FamilyFactory(local_authority=essex, social_worker=worker, name="Fairweather", la_reference="FW-1")
    child = f.ChildFactory(family=family, first_name="Jo", last_name="Fairweather", date_of_birth=D(2019, 8, 23))
    application = f.ProceedingsFactory(
        family=family, issue_date=D(2022, 5, 3), concluded_date=D(2023, 1, 9), court_case_number="CM22C00123"
    )
    f.ChildProceedingsFactory(proceedings=application, child=child)
    f.EpisodeFactory(
        family=family,
        children=[child],
        gateway_meeting_date=D(2024, 1, 8),
        lbp_sent_date=D(2024, 1, 8),
        step_decision_date=D(2024, 4, 30),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    f.MeetingItemFactory(
        family=family,
        meeting=f.TrackerMeetingFactory(local_authority=essex, meeting_date=D(2024, 3, 4)),
        decision=c.MeetingDecision.STEP_DOWN,
        note="Parents engaging; step down to child protection.",
    )
    return family


def accessible_within_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert not serious_accessibility_violations(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_a_social_worker_finds_a_closed_family_and_reopens_it_for_a_repeat_episode(
    page, sign_in, screenshot, closed_family, viewport
):
    width = viewport["width"]
    page.set_viewport_size(viewport)
    sign_in("sw.findfamily", PASSWORD)

    # Found by the child's date of birth, marked closed.
    page.goto(reverse("cases:list"))
    page.get_by_label("Search for a family").fill("23/8/2019")
    page.get_by_role("button", name="Search").click()
    row = page.locator(f'#cases tr[data-case="{closed_family.pk}"]')
    expect(row).to_contain_text("Fairweather")
    expect(row).to_contain_text("Closed")
    accessible_within_the_screen(page)
    screenshot(f"find-family-search-{width}")

    # Opening the same family again: warned, with a link to it.
    page.goto(reverse("cases:new"))
    page.get_by_label("Name", exact=True).fill("Fairweather")
    page.get_by_label("LA reference").fill("FW-2")
    page.get_by_label("Child's first name").fill("Jo")
    page.get_by_label("Child's last name").fill("Fairweather")
    page.get_by_label("LA child ID").fill("FW-C2")
    fill_date(page, "child_date_of_birth", D(2019, 8, 23))
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Open case").click()
    warning = page.locator("#duplicates")
    expect(warning).to_contain_text("This family may already have a case")
    expect(page.get_by_role("button", name="This is a different family: open the new case")).to_be_visible()
    accessible_within_the_screen(page)
    screenshot(f"find-family-duplicate-warning-{width}")
    assert not m.Family.objects.filter(la_reference="FW-2").exists()

    # It is the same family: reopen it for a repeat episode.
    warning.get_by_role("link", name="Fairweather family (FW-1)").click()
    expect(page.locator("#status")).to_contain_text("Closed")
    page.get_by_role("button", name="Reopen for a repeat episode").click()
    expect(page.locator("h1")).to_have_text("Repeat pre-proceedings episode")
    accessible_within_the_screen(page)
    started = timezone.localdate() - dt.timedelta(days=50)
    fill_date(page, "gateway_meeting_date", started)
    page.get_by_label("Jo Fairweather").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Repeat pre-proceedings episode saved")

    # Status, flags and weeks as the tracker has them: 50 days is week 7; no review meeting in 6
    # weeks, no family network meeting by week 6 and the repeat episode are amber.
    expect(page.locator("#status")).to_contain_text("Amber")
    expect(page.locator("#weeks-number")).to_have_text("7")
    expect(page.locator("#flags li")).to_have_count(3)
    expect(page.locator('#flags [data-flag="repeat_episode"]')).to_contain_text("Repeat episode")
    expect(page.locator(".app-episode").first).to_contain_text("Repeat episode")
    expect(page.locator("#episodes-earlier ~ .app-episode")).to_have_count(2)
    accessible_within_the_screen(page)
    screenshot(f"find-family-case-page-{width}")

    # The timeline newest first, by a link.
    page.get_by_role("link", name="Show newest first").click()
    expect(page.locator("#timeline-list li").first).to_contain_text("Pre-proceedings started")
    expect(page.locator("#timeline-list li").last).to_contain_text("Jo Fairweather born")
    expect(page.locator("#timeline-list")).to_contain_text("Tracker meeting decision: Step down")
    screenshot(f"find-family-timeline-newest-{width}")
    assert m.Family.objects.filter(name="Fairweather").count() == 1
