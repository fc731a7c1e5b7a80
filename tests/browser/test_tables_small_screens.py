"""The case list and tracker on a phone (375 px wide) and a desktop (1280 px): the tables scroll
inside their own region rather than widening the page, and the tracker with its numbered pagination
showing has no serious or critical accessibility violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.constants import Role
from tests import factories as f
from tests.browser.helpers import serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
PAGE_SIZE = 3
CASES = 27  # nine pages of three: page 5 shows 1 ⋯ 4 5 6 ⋯ 9


@pytest.fixture
def caseload(db):
    essex = f.la("881")
    today = timezone.localdate()
    worker = f.UserFactory(
        username="sw.tables", local_authority=essex, first_name="Alexandra", last_name="Fitzwilliam-Smythe"
    )
    f.UserFactory(username="chair.tables", role=Role.QUADRANT_CHAIR, local_authority=essex, password=PASSWORD)
    for n in range(CASES):
        family = f.FamilyFactory(local_authority=essex, social_worker=worker, name=f"Widetablefamily{n:02d}")
        children = [f.ChildFactory(family=family, first_name=f"Christabella{n}"), f.ChildFactory(family=family)]
        start = today - dt.timedelta(weeks=n % 20 + 1)
        f.EpisodeFactory(family=family, children=children, gateway_meeting_date=start, start_date=start)


def document_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_scrolls_inside(page, table: str) -> None:
    """The page is no wider than the screen; the table, wider than its region, scrolls inside it."""
    viewport = page.viewport_size["width"]
    assert document_width(page) <= viewport
    region = page.locator(f".app-table-scroll:has(#{table})")
    expect(region).to_have_attribute("tabindex", "0")
    widths = region.evaluate("r => [r.scrollWidth, r.clientWidth]")
    if viewport == PHONE["width"]:
        assert widths[0] > widths[1], "at 375 px the table is wider than its region and scrolls"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_it_keeps_the_case_list_and_tracker_within_the_screen(
    page, sign_in, screenshot, caseload, viewport, monkeypatch
):
    monkeypatch.setattr("cases.views.tracker.PAGE_SIZE", PAGE_SIZE)
    monkeypatch.setattr("cases.views.cases.PAGE_SIZE", PAGE_SIZE)
    page.set_viewport_size(viewport)
    sign_in("chair.tables", PASSWORD)

    page.goto(reverse("cases:list") + "?scope=all")
    expect(page.locator("#cases tbody tr")).to_have_count(PAGE_SIZE)
    assert_scrolls_inside(page, "cases")
    assert not serious_accessibility_violations(page)
    screenshot(f"tables-case-list-{viewport['width']}")

    page.goto(reverse("tracker:list") + "?page=5")
    expect(page.locator("#tracker tbody tr")).to_have_count(PAGE_SIZE)
    pagination = page.get_by_role("navigation", name="Pagination")
    expect(pagination).to_be_visible()
    expect(pagination.locator("[aria-current=page]")).to_have_text("5")
    expect(pagination.locator("[aria-current=page]")).to_be_visible()
    if viewport == DESKTOP:
        expect(pagination.locator(".govuk-pagination__item")).to_have_text(["1", "⋯", "4", "5", "6", "⋯", "9"])
    assert_scrolls_inside(page, "tracker")
    assert not serious_accessibility_violations(page)
    screenshot(f"tables-tracker-{viewport['width']}")

    # The region takes keyboard focus, so the table can be scrolled with the arrow keys.
    page.locator(".app-table-scroll:has(#tracker)").focus()
    expect(page.locator(".app-table-scroll:has(#tracker)")).to_be_focused()
