"""Service accounts of an LA and their API tokens: the pages LA administrators manage them on, and
what a token issued there may do against the API (scope, revoking, expiry, deactivation, throttling)."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import selectors, services
from cases import models as m
from cases.api.auth import TokenRateThrottle
from cases.constants import Role
from tests import factories as f
from tests.api.conftest import service_account
from tests.support import sign_in

pytestmark = pytest.mark.django_db

FAMILIES = "/api/v1/families/"
TOKEN = re.compile(r"plo_[A-Za-z0-9]{64}")


@pytest.fixture
def admin(la_a):
    return f.UserFactory(username="admin.essex", role=Role.LA_ADMIN, local_authority=la_a)


@pytest.fixture
def other_admin(la_b):
    return f.UserFactory(username="admin.suffolk", role=Role.LA_ADMIN, local_authority=la_b)


@pytest.fixture
def admin_client(client, admin):
    sign_in(client, admin)
    return client


def api_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def issue(client, account, days: int = 30) -> str:
    """Issue a token on the page and read it off the page that shows it."""
    url = reverse("service_account_token_new", args=[account.pk])
    response = client.post(url, {"days": str(days)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == url
    return TOKEN.search(client.get(url).content.decode()).group()


def error_of(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def unauthorised(response) -> dict:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    return response.json()


# Creating, and the fields' errors ------------------------------------------------------------------


def test_it_creates_an_account_with_the_name_and_scope_of_the_form_and_records_who(admin_client, admin, la_a, caplog):
    caplog.set_level(logging.INFO, logger="accounts.services")
    response = admin_client.post(
        reverse("service_account_new"), {"name": "  Mosaic   nightly sync ", "scope": "api_read"}
    )
    account = m.User.objects.get(first_name="Mosaic nightly sync")
    assert response.status_code == 302
    assert response["Location"] == reverse("service_account", args=[account.pk])
    assert (account.username, account.role, account.local_authority, account.team, account.is_active) == (
        "svc-881-mosaic-nightly-sync",
        Role.API_READ,
        la_a,
        None,
        True,
    )
    assert not account.has_usable_password()
    entry = LogEntry.objects.get(object_id=str(account.pk))
    assert (entry.user, entry.action_flag, entry.change_message) == (admin, ADDITION, "Created with scope read")
    assert "service account svc-881-mosaic-nightly-sync" in caplog.text
    assert "by admin.essex" in caplog.text

    # The same name again: a username of its own.
    admin_client.post(reverse("service_account_new"), {"name": "Mosaic nightly sync", "scope": "api_write"})
    again = m.User.objects.exclude(pk=account.pk).get(first_name="Mosaic nightly sync")
    assert (again.username, again.role) == ("svc-881-mosaic-nightly-sync-2", Role.API_WRITE)

    page = admin_client.get(reverse("service_account", args=[account.pk])).content.decode()
    assert "Created with scope read" in page
    assert f"by {admin.get_full_name()} (admin.essex)" in page


def test_it_names_the_field_of_each_error_and_saves_nothing(admin_client):
    url = reverse("service_account_new")
    response = admin_client.post(url, {"name": " ", "scope": ""})
    assert response.status_code == 200
    assert error_of(response, "name") == ["Enter a name for the service account"]
    assert error_of(response, "scope") == ["Choose what the account may do: read, or read and write"]
    page = response.content.decode()
    assert 'href="#id_name"' in page
    assert 'href="#id_scope_0"' in page

    response = admin_client.post(url, {"name": "N" * 151, "scope": "api_read"})
    assert error_of(response, "name") == ["The name must be 150 characters or fewer"]
    response = admin_client.post(url, {"name": "Extract", "scope": "la_admin"})  # not a service scope
    assert error_of(response, "scope") == ["Choose what the account may do: read, or read and write"]
    assert not m.User.objects.filter(role__in=[Role.API_READ, Role.API_WRITE]).exists()


def test_it_refuses_a_person_scope_to_the_service_itself(admin):
    with pytest.raises(Exception, match="read, or read and write") as refused:
        services.service_account_create(user=admin, name="Sneaky", scope=Role.LA_ADMIN)
    assert refused.value.message_dict == {"scope": ["Choose what the account may do: read, or read and write"]}
    assert not m.User.objects.filter(first_name="Sneaky").exists()


# Scope -------------------------------------------------------------------------------------------


def test_it_changes_the_scope_and_the_tokens_follow_it(admin_client, admin, la_a):
    account = service_account(la_a, role=Role.API_READ, username="svc-881-extract")
    token = issue(admin_client, account)
    url = reverse("service_account_scope", args=[account.pk])
    assert 'value="api_read" checked' in admin_client.get(url).content.decode()
    assert (
        api_client(token).post(FAMILIES, {"la_reference": "F-1", "name": "Ashdown"}, format="json").status_code == 403
    )

    response = admin_client.post(url, {"scope": "api_write"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.role == Role.API_WRITE
    assert LogEntry.objects.filter(
        object_id=str(account.pk),
        user=admin,
        action_flag=CHANGE,
        change_message="Scope changed from read to read and write",
    ).exists()
    response = api_client(token).post(FAMILIES, {"la_reference": "F-1", "name": "Ashdown"}, format="json")
    assert response.status_code == 201, response.json()

    response = admin_client.post(url, {"scope": "api_everything"})
    assert error_of(response, "scope") == ["Choose what the account may do: read, or read and write"]
    account.refresh_from_db()
    assert account.role == Role.API_WRITE


# Tokens: issued once, then usable; the days -------------------------------------------------------


def test_it_offers_90_days_capped_at_the_setting(admin_client, la_a, settings):
    account = service_account(la_a)
    url = reverse("service_account_token_new", args=[account.pk])
    assert admin_client.get(url).context["form"]["days"].value() == 90
    settings.PLO_API_TOKEN_MAX_DAYS = 30
    assert admin_client.get(url).context["form"]["days"].value() == 30


def test_it_shows_a_new_token_once_and_it_works_against_the_api(admin_client, admin, la_a):
    account = service_account(la_a, username="svc-881-mosaic")
    family = f.FamilyFactory(local_authority=la_a, la_reference="FAM-77")
    url = reverse("service_account_token_new", args=[account.pk])
    issued_at = timezone.now().replace(microsecond=0)
    with time_machine.travel(issued_at, tick=False):
        response = admin_client.post(url, {"days": "30"})
    assert (response.status_code, response["Location"]) == (302, url)
    stored = AuthToken.objects.get(user=account)
    assert stored.expiry == issued_at + dt.timedelta(days=30)

    shown = admin_client.get(url)
    page = shown.content.decode()
    token = TOKEN.search(page).group()
    assert "Copy it now; it will not be shown again" in page
    assert f'curl -H "Authorization: Token {token}" http://testserver/api/v1/families/' in page
    assert "no-store" in shown["Cache-Control"]
    assert token.startswith(stored.token_key)
    assert token not in stored.digest

    again = admin_client.get(url).content.decode()
    assert token not in again
    assert TOKEN.search(again) is None
    assert "How many days should the token last?" in again
    assert token not in admin_client.get(reverse("service_account", args=[account.pk])).content.decode()

    response = api_client(token).get(FAMILIES)
    assert response.status_code == 200
    assert [row["la_reference"] for row in response.json()["results"]] == [family.la_reference]
    assert LogEntry.objects.filter(
        object_id=str(account.pk), user=admin, change_message__startswith=f"Token {token[:8]} issued, expires"
    ).exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "Enter a number of days from 1 to 90"),
        ("91", "Enter a number of days from 1 to 90"),
        ("", "Enter how many days the token should last"),
        ("ten", "The number of days must be a whole number, like 90"),
    ],
)
def test_it_refuses_a_token_life_out_of_bounds_on_the_days_field(admin_client, la_a, days, message):
    account = service_account(la_a)
    response = admin_client.post(reverse("service_account_token_new", args=[account.pk]), {"days": days})
    assert response.status_code == 200
    assert error_of(response, "days") == [message]
    assert not AuthToken.objects.exists()


def test_it_refuses_a_life_longer_than_the_setting_in_the_service_too(admin, la_a, settings):
    settings.PLO_API_TOKEN_MAX_DAYS = 7
    account = service_account(la_a)
    with pytest.raises(Exception, match="from 1 to 7") as refused:
        services.service_token_issue(user=admin, account=account, days=8)
    assert list(refused.value.message_dict) == ["days"]
    instance, _token = services.service_token_issue(user=admin, account=account, days=7)
    assert instance.expiry - instance.created == pytest.approx(dt.timedelta(days=7), abs=dt.timedelta(seconds=5))


# Tokens that stop working ---------------------------------------------------------------------------

INVALID_TOKEN = {
    "type": "client_error",
    "errors": [{"code": "authentication_failed", "detail": "Invalid token.", "attr": None}],
}


def test_it_revokes_a_token_at_once_and_keeps_the_others(admin_client, admin, la_a):
    account = service_account(la_a)
    kept, revoked = issue(admin_client, account), issue(admin_client, account)
    digest = AuthToken.objects.get(token_key=revoked[:15]).digest
    page = admin_client.get(reverse("service_account", args=[account.pk])).content.decode()
    assert f'data-token="{revoked[:8]}"' in page
    assert f'data-token="{kept[:8]}"' in page

    response = admin_client.post(reverse("service_account_token_revoke", args=[account.pk]), {"token": digest})
    assert response.status_code == 302
    assert list(AuthToken.objects.values_list("token_key", flat=True)) == [kept[:15]]
    assert unauthorised(api_client(revoked).get(FAMILIES)) == INVALID_TOKEN
    assert api_client(kept).get(FAMILIES).status_code == 200
    assert LogEntry.objects.filter(user=admin, change_message=f"Token {revoked[:8]} revoked").exists()


def test_it_refuses_an_expired_token(admin_client, la_a):
    account = service_account(la_a)
    token = issue(admin_client, account, days=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert unauthorised(api_client(token).get(FAMILIES)) == INVALID_TOKEN
    assert not AuthToken.objects.exists()  # knox removes it


def test_it_deactivates_an_account_after_asking_and_revokes_its_tokens(admin_client, admin, la_a):
    account = service_account(la_a)
    token = issue(admin_client, account)
    url = reverse("service_account_deactivate", args=[account.pk])
    confirm = admin_client.get(url).content.decode()
    assert "Are you sure you want to deactivate this service account?" in confirm
    assert api_client(token).get(FAMILIES).status_code == 200
    account.refresh_from_db()
    assert account.is_active  # asking changes nothing

    response = admin_client.post(url)
    assert (response.status_code, response["Location"]) == (302, reverse("service_accounts"))
    account.refresh_from_db()
    assert account.is_active is False
    assert not AuthToken.objects.filter(user=account).exists()
    assert unauthorised(api_client(token).get(FAMILIES)) == INVALID_TOKEN
    assert LogEntry.objects.filter(user=admin, change_message="Deactivated; 1 token revoked").exists()

    page = admin_client.get(reverse("service_account", args=[account.pk])).content.decode()
    assert "Deactivated" in page
    assert "Issue a token" not in page
    response = admin_client.post(reverse("service_account_token_new", args=[account.pk]), {"days": "30"})
    assert response.context["form"].non_field_errors() == [
        "This service account has been deactivated: it cannot have tokens"
    ]
    assert not AuthToken.objects.exists()


def test_it_refuses_a_token_of_a_deactivated_account_even_if_one_is_left(la_a):
    account = service_account(la_a)
    _instance, token = AuthToken.objects.create(user=account)
    m.User.objects.filter(pk=account.pk).update(is_active=False)
    body = unauthorised(api_client(token).get(FAMILIES))
    assert body["errors"][0]["code"] == "authentication_failed"


def test_it_refuses_writes_to_a_read_token(admin_client, la_a):
    account = service_account(la_a, role=Role.API_READ)
    token = issue(admin_client, account)
    response = api_client(token).post(FAMILIES, {"la_reference": "F-1", "name": "Ashdown"}, format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == "Your role can view cases but not change them."
    assert not m.Family.objects.exists()


def test_it_refuses_a_token_held_by_a_person(social_worker):
    _instance, token = AuthToken.objects.create(user=social_worker)
    body = unauthorised(api_client(token).get(FAMILIES))
    assert body["errors"] == [
        {"code": "authentication_failed", "detail": "Tokens are only for service accounts.", "attr": None}
    ]


# Throttling ---------------------------------------------------------------------------------------


def test_it_throttles_each_token_on_its_own_in_the_shared_redis_cache(la_a, monkeypatch, settings):
    # The shared Redis cache (the project's RedisCache that outlives a Redis outage), not a local one.
    assert settings.CACHES["default"]["BACKEND"] == "plo_tracker.cache.ResilientRedisCache"
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/minute"})
    busy_token = AuthToken.objects.create(user=service_account(la_a))[1]
    other_token = AuthToken.objects.create(user=service_account(la_a, role=Role.API_READ))[1]
    busy, other = api_client(busy_token), api_client(other_token)
    key = f"throttle_api_token:{AuthToken.objects.get(token_key=busy_token[:15]).digest[:32]}"
    try:
        assert [busy.get(FAMILIES).status_code for _ in range(3)] == [200, 200, 200]
        refused = busy.get(FAMILIES)
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 60
        assert refused.json()["errors"][0]["code"] == "throttled"
        assert other.get(FAMILIES).status_code == 200
        assert len(caches["default"].get(key)) == 3  # the history is in Redis, for every worker to see
    finally:
        caches["default"].delete(key)


# Who may, and which LA's --------------------------------------------------------------------------


def test_it_refuses_everyone_but_la_administrators(client, social_worker, team_manager, la_a):
    account = service_account(la_a)
    for person in (social_worker, team_manager):
        sign_in(client, person)
        assert client.get(reverse("service_accounts")).status_code == 403
        response = client.post(reverse("service_account_new"), {"name": "Mine", "scope": "api_write"})
        assert response.status_code == 403
        assert client.post(reverse("service_account_token_new", args=[account.pk]), {"days": "5"}).status_code == 403
    assert not m.User.objects.filter(first_name="Mine").exists()
    assert not AuthToken.objects.exists()
    with pytest.raises(PermissionDenied):
        services.service_token_issue(user=social_worker, account=account, days=5)
    with pytest.raises(PermissionDenied):
        selectors.service_accounts(user=social_worker)


def test_it_treats_another_las_account_as_one_that_does_not_exist(admin_client, admin, la_b, other_admin):
    theirs = service_account(la_b, username="svc-935-sync")
    instance, _token = services.service_token_issue(user=other_admin, account=theirs, days=10)
    for name in ("service_account", "service_account_token_new", "service_account_scope", "service_account_deactivate"):
        assert admin_client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
    assert admin_client.post(reverse("service_account_deactivate", args=[theirs.pk])).status_code == 404
    assert admin_client.post(reverse("service_account_token_new", args=[theirs.pk]), {"days": "5"}).status_code == 404
    revoke = reverse("service_account_token_revoke", args=[theirs.pk])
    assert admin_client.post(revoke, {"token": instance.digest}).status_code == 404
    with pytest.raises(Http404):
        services.service_token_revoke(user=admin, token_digest=instance.digest)
    with pytest.raises(Http404):
        services.service_account_scope_set(user=admin, account=theirs, scope=Role.API_READ)
    theirs.refresh_from_db()
    assert (theirs.is_active, theirs.role, AuthToken.objects.filter(user=theirs).count()) == (True, Role.API_WRITE, 1)
    assert "svc-935-sync" not in admin_client.get(reverse("service_accounts")).content.decode()


def test_it_treats_a_person_as_no_service_account(admin_client, social_worker):
    assert admin_client.get(reverse("service_account", args=[social_worker.pk])).status_code == 404
    assert admin_client.post(reverse("service_account_deactivate", args=[social_worker.pk])).status_code == 404
    social_worker.refresh_from_db()
    assert social_worker.is_active


# The list -----------------------------------------------------------------------------------------


def test_it_lists_the_las_accounts_with_their_tokens_in_a_fixed_number_of_queries(
    admin_client, admin, la_a, django_assert_num_queries
):
    def add(number: int) -> None:
        account = services.service_account_create(user=admin, name=f"Sync {number}", scope=Role.API_WRITE)
        services.service_token_issue(user=admin, account=account, days=number)

    add(1)
    with django_assert_num_queries(2):
        assert len(selectors.service_accounts(user=admin)) == 1
    add(2)
    add(3)
    with django_assert_num_queries(2):
        accounts = selectors.service_accounts(user=admin)
    assert [(a.first_name, a.scope, len(a.tokens)) for a in accounts] == [
        ("Sync 1", "Read and write", 1),
        ("Sync 2", "Read and write", 1),
        ("Sync 3", "Read and write", 1),
    ]
    page = admin_client.get(reverse("service_accounts")).content.decode()
    for account in accounts:
        token = account.tokens[0]
        assert f'data-token="{token.token_key[:8]}"' in page
        assert timezone.localtime(token.expiry).strftime("%-d %b %Y %H:%M") in page
        assert account.username in page
    assert "Read and write" in page
    assert "Active" in page


def test_it_shows_the_page_in_the_navigation_of_la_administrators_only(client, admin, social_worker):
    sign_in(client, admin)
    assert 'href="/service-accounts/"' in client.get(reverse("home")).content.decode()
    sign_in(client, social_worker)
    assert 'href="/service-accounts/"' not in client.get(reverse("home")).content.decode()
