"""The address a request came from, as the lock-out counts it (``AXES_CLIENT_IP_CALLABLE``).

Behind ``TRUSTED_PROXY_COUNT`` proxies that each append the address they were reached from to
``X-Forwarded-For``, the client is that many entries from the right: entries further left were
written by the client and could be anything. With no trusted proxy it is ``REMOTE_ADDR``. Only the
trusted part of the header is read, so a client cannot dodge the per-address lock-out by sending
a made-up header.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: ``REMOTE_ADDR``, or the entry the nearest trusted proxy wrote."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies == 0 or not forwarded:
        return remote
    # Fewer entries than proxies: the left-most is the furthest any proxy saw.
    entry = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _address(entry) or remote
