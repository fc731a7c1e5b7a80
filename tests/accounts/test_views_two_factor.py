"""Two-factor sign-in through the pages: setting up an app at the first sign-in, its code at every
sign-in after, recovery codes that work once, and the account page."""

from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from tests.accounts.conftest import PASSWORD
from tests.support import key_from_secret, sign_in, totp

pytestmark = pytest.mark.django_db

STEP = 30  # seconds: the standard TOTP time step, which the devices use


@pytest.fixture(autouse=True)
def clock():
    """The clock stopped 5 seconds into a time step, so no test crosses into the next step by chance."""
    with time_machine.travel(time.time() // STEP * STEP + 5, tick=False) as traveller:
        yield traveller


def password_step(client, user, **extra):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, **extra)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def shown_secret(response) -> str:
    match = re.search(r'id="authenticator-key">([A-Z2-7 ]+)</p>', response.content.decode())
    assert match, "no secret on the page"
    return match.group(1)


def error_text(response) -> str:
    return " ".join(
        re.findall(r'<p id="id_code-error" class="govuk-error-message">(.*?)</p>', response.content.decode())
    )


def enrol(client, user) -> tuple[bytes, list[str]]:
    """The first sign-in, as a person does it: password, add the shown secret to an app, type its code."""
    password_step(client, user)
    page = client.get(reverse("two_factor_set_up"))
    key = key_from_secret(shown_secret(page))
    response = client.post(reverse("two_factor_set_up"), {"code": totp(key)})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_recovery_codes")
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", codes_page)
    return key, codes


def test_it_sends_a_first_sign_in_to_set_up_an_app(client, worker):
    response = password_step(client, worker)
    # Django's sign-in sends them home; the middleware turns them to the set-up page.
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("two_factor_set_up"))


def test_it_shows_a_qr_code_and_the_secret_to_type(client, worker):
    password_step(client, worker)
    response = client.get(reverse("two_factor_set_up"))
    body = response.content.decode()
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=worker)
    assert device.confirmed is False
    # The secret shown is the device's key, in base32 as apps take it.
    assert key_from_secret(shown_secret(response)) == bytes.fromhex(device.key)
    # An inline SVG QR code (no script, no inline style, no image request) with an accessible name.
    svg = re.search(r"<svg[^>]*class=\"app-qr-code\"[^>]*>(.*?)</svg>", body, re.S)
    assert svg, "no QR code"
    assert "<title>QR code for your authenticator app</title>" in svg.group(1)
    assert "style=" not in svg.group(0)
    assert "<script>" not in body
    # The same secret on a reload, so an app that scanned it still works.
    assert shown_secret(client.get(reverse("two_factor_set_up"))) == shown_secret(response)


def test_it_sets_up_the_app_with_a_code_computed_from_the_shown_secret(client, worker):
    key, codes = enrol(client, worker)

    device = TOTPDevice.objects.get(user=worker)
    assert device.confirmed is True
    assert bytes.fromhex(device.key) == key
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # Ten recovery codes shown, and the same ten stored.
    assert len(codes) == services.RECOVERY_CODE_COUNT == 10
    assert sorted(StaticToken.objects.filter(device__user=worker).values_list("token", flat=True)) == sorted(codes)
    # Signed in: pages open.
    assert client.get(reverse("cases:list")).status_code == 200
    # Shown once: the page does not show them again.
    assert client.get(reverse("two_factor_recovery_codes"))["Location"] == reverse("account")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the code from your authenticator app"),
        ("12345", "The code must be 6 numbers"),
        ("abcdef", "The code must be 6 numbers"),
        ("1234567", "The code must be 6 numbers"),
        ("x" * 200, "The code must be 6 numbers"),
    ],
)
def test_it_refuses_a_set_up_code_that_is_not_six_numbers(client, worker, code, message):
    password_step(client, worker)
    client.get(reverse("two_factor_set_up"))
    response = client.post(reverse("two_factor_set_up"), {"code": code})
    assert response.status_code == 200
    assert message in error_text(response)
    assert 'href="#id_code"' in response.content.decode()  # in the error summary, linked to the field
    assert not TOTPDevice.objects.filter(user=worker, confirmed=True).exists()


def test_it_refuses_a_wrong_set_up_code(client, worker):
    password_step(client, worker)
    key = key_from_secret(shown_secret(client.get(reverse("two_factor_set_up"))))
    # A code from three steps ago is outside the one step either side that is allowed.
    stale = totp(key, at=time.time() - 3 * STEP)
    response = client.post(reverse("two_factor_set_up"), {"code": stale})
    assert "The code is not correct or has expired" in error_text(response)
    assert not TOTPDevice.objects.filter(user=worker, confirmed=True).exists()
    assert client.get(reverse("cases:list")).status_code == 302


