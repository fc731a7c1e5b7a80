"""Lock-out (django-axes): after the failure limit, signing in is refused for the cool-off, per account
(from any address) and per address (for any account), on the site's sign-in and the admin's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.addresses import client_address
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 3  # failures for one account
ADDRESS_LIMIT = 6  # failures from one address, for any accounts
COOL_OFF = dt.timedelta(minutes=10)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def limits(settings):
    """A limit and cool-off set here, so the numbers below are worked from them by hand."""
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.PLO_SIGN_IN_ADDRESS_FAILURE_LIMIT = ADDRESS_LIMIT
    settings.AXES_COOLOFF_TIME = COOL_OFF
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def attempt(client, username, password, address="192.0.2.1", url=None, **extra):
    url = url or reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def locked(response) -> bool:
    return response.status_code == 429 and "You cannot sign in for 10 minutes" in response.content.decode()


def test_it_locks_an_account_at_the_limit_and_releases_it_after_the_cool_off(client, worker, clock):
    # Failures 1 and 2 of 3: the form says the details are wrong.
    for _ in range(LIMIT - 1):
        response = attempt(client, worker.username, "wrong password")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    # Failure 3 reaches the limit: the lock-out page.
    assert locked(attempt(client, worker.username, "wrong password"))
    # Now even the right password is refused, from this address and from any other.
    assert locked(attempt(client, worker.username, PASSWORD))
    assert locked(attempt(client, worker.username, PASSWORD, address="198.51.100.7"))
    assert "_auth_user_id" not in client.session

    # 10 minutes less a second after the last attempt: still locked (and that attempt restarts the 10 minutes).
    clock.shift(COOL_OFF - SECOND)
    assert locked(attempt(client, worker.username, PASSWORD))
    # 10 minutes and a second after that one: the cool-off has passed with no attempt, so it is released.
    clock.shift(COOL_OFF + SECOND)
    assert signed_in(attempt(client, worker.username, PASSWORD))


def test_it_locks_an_account_whose_failures_come_from_many_addresses(client, worker, clock):
    for n in range(LIMIT):
        attempt(client, worker.username, "wrong password", address=f"203.0.113.{n + 1}")
    # Three failures from three addresses make three for the account: a fourth address is refused.
    assert locked(attempt(client, worker.username, PASSWORD, address="203.0.113.99"))


def test_it_locks_an_address_whose_failures_are_for_many_accounts(client, worker, clock):
    # Five failures from one address, one each for five other usernames: under both limits.
    for n in range(ADDRESS_LIMIT - 1):
        assert attempt(client, f"guess{n}", "wrong password", address="192.0.2.50").status_code == 200
    # The sixth reaches the address's limit of 6, though no account has more than 1 failure...
    assert locked(attempt(client, "guess5", "wrong password", address="192.0.2.50"))
    # ...and now that address can sign in no one,
    assert locked(attempt(client, worker.username, PASSWORD, address="192.0.2.50"))
    # while the same person from another address signs in (their account has no failures).
    assert signed_in(attempt(client, worker.username, PASSWORD, address="192.0.2.51"))


def test_it_lets_an_office_sharing_an_address_make_a_few_mistakes(client, worker, clock):
    # Five people behind one address each mistype once: 5 failures, under the address limit of 6.
    for n in range(ADDRESS_LIMIT - 1):
        attempt(client, f"colleague{n}", "wrong password", address="192.0.2.60")
    assert signed_in(attempt(client, worker.username, PASSWORD, address="192.0.2.60"))


def test_it_counts_no_failure_for_a_right_password(client, worker, clock):
    for _ in range(LIMIT - 1):
        attempt(client, worker.username, "wrong password")
    assert signed_in(attempt(client, worker.username, PASSWORD))


def test_it_locks_the_admin_sign_in_too(client, django_user_model, clock):
    django_user_model.objects.create_superuser("root", "root@example.test", PASSWORD)
    admin_login = reverse("admin:login")
    for _ in range(LIMIT - 1):
        assert attempt(client, "root", "wrong password", url=admin_login).status_code == 200
    assert locked(attempt(client, "root", "wrong password", url=admin_login))
    assert locked(attempt(client, "root", PASSWORD, url=admin_login))
    # One count for both doors: the service's own sign-in is refused for the account as well.
    assert locked(attempt(client, "root", PASSWORD, address="198.51.100.8"))
    clock.shift(COOL_OFF + SECOND)
    assert signed_in(attempt(client, "root", PASSWORD, url=admin_login))


def test_it_explains_the_lock_out_in_govuk_style(client, worker, clock):
    for _ in range(LIMIT):
        response = attempt(client, worker.username, "wrong password")
    body = response.content.decode()
    assert response.status_code == 429
    assert "<title>You cannot sign in for 10 minutes \N{EN DASH} PLO Tracker</title>" in body
    assert '<h1 class="govuk-heading-l">You cannot sign in for 10 minutes</h1>' in body
    assert f'href="{reverse("password_reset")}"' in body
    assert worker.username not in body  # the page does not confirm which account exists


def test_it_counts_the_address_the_trusted_proxy_saw(client, worker, settings, clock):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client makes up the left of X-Forwarded-For; the proxy appends the address it saw (right-most).
    for n in range(ADDRESS_LIMIT):
        attempt(client, f"guess{n}", "wrong", address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 192.0.2.77")
    assert locked(
        attempt(
            client, worker.username, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.200, 192.0.2.77"
        )
    )
    # Someone else behind the same proxy is not locked out.
    assert signed_in(attempt(client, worker.username, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.78"))


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "address"),
    [
        (0, "192.0.2.1", None, "192.0.2.1"),
        (0, "192.0.2.1", "203.0.113.5", "192.0.2.1"),  # no trusted proxy: the header is the client's own words
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # left entries made up by the client
        (2, "10.0.0.3", "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "10.0.0.3", "203.0.113.5", "203.0.113.5"),  # fewer entries than proxies: the left-most
        (1, "10.0.0.2", None, "10.0.0.2"),  # no header at all: the connection's address
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_it_reads_the_client_address_past_the_trusted_proxies(settings, proxies, remote, forwarded, address):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    assert client_address(request) == address
