"""Signing out: after PLO_IDLE_TIMEOUT_MINUTES without a request, and SESSION_COOKIE_AGE after signing
in however active. The clock is moved, never waited for."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import sign_in

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    """``timezone.now`` for the whole app (sessions and their expiry included), moved by the test."""

    def __init__(self, monkeypatch):
        self.now = START
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def move(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_signed_out(response, client, *, path: str, message: str) -> None:
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={quote(path)}"
    assert not signed_in(client)
    page = client.get(response.url)
    assert message in page.content.decode()
    # Signed out for good: the next request is anonymous too.
    assert client.get(path).status_code == 302
    assert not signed_in(client)


def test_it_keeps_a_user_signed_in_for_exactly_the_idle_time_out(client, clock, social_worker, settings):
    settings.PLO_IDLE_TIMEOUT_MINUTES = 30
    sign_in(client, social_worker)
    assert client.get(reverse("home")).status_code == 200  # 09:00, the last request
    clock.move(minutes=30)
    assert client.get(reverse("home")).status_code == 200  # 09:30: 30 minutes idle is not too long
    clock.move(minutes=30)
    assert client.get(reverse("cases:list")).status_code == 200  # 10:00: counted from 09:30
    assert signed_in(client)


def test_it_signs_out_a_second_after_the_idle_time_out(client, clock, social_worker, settings):
    settings.PLO_IDLE_TIMEOUT_MINUTES = 30
    sign_in(client, social_worker)
    assert client.get(reverse("home")).status_code == 200
    clock.move(minutes=30, seconds=1)
    path = reverse("cases:list") + "?q=Ashdown"
    response = client.get(path)
    assert_signed_out(
        response,
        client,
        path=path,
        message="You were signed out because you had not used PLO Tracker for 30 minutes. Sign in again.",
    )


def test_it_follows_the_idle_time_out_setting(client, clock, social_worker, settings):
    settings.PLO_IDLE_TIMEOUT_MINUTES = 5
    sign_in(client, social_worker)
    client.get(reverse("home"))
    clock.move(minutes=5)
    assert client.get(reverse("home")).status_code == 200
    clock.move(minutes=5, seconds=1)
    assert client.get(reverse("home")).status_code == 302
    assert not signed_in(client)


def test_it_signs_out_at_the_end_of_the_session_however_active(client, clock, social_worker, settings):
    settings.PLO_IDLE_TIMEOUT_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    sign_in(client, social_worker)
    client.get(reverse("home"))  # signed in at 09:00
    # A request every 20 minutes: never idle. 24 x 20 minutes = 8 hours, to 17:00.
    for _ in range(24):
        clock.move(minutes=20)
        assert client.get(reverse("home")).status_code == 200
    assert signed_in(client)
    clock.move(seconds=1)  # 17:00:01, 8 hours and a second after signing in
    path = reverse("tracker:list")
    assert_signed_out(
        client.get(path),
        client,
        path=path,
        message="You were signed out because you signed in more than 8 hours ago. Sign in again.",
    )


def test_it_leaves_anonymous_requests_alone(client, clock):
    assert client.get(reverse("data_dictionary")).status_code == 200
    clock.move(hours=9)
    assert client.get(reverse("data_dictionary")).status_code == 200
    assert "plo_last_activity" not in client.session
