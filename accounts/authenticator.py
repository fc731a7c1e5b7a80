"""What an authenticator app is given to set it up (QR code, typed secret), and the code it shows."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def secret_for_display(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app takes it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's ``otpauth://`` set-up address as an inline SVG QR code (no script, no style).

    Dark modules on a white background with the standard quiet zone, so it scans in any theme.
    """
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app", svgclass="app-qr-code"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the only text in it is our title, escaped by segno


def current_code(device: TOTPDevice) -> str:
    """The code the device's authenticator app shows now (demo sign-ins only: ``manage.py demo_code``)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
