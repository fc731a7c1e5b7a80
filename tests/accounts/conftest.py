"""Fixtures for sign-in tests: users with a known password (the SMTP server ``smtp_inbox`` is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from cases.constants import Role
from tests import factories as f

PASSWORD = "a long test password"


@pytest.fixture
def worker(la_a):
    """A social worker with a password and no authenticator app yet (their first sign-in)."""
    return f.UserFactory(
        username="sw.twofactor",
        role=Role.SOCIAL_WORKER,
        local_authority=la_a,
        email="sw@example.test",
        password=PASSWORD,
    )
