"""Read settings from environment variables, refusing malformed values.

Each helper raises ``ImproperlyConfigured`` naming the variable and what a valid
value looks like, so a bad deployment stops at start-up instead of misbehaving later.
"""

from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, or the default when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    """Return a boolean variable; accepts 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, *, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return an integer variable, optionally with lower and upper bounds."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} must be at most {maximum}.")
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    """Return a comma-separated list variable with blanks removed."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """Turn ``postgres://user:pass@host:port/db?host=/socket/dir`` into DATABASES['default']."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must start with postgres:// or postgresql:// (got {parts.scheme or 'no'} scheme), "
            "for example postgres://postgres@127.0.0.1:5432/plo_tracker."
        )
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ImproperlyConfigured(f"{name} must name one database after the host, e.g. .../plo_tracker.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    query = parse_qs(parts.query)
    host = query.pop("host", [parts.hostname or ""])[0]
    options = {key: values[-1] for key, values in query.items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "OPTIONS": options,
    }


def check_redis_url(url: str, *, name: str = "REDIS_URL") -> str:
    """Return the Redis URL after checking its scheme and database number."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name} must start with redis://, rediss:// or unix:// (got {url!r}).")
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ImproperlyConfigured(f"{name} database must be a number after the host, e.g. redis://127.0.0.1:6379/0.")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    return url


def env_port(name: str, *, default: int) -> int:
    """Return a TCP port number: digits only (no sign, spaces or underscores), from 1 to 65535."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    # int() would also take " 80", "+80" and "8_000": a port is written as plain digits.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 65535:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a port number: use a whole number from 1 to 65535.")
    return int(raw)


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def env_host(name: str, *, default: str) -> str:
    """Return a host to listen on: an IPv4 or IPv6 address, or a host name such as localhost."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        pass
    labels = raw.split(".")
    if len(raw) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not an address to listen on: use an IP address such as 127.0.0.1 or ::1, "
            "or a host name such as localhost."
        )
    return raw


def env_hosts_by_code(name: str) -> dict[str, list[str]]:
    """Return hosts per three-digit LA code: ``881=docs.essex.example,.essex.gov.uk;935=dms.suffolk.example``.

    A host starting with a dot also allows its subdomains. Unset or empty: no LA is restricted.
    """
    raw = (os.environ.get(name) or "").strip()
    result: dict[str, list[str]] = {}
    for part in filter(None, (item.strip() for item in raw.split(";"))):
        code, sep, hosts = part.partition("=")
        names = [host.strip().lower() for host in hosts.split(",") if host.strip()]
        valid = all(_HOST_LABEL.fullmatch(label) for host in names for label in host.lstrip(".").split("."))
        if not sep or not (code.strip().isdigit() and len(code.strip()) == 3) or not names or not valid:
            raise ImproperlyConfigured(
                f"{name}={raw!r} is not a list of hosts per LA: use 881=docs.essex.example,.essex.gov.uk;935=..."
            )
        result[code.strip()] = names
    return result
