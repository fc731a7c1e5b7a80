"""API fixtures: service accounts with tokens, and clients that call the API as them or as a person."""

from __future__ import annotations

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.constants import Role
from tests import factories as f
from tests.support import sign_in


def service_account(local_authority, *, role=Role.API_WRITE, username=None):
    """A service account of the LA (no password: it signs in only with a token)."""
    user = f.UserFactory(
        username=username or f"svc.{role}.{local_authority.dfe_code}",
        role=role,
        local_authority=local_authority,
        team=None,
    )
    user.set_unusable_password()
    user.save()
    return user


def token_client(user) -> APIClient:
    """An API client sending a new token of ``user`` (a service account)."""
    _instance, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.token = token
    return client


def session_client(user) -> APIClient:
    """An API client with a person's signed-in, second-factor-verified session."""
    client = APIClient()
    sign_in(client, user)
    return client


@pytest.fixture
def writer(la_a):
    """LA A's read-write service account."""
    return service_account(la_a)


@pytest.fixture
def reader(la_a):
    """LA A's read-only service account."""
    return service_account(la_a, role=Role.API_READ)


@pytest.fixture
def other_writer(la_b):
    return service_account(la_b)


@pytest.fixture
def api(writer):
    """LA A's read-write service account's client."""
    return token_client(writer)
