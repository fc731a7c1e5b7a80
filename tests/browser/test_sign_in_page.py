"""The sign-in page in a real browser: GOV.UK styling in Arial, no crown, and a working form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.constants import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_sign_in_page_in_govuk_style_without_the_crown(page, screenshot):
    page.goto(reverse("login"))

    assert page.title() == "Sign in \N{EN DASH} PLO Tracker"
    for selector in ["body", "h1", ".govuk-label", ".govuk-button", ".govuk-service-navigation__service-name"]:
        font = page.locator(selector).first.evaluate("element => getComputedStyle(element).fontFamily")
        assert font.lower().startswith("arial"), f"{selector} is in {font}"
    # GOV.UK Frontend's stylesheet loaded: the button has the (2025 brand) GOV.UK green, not the browser's grey.
    button_colour = page.locator(".govuk-button").evaluate("element => getComputedStyle(element).backgroundColor")
    assert button_colour == "rgb(15, 122, 82)"
    # No crown or GOV.UK logo: this service is not hosted on GOV.UK.
    assert page.locator("svg, .govuk-header__logo, .govuk-header__logotype, .govuk-logo").count() == 0
    assert "GOV.UK" not in page.content()
    # GOV.UK Frontend's JavaScript ran (it marks the body and initialises components).
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")

    assert screenshot("sign-in").stat().st_size > 10_000


def test_it_signs_in_through_the_form(page, sign_in, screenshot, django_user_model):
    django_user_model.objects.create_user(
        username="board.member", password="a long test password", role=Role.BOARD_MEMBER
    )

    sign_in("board.member", "a long test password")

    assert page.url.endswith(reverse("home"))
    sign_out = page.get_by_role("button", name="Sign out")
    assert sign_out.is_visible()
    colour = "element => getComputedStyle(element).color"
    assert sign_out.evaluate(colour) == page.get_by_role("link", name="Home").evaluate(colour)
    screenshot("home")


def test_it_explains_a_failed_sign_in(page, sign_in):
    sign_in("nobody", "wrong password")

    assert page.locator(".govuk-error-summary").get_by_text("Enter a correct username and password").is_visible()
    assert page.title().startswith("Error: ")
