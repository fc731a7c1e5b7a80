"""Two-factor sign-in: authenticator app devices and recovery codes (django-otp models).

A user is enrolled when they have a confirmed authenticator app (TOTP) device. Recovery codes are
one django-otp static device per user with single-use tokens: a code is deleted when it is used.
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"


def totp_device_for_set_up(*, user: User) -> TOTPDevice:
    """The user's authenticator app being set up: an unconfirmed device, made with a new secret if none.

    The same secret is shown until a code from it is entered, so reloading the page does not undo a
    QR code already scanned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def two_factor_enrol(*, user: User, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator app a code was entered from and give the user new recovery codes.

    Any other authenticator app of the user's is removed: one app at a time. Returns the codes, to be
    shown once.
    """
    if device.user_id != user.pk:
        raise ValueError("The device belongs to another user.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ``RECOVERY_CODE_COUNT`` new ones; returns them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_device_set(*, user: User, key: str) -> TOTPDevice:
    """Give the user one confirmed authenticator app with the given hex secret (demo users only)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=True)


def sign_in_failures_forget(*, username: str) -> None:
    """Forget the failed sign-ins recorded against a username (django-axes), ending its lock-out."""
    axes_reset(username=username)
