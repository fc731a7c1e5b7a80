"""Demo sign-ins keep working with two factors: the demo users share a published authenticator key,
and ``manage.py demo_code`` prints the code an app would show now (development only)."""

from __future__ import annotations

import io
import time

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.management.commands.create_demo_users import DEMO_PASSWORD, DEMO_USERS
from tests.support import key_from_secret, totp

pytestmark = pytest.mark.django_db

# The published demo key, "PLO-Tracker-demo-key" in base32 as create_demo_users prints it.
DEMO_SECRET = "KBGE 6LKU OJQW G23F OIWW IZLN N4WW WZLZ"


@pytest.fixture
def demo_users(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_users", stdout=out)
    return out.getvalue()


def test_it_prints_how_to_get_the_code_with_the_demo_logins(demo_users):
    assert "manage.py demo_code <username>" in demo_users
    assert DEMO_SECRET in demo_users


def test_it_prints_the_code_an_app_with_the_demo_key_shows_now(demo_users, settings):
    with time_machine.travel(time.time() // 30 * 30 + 5, tick=False):
        for username, *_ in DEMO_USERS:
            out = io.StringIO()
            call_command("demo_code", username, stdout=out)
            assert out.getvalue().strip() == totp(key_from_secret(DEMO_SECRET)), username


def test_it_signs_a_demo_user_in_with_the_printed_code(client, demo_users):
    with time_machine.travel(time.time() // 30 * 30 + 5, tick=False):
        client.post(reverse("login"), {"username": "tm.essex", "password": DEMO_PASSWORD})
        out = io.StringIO()
        call_command("demo_code", "tm.essex", stdout=out)
        response = client.post(reverse("two_factor_code"), {"code": out.getvalue().strip()})
        assert response["Location"] == reverse("home")
        assert client.get(reverse("tracker:list")).status_code == 200


def test_it_prints_no_code_outside_debug(demo_users, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("demo_code", "sw.essex")


def test_it_says_when_a_user_has_no_app_or_does_not_exist(settings, worker):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="has not set up an authenticator app"):
        call_command("demo_code", worker.username)
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        call_command("demo_code", "nobody")
