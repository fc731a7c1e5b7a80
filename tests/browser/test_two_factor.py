"""Two-factor sign-in in a real browser: the first sign-in sets up an authenticator app with a code
computed here from the secret the page shows, and the next sign-in asks for a code again."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.constants import Role
from tests.browser.helpers import serious_accessibility_violations
from tests.support import key_from_secret, next_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password"


def path(page) -> str:
    return urlsplit(page.url).path


def both_widths(page, screenshot, name):
    """Screenshots at desktop width and at 375 px (a small phone), with no serious accessibility failure."""
    assert serious_accessibility_violations(page) == []
    screenshot(f"{name}-desktop")
    page.set_viewport_size({"width": 375, "height": 800})
    # Nothing sideways: the page fits the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 800})


def password_step(page, username):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_it_sets_up_an_authenticator_app_at_the_first_sign_in_and_asks_for_a_code_the_next(
    page, screenshot, django_user_model
):
    user = django_user_model.objects.create_user(username="new.starter", password=PASSWORD, role=Role.BOARD_MEMBER)
    page.goto(reverse("login"))
    both_widths(page, screenshot, "sign-in")

    # First sign-in: the password, then straight to setting up an app.
    password_step(page, "new.starter")
    assert path(page) == reverse("two_factor_set_up")
    assert page.locator("svg.app-qr-code").is_visible()
    both_widths(page, screenshot, "two-factor-set-up")

    # What a person types into their app: the key shown under the QR code.
    key = key_from_secret(page.locator("#authenticator-key").inner_text())
    page.get_by_label("Code from your authenticator app").fill(next_code(key))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

    assert path(page) == reverse("two_factor_recovery_codes")
    assert page.locator("#recovery-codes li").count() == 10
    both_widths(page, screenshot, "two-factor-recovery-codes")
    page.get_by_role("button", name="I have saved my recovery codes").click()
    page.wait_for_load_state()
    assert path(page) == reverse("home")
    assert page.get_by_role("link", name="Your account").is_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # The next sign-in: the password, then the code the app shows (this step's was used to set up).
    password_step(page, "new.starter")
    assert path(page) == reverse("two_factor_code")
    assert page.get_by_role("link", name="Cases").count() == 0  # nothing but signing out before the code
    both_widths(page, screenshot, "two-factor-code")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Enter the code from your authenticator app").fill(next_code(key, device.last_t))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert path(page) == reverse("home")


def test_it_explains_a_wrong_code(page, screenshot, sign_in, django_user_model):
    user = django_user_model.objects.create_user(username="wrong.code", password=PASSWORD, role=Role.BOARD_MEMBER)
    TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    password_step(page, "wrong.code")
    page.get_by_label("Enter the code from your authenticator app").fill("12345")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="The code must be 6 numbers").is_visible()
    assert page.title().startswith("Error: ")
    both_widths(page, screenshot, "two-factor-code-error")
