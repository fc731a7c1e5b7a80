"""Helpers shared by tests that are not fixtures."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from base64 import b32decode


def sign_in(client, user) -> None:
    """Sign ``user`` in on a Django test client, past every step of signing in.

    Tests sign in through this, never ``client.force_login`` directly, so that the page tests keep
    testing pages: the user gets an authenticator app (if they have none) and the session is marked
    as having entered its code, as django-otp's ``login`` does after a right code.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator app", confirmed=True)
    from django.utils import timezone

    from plo_tracker.middleware import LAST_ACTIVITY, SIGNED_IN_AT

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As the first request after signing in leaves them, so every request of a test costs the same.
    now = int(timezone.now().timestamp())
    session[LAST_ACTIVITY] = session[SIGNED_IN_AT] = now
    session.save()


def totp(key: bytes, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for ``key`` at Unix time ``at`` (now by default).

    Written here from RFC 6238 (TOTP) and RFC 4226 (HOTP) rather than taken from django-otp, so the
    tests check the service against the standard, not against itself.
    """
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def key_from_secret(secret: str) -> bytes:
    """The key bytes of a base32 secret as shown to type into an app ("KBGE 6LKU ..."), spaces and all."""
    compact = "".join(secret.split()).upper()
    return b32decode(compact + "=" * (-len(compact) % 8))


def next_code(key: bytes, last_step: int = -1, *, step: int = 30) -> str:
    """The code to type now: this time step's, or the next step's when this one's was used already.

    A code works once (``last_step`` is the step of the last one the service took, django-otp's
    ``last_t``), and the service takes the code of one step ahead, as it allows for a phone's clock.
    """
    now_step = int(time.time() // step)
    return totp(key, at=max(now_step, last_step + 1) * step, step=step)


def migrate_to(targets=None):
    """Migrate the test database to ``targets`` (the latest migrations when None); the models as they were there.

    Going forward again recreates views and tables the database roles had privileges on, so the
    roles get them back (as ``manage.py migrate`` does), and the tests that follow see the database
    as it was.
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from plo_tracker.lib import db_roles

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    latest = targets is None
    targets = executor.loader.graph.leaf_nodes() if latest else targets
    executor.migrate(targets)
    if latest:
        connection.ensure_connection()
        db_roles.ensure_roles(connection.connection)
        db_roles.grant_privileges(connection.connection)
    return executor.loader.project_state(targets).apps
