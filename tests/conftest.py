"""Shared fixtures. Tests run against real PostgreSQL and real Redis.

Personas (as in the style guide): two users of LA A (Essex; read-write and read-only), one user
of LA B (Suffolk) and a board member with no LA.
"""

from __future__ import annotations

import pytest

from cases.constants import Role
from tests import factories as f


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def la_a(db):
    return f.la("881")


@pytest.fixture
def la_b(db):
    return f.la("935")


@pytest.fixture
def social_worker(la_a):
    """Read-write user of LA A."""
    return f.UserFactory(username="sw.essex", role=Role.SOCIAL_WORKER, local_authority=la_a)


@pytest.fixture
def team_manager(la_a):
    return f.UserFactory(username="tm.essex", role=Role.TEAM_MANAGER, local_authority=la_a)


@pytest.fixture
def chair(la_a):
    """Read-only (for case data) user of LA A: a quadrant tracker meeting chair."""
    return f.UserFactory(username="chair.essex", role=Role.QUADRANT_CHAIR, local_authority=la_a)


@pytest.fixture
def other_la_user(la_b):
    """Read-write user of LA B."""
    return f.UserFactory(username="sw.suffolk", role=Role.SOCIAL_WORKER, local_authority=la_b)


@pytest.fixture
def board_member(db):
    return f.UserFactory(username="board", role=Role.BOARD_MEMBER, local_authority=None, team=None)


@pytest.fixture
def analyst(db):
    return f.UserFactory(username="analyst", role=Role.REGIONAL_ANALYST, local_authority=None, team=None)


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests empty every table when they end, reference data included: load it again.

    Reference data comes from data migrations; loading it is idempotent.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from cases import models, reference_data

    if not models.LocalAuthority.objects.exists():
        reference_data.load(apps)
