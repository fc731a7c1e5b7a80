"""Shared fixtures. Tests run against real PostgreSQL and real Redis.

Personas (as in the style guide): two users of LA A (Essex; read-write and read-only), one user
of LA B (Suffolk) and a board member with no LA. ``smtp_inbox`` is a real local SMTP server
(aiosmtpd) that Django's SMTP backend sends to, for the password reset and reminder emails.
"""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

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


@pytest.fixture(scope="session")
def database_roles(django_db_setup, django_db_blocker):
    """The app and maintenance roles exist, with their privileges on the test database (as ``manage.py db_roles``).

    The tables stay the test runner's (the superuser's); only the privileges are granted.
    """
    from django.db import connection

    from plo_tracker.lib import db_roles

    with django_db_blocker.unblock():
        connection.ensure_connection()
        db_roles.ensure_roles(connection.connection)
        db_roles.grant_privileges(connection.connection)
    return db_roles


def _run_as(role: str):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    yield role
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    except Exception:  # noqa: BLE001 - a failed transaction: the test's rollback resets the role
        if not connection.in_atomic_block:
            connection.close()  # never hand the next test a connection still running as the role


@pytest.fixture
def as_app_role(db, database_roles):
    """The test's database work runs as the app role from here on (SET ROLE): row-level security applies.

    Data made before it is the superuser's; requests through the test client set the LA as they do
    when served (cases.middleware).
    """
    yield from _run_as(database_roles.APP_ROLE)


@pytest.fixture
def as_maintenance_role(db, database_roles):
    """The test's database work runs as the maintenance role from here on (SET ROLE)."""
    yield from _run_as(database_roles.MAINTENANCE_ROLE)


class Inbox:
    """Collects what the SMTP server is sent, parsed as email messages."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()
