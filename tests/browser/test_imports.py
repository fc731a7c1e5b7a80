"""Importing a tracker in the browser, at 1280 px and 375 px: an LA administrator uploads a CSV,
sees each column with its suggested field and each word with its code, checks the file (nothing
saved), applies it and finds it in the import history. No serious or critical accessibility
violation on any of its pages, and nothing wider than the screen."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases import models as m
from cases.constants import Role
from tests import factories as f
from tests.browser.helpers import serious_accessibility_violations
from tests.cases.imports_support import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password
HEADERS = ["Family ID", "Child ID", "Forename", "Surname", "DOB", "Gender", "LPM date", "PLO start", "Outcome",
           "Date PLO ended"]  # fmt: skip
ROWS = [
    ["FAM-1", "000101", "Ava", "Ashdown", "14/03/2021", "Girl", "02/02/2026", "05/02/2026", "Stepped down",
     "20/07/2026"],
    ["FAM-2", "000102", "Leo", "Brook", "01/09/2023", "Boy", "03/03/2026", "04/03/2026", "", ""],
]  # fmt: skip


def accessible_within_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert not serious_accessibility_violations(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_an_la_administrator_imports_a_tracker(page, sign_in, screenshot, tmp_path, width):
    f.UserFactory(username="admin.imports", role=Role.LA_ADMIN, local_authority=f.la("881"))
    path = tmp_path / "essex-tracker.csv"
    path.write_bytes(csv_bytes([HEADERS, *ROWS]))
    page.set_viewport_size({"width": width, "height": 800})
    sign_in("admin.imports", PASSWORD)

    page.goto(reverse("home"))
    if width > 400:  # at 375 px the navigation is behind the Menu button
        page.get_by_role("link", name="Imports").click()
    else:
        page.goto(reverse("imports:home"))
    expect(page.get_by_role("heading", name="Import a tracker")).to_be_visible()
    accessible_within_the_screen(page)
    page.get_by_label("Tracker file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map the columns").click()

    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()
    expect(page.get_by_label("DOB")).to_have_value("PersonBirthDate")
    expect(page.get_by_label("Girl")).to_have_value("F")
    expect(page.get_by_label("Stepped down")).to_have_value("step_down")
    accessible_within_the_screen(page)
    screenshot(f"imports-mapping-{width}")
    page.get_by_role("button", name="Check the file (nothing is saved)").click()

    expect(page.get_by_role("heading", name="Checked: ready to apply")).to_be_visible()
    assert not m.Family.objects.exists()
    accessible_within_the_screen(page)
    screenshot(f"imports-checked-{width}")
    page.get_by_role("button", name="Apply the import").click()

    expect(page.get_by_role("heading", name="Applied")).to_be_visible()
    assert sorted(m.Child.objects.values_list("la_child_id", "sex")) == [("000101", "F"), ("000102", "M")]
    page.get_by_role("link", name="Back to imports").click()
    expect(page.get_by_role("link", name="essex-tracker.csv")).to_be_visible()
    accessible_within_the_screen(page)
