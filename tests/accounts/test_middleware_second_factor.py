"""No page without the second factor: a session with a password but no code this session reaches only
the sign-in steps and the public pages, for every URL pattern the site has."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.regex_helper import normalize
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import OPEN_BEFORE_SECOND_FACTOR
from tests.support import sign_in

pytestmark = pytest.mark.django_db

# Written out from the brief, not read from the middleware: widening the list must change this test.
PUBLIC_OR_SIGN_IN = {
    "login",
    "logout",
    "two_factor_set_up",
    "two_factor_code",
    "two_factor_recovery_code",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "data_dictionary",
    "healthz",
}

SAMPLE = {"int": "1", "slug": "x", "str": "x", "path": "x/y", "uuid": "00000000-0000-0000-0000-000000000001"}


def _route_to_path(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)


def _regex_to_path(regex: str) -> str:
    template, params = normalize(regex)[0]
    return template % dict.fromkeys(params, "1")


def _piece(pattern) -> str:
    text = str(pattern.pattern)
    if hasattr(pattern.pattern, "_route"):
        return _route_to_path(text)
    return _regex_to_path(pattern.pattern.regex.pattern)


def every_url(resolver=None, prefix="/", namespace=""):
    """(view name, a path that reaches it) for every URL pattern, with sample values for parameters."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        path = prefix + _piece(pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from every_url(pattern, path, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else path), path


ALL_URLS = sorted(set(every_url()))
# The API's description, its documentation page and the data dictionary: public, like the data
# dictionary's page (no case data).
API_DOCUMENTATION = {"api:schema", "api:docs", "api:data_dictionary-list", "api:data_dictionary-detail"}


def test_it_finds_the_sites_url_patterns():
    names = {name for name, _path in ALL_URLS}
    # A sample of each part of the site, so a broken walk cannot pass by finding nothing.
    assert {"home", "cases:detail", "tracker:meeting_print", "board_packs:download", "admin:index"} <= names
    assert len(ALL_URLS) > 50


def test_it_opens_exactly_the_sign_in_and_public_pages_before_the_second_factor():
    assert set(OPEN_BEFORE_SECOND_FACTOR) == PUBLIC_OR_SIGN_IN
    names = {name for name, _path in ALL_URLS}
    assert names >= PUBLIC_OR_SIGN_IN, PUBLIC_OR_SIGN_IN - names


@pytest.mark.parametrize("enrolled", [False, True], ids=["first sign-in", "app set up"])
def test_it_sends_a_password_only_session_to_the_second_factor_from_every_other_url(client, superuser, enrolled):
    # A superuser, so no page would refuse them for their role: only the second factor stops them.
    if enrolled:
        TOTPDevice.objects.create(user=superuser, name="App", confirmed=True)
    client.force_login(superuser)  # the password step only; sign_in would also do the code
    step = reverse("two_factor_code" if enrolled else "two_factor_set_up")
    checked = 0
    for name, path in ALL_URLS:
        if name in PUBLIC_OR_SIGN_IN or name in API_DOCUMENTATION:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if name.startswith("api:"):
                # The API does not redirect: a session without its code is no session to it.
                assert response.status_code == 401, (method, name, path, response.status_code)
                assert response["Content-Type"] == "application/json", (name, path)
                checked += 1
                continue
            if response.status_code == 404 and not response.has_header("Location"):
                # A sample value no pattern takes (e.g. an admin app label): the path is not a page.
                assert name.startswith("admin:"), (name, path)
                continue
            assert response.status_code == 302, (method, name, path, response.status_code)
            assert response["Location"].split("?")[0] == step, (method, name, path, response["Location"])
            checked += 1
    assert checked > 100


def test_it_sends_the_user_back_to_the_page_they_asked_for(client, social_worker):
    client.force_login(social_worker)
    response = client.get("/cases/?q=smith")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/set-up-authenticator-app/?next=%2Fcases%2F%3Fq%3Dsmith"


def test_it_serves_the_public_pages_before_the_second_factor(client, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("data_dictionary")).status_code == 200
    health = client.get(reverse("healthz"))
    assert not health.has_header("Location")
    assert health.json()["database"] == "ok"
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.get(reverse("two_factor_set_up")).status_code == 200


def test_it_shows_only_sign_out_in_the_navigation_before_the_second_factor(client, social_worker):
    client.force_login(social_worker)
    body = client.get(reverse("two_factor_set_up")).content.decode()
    assert "Sign out" in body
    assert 'href="/cases/"' not in body
    assert 'href="/account/"' not in body


def test_it_lets_a_signed_in_user_with_the_second_factor_through(client, social_worker):
    sign_in(client, social_worker)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    assert 'href="/account/"' in response.content.decode()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.test", "pw-for-tests-only")