def test_it_never_lets_a_password_alone_add_an_app(client, worker):
    _key, _codes = enrol(client, worker)
    client.post(reverse("logout"))
    password_step(client, worker)  # someone who knows only the password
    response = client.get(reverse("two_factor_set_up"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_code"))
    client.post(reverse("two_factor_set_up"), {"code": "123456"})
    assert TOTPDevice.objects.filter(user=worker).count() == 1


def test_it_asks_for_the_code_at_the_next_sign_in_and_signs_in_with_it(client, worker):
    key, _codes = enrol(client, worker)
    client.post(reverse("logout"))

    response = password_step(client, worker)
    assert client.get(response["Location"])["Location"].startswith(reverse("two_factor_code"))
    assert client.get(reverse("cases:list")).status_code == 302

    # The code for the next step: the one for this step was used to set up (each code works once),
    # and one step ahead is within the allowed drift.
    response = client.post(reverse("two_factor_code"), {"code": totp(key, at=time.time() + STEP)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("cases:list")).status_code == 200


def test_it_refuses_a_code_used_already(client, worker):
    key, _codes = enrol(client, worker)
    client.post(reverse("logout"))
    password_step(client, worker)
    response = client.post(reverse("two_factor_code"), {"code": totp(key)})  # the one the set-up used
    assert response.status_code == 200
    assert "The code is not correct or has expired" in error_text(response)


def test_it_makes_wrong_codes_wait(client, worker):
    key, _codes = enrol(client, worker)
    client.post(reverse("logout"))
    password_step(client, worker)
    client.post(reverse("two_factor_code"), {"code": "000000" if totp(key) != "000000" else "111111"})
    # Straight after a wrong code even the right one waits a second (django-otp's back-off: 1, 2, 4... s).
    response = client.post(reverse("two_factor_code"), {"code": totp(key, at=time.time() + STEP)})
    assert "You entered a wrong code too many times. Wait 1 second, then try again" in error_text(response)


def test_it_returns_to_the_page_asked_for_after_the_code(client, worker):
    key, _codes = enrol(client, worker)
    client.post(reverse("logout"))
    password_step(client, worker)
    asked = client.get("/tracker/")
    assert asked["Location"] == "/sign-in/code/?next=%2Ftracker%2F"
    page = client.get(asked["Location"]).content.decode()
    assert '<input type="hidden" name="next" value="/tracker/">' in page
    response = client.post(reverse("two_factor_code"), {"code": totp(key, at=time.time() + STEP), "next": "/tracker/"})
    assert response["Location"] == "/tracker/"


def test_it_never_sends_a_user_off_site_after_the_code(client, worker):
    key, _codes = enrol(client, worker)
    client.post(reverse("logout"))
    password_step(client, worker)
    nxt = "https://evil.example/"
    response = client.post(reverse("two_factor_code"), {"code": totp(key, at=time.time() + STEP), "next": nxt})
    assert response["Location"] == reverse("home")


def test_it_signs_in_with_a_recovery_code_once(client, worker):
    _key, codes = enrol(client, worker)
    client.post(reverse("logout"))

    password_step(client, worker)
    response = client.post(reverse("two_factor_recovery_code"), {"code": f"  {codes[3].upper()} "})
    assert response.status_code == 302
    assert "You signed in with a recovery code. You have 9 left." in client.get(reverse("home")).content.decode()
    assert client.get(reverse("cases:list")).status_code == 200
    # 10 codes less the one used.
    assert StaticToken.objects.filter(device__user=worker).count() == 9
    assert not StaticToken.objects.filter(device__user=worker, token=codes[3]).exists()

    client.post(reverse("logout"))
    password_step(client, worker)
    response = client.post(reverse("two_factor_recovery_code"), {"code": codes[3]})
    assert response.status_code == 200
    assert "The recovery code is not correct or has already been used" in error_text(response)
    assert client.get(reverse("cases:list")).status_code == 302


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter a recovery code"),
        ("abc", "A recovery code is 8 letters and numbers"),
        ("abcdefg1", "A recovery code is 8 letters and numbers"),  # 1 is not a base32 character
        ("abcdefgh", "The recovery code is not correct or has already been used"),
    ],
)
def test_it_refuses_a_bad_recovery_code(client, worker, code, message):
    enrol(client, worker)
    client.post(reverse("logout"))
    password_step(client, worker)
    response = client.post(reverse("two_factor_recovery_code"), {"code": code})
    assert response.status_code == 200
    assert message in error_text(response)


def test_it_says_when_the_last_recovery_code_is_used(client, worker):
    enrol(client, worker)
    device = StaticDevice.objects.get(user=worker)
    device.token_set.exclude(pk=device.token_set.first().pk).delete()
    last = device.token_set.get().token
    client.post(reverse("logout"))
    password_step(client, worker)
    client.post(reverse("two_factor_recovery_code"), {"code": last})
    assert "You have used your last recovery code" in client.get(reverse("home")).content.decode()


def test_it_replaces_the_recovery_codes_from_the_account_page(client, worker):
    _key, old = enrol(client, worker)
    page = client.get(reverse("account")).content.decode()
    assert "10 left" in page
    response = client.post(reverse("two_factor_recovery_codes_new"))
    assert response["Location"] == reverse("two_factor_recovery_codes")
    new = re.findall(r"<li>([a-z2-7]{8})</li>", client.get(response["Location"]).content.decode())
    assert len(new) == 10
    stored = set(StaticToken.objects.filter(device__user=worker).values_list("token", flat=True))
    assert stored == set(new)
    assert not stored & set(old)


def test_it_lets_a_verified_user_move_to_a_new_app(client, worker):
    old_key, _codes = enrol(client, worker)
    response = client.get(reverse("two_factor_set_up"))
    assert response.status_code == 200
    assert "Set up a new authenticator app" in response.content.decode()
    new_key = key_from_secret(shown_secret(response))
    assert new_key != old_key
    client.post(reverse("two_factor_set_up"), {"code": totp(new_key)})
    assert [bytes.fromhex(d.key) for d in TOTPDevice.objects.filter(user=worker)] == [new_key]


def test_it_needs_a_signed_in_user_for_the_second_factor_pages(client):
    for name in ("two_factor_set_up", "two_factor_code", "two_factor_recovery_code", "account"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login")), name


def test_it_sends_a_verified_user_on_from_the_code_page(client, social_worker):
    sign_in(client, social_worker)
    assert client.get(reverse("two_factor_code"))["Location"] == reverse("home")
