"""Service-wide pages: sign-in, home, health check and error pages."""

import pytest
from django.urls import reverse

from tests.support import sign_in

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_users_from_home_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_serves_the_sign_in_page_in_govuk_style(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en-GB"' in html
    assert "govuk-skip-link" in html
    assert "govuk-phase-banner" in html
    assert "PLO Tracker" in html
    assert "govuk-header__logotype" not in html  # no crown: not a GOV.UK-hosted service


def test_it_reports_healthy_database_and_redis(client, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_it_reports_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")


def test_it_renders_404_in_service_style(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_it_renders_404_with_the_navigation_for_a_signed_in_user(client, settings, chair):
    # No URL matches, so there is no resolver match for the navigation to mark the current page by.
    settings.DEBUG = False
    sign_in(client, chair)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'aria-current="page"' not in body
    assert 'href="/tracker/"' in body


def test_it_marks_the_current_section_in_the_navigation(client, chair):
    sign_in(client, chair)
    body = client.get(reverse("tracker:list")).content.decode()
    assert 'href="/tracker/" aria-current="page"' in body
    assert 'href="/dashboard/" aria-current="page"' not in body
