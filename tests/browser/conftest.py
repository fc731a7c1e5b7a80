"""Headless Chromium through Playwright, for journey tests against Django's live server.

Fixtures:
- ``browser``: one Chromium for the whole session (Debian's /usr/bin/chromium; never
  ``playwright install``);
- ``page``: a fresh browser context per test, with ``base_url`` set to the live server, so
  ``page.goto("/sign-in/")`` works;
- ``sign_in``: ``sign_in(username, password)`` signs in through the sign-in form, then enters the
  code an authenticator app would show (computed here from the user's device secret; a user with
  no app is given one first, as if they had set it up before);
- ``screenshot``: ``screenshot(name)`` saves a full-page PNG to artefacts/screenshots/<name>.png.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support import next_code

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls from the test (creating users, checking results) as if they came from async code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artefacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in(page: Page) -> Callable[[str, str], None]:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def sign_in(username: str, password: str) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is not None and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Test authenticator app", confirmed=True)
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if urlsplit(page.url).path == reverse("two_factor_code"):
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            page.get_by_label("Enter the code from your authenticator app").fill(
                next_code(bytes.fromhex(device.key), device.last_t)
            )
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()

    return sign_in


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    def screenshot(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot
