"""Reads for two-factor sign-in: is a user enrolled, their devices, how many recovery codes are left."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import User


def two_factor_enrolled(user: User) -> bool:
    """Whether the user has set up an authenticator app (and so must enter its code to sign in)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
