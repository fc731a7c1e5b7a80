"""Two-factor sign-in, and the LA's service accounts with their API tokens.

A user is enrolled when they have a confirmed authenticator app (TOTP) device. Recovery codes are
one django-otp static device per user with single-use tokens: a code is deleted when it is used.

A service account is a user with a service role (``SERVICE_ROLES``: its tokens' scope), an LA, an
unusable password and a display name in ``first_name``. Its tokens are django-rest-knox's: only a
hash is stored, each expires, and revoking one deletes it. Users are not change-tracked
(pghistory), so each change to an account or its tokens is logged at INFO and recorded in Django's
admin log (``LogEntry``: who, when, what), which the account's page lists.
"""

from __future__ import annotations

import datetime as dt
import logging

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.text import slugify
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import selectors
from cases import constants as c
from cases.models import User
from cases.permissions import MANAGE_SERVICE_ACCOUNTS, ensure

logger = logging.getLogger(__name__)

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


# ---------------------------------------------------------------------------
# Service accounts and their API tokens
# ---------------------------------------------------------------------------

SCOPE_LABELS = selectors.SCOPE_LABELS
# A new token's life unless the administrator picks another (never more than the setting).
DEFAULT_TOKEN_DAYS = 90
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length
USERNAME_PREFIX = "svc"


def default_token_days() -> int:
    """The life offered for a new token: ``DEFAULT_TOKEN_DAYS``, or the most the settings allow if less."""
    return min(DEFAULT_TOKEN_DAYS, settings.PLO_API_TOKEN_MAX_DAYS)


def _own(user: User, account: User) -> User:
    """The account, fetched again as the administrator's own LA's service account (else 404)."""
    return selectors.service_account_get(user=user, pk=account.pk)


def _record(user: User, account: User, action_flag: int, message: str) -> None:
    """Who changed which service account, and how: a log line and an entry in the admin log."""
    logger.info(
        "service account %s (%s, LA %s): %s by %s",
        account.username,
        account.pk,
        account.local_authority_id,
        message,
        user.username,
    )
    LogEntry.objects.log_actions(user.pk, [account], action_flag, message)


def _scope_checked(scope: object) -> c.Role:
    if scope not in c.SERVICE_ROLES:
        raise ValidationError({"scope": "Choose what the account may do: read, or read and write"})
    return c.Role(scope)


def _username_for(user: User, name: str) -> str:
    """``svc-<LA DfE code>-<name as a slug>``, with ``-2``, ``-3``... if that is taken."""
    base = f"{USERNAME_PREFIX}-{user.local_authority.dfe_code}-{slugify(name)[:60].strip('-') or 'account'}"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def service_account_create(*, user: User, name: str, scope: str) -> User:
    """A new service account of the administrator's LA, named ``name``, with the scope's role.

    It has an unusable password: it never signs in to the pages, only calls the API with a token.
    """
    ensure(user, MANAGE_SERVICE_ACCOUNTS)
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the service account"
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"The name must be {NAME_MAX_LENGTH} characters or fewer"
    try:
        role = _scope_checked(scope)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    account = User(
        username=_username_for(user, name),
        first_name=name,
        role=role,
        local_authority_id=user.local_authority_id,
        team=None,
    )
    account.set_unusable_password()
    account.save()
    _record(user, account, ADDITION, f"Created with scope {SCOPE_LABELS[role].lower()}")
    return account


@transaction.atomic
def service_account_scope_set(*, user: User, account: User, scope: str) -> User:
    """Change what the account's tokens may do: its role. Its tokens keep working, with the new scope."""
    account = _own(user, account)
    role = _scope_checked(scope)
    if not account.is_active:
        raise ValidationError({NON_FIELD_ERRORS: "This service account has been deactivated"})
    if account.role != role:
        before = SCOPE_LABELS[c.Role(account.role)].lower()
        account.role = role
        account.save(update_fields=["role"])
        _record(user, account, CHANGE, f"Scope changed from {before} to {SCOPE_LABELS[role].lower()}")
    return account


@transaction.atomic
def service_account_deactivate(*, user: User, account: User) -> User:
    """Switch the account off for good: inactive (any token it holds is refused) and every token deleted."""
    account = _own(user, account)
    revoked = AuthToken.objects.filter(user=account).delete()[0]
    if account.is_active:
        account.is_active = False
        account.save(update_fields=["is_active"])
        _record(user, account, CHANGE, f"Deactivated; {revoked} token{'s' if revoked != 1 else ''} revoked")
    return account


@transaction.atomic
def service_token_issue(*, user: User, account: User, days: int) -> tuple[AuthToken, str]:
    """A new token for the account, lasting ``days`` (1 to ``PLO_API_TOKEN_MAX_DAYS``).

    Returns the stored token (a hash and the first characters only) and the token itself, which is
    shown once and never again: it cannot be recovered from what is stored.
    """
    account = _own(user, account)
    most = settings.PLO_API_TOKEN_MAX_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= most:
        raise ValidationError({"days": f"Enter a number of days from 1 to {most}"})
    if not account.is_active:
        raise ValidationError({NON_FIELD_ERRORS: "This service account has been deactivated: it cannot have tokens"})
    instance, token = AuthToken.objects.create(user=account, expiry=dt.timedelta(days=days))
    _record(
        user,
        account,
        CHANGE,
        f"Token {instance.token_key[:8]} issued, expires {instance.expiry:%Y-%m-%d %H:%M %Z}",
    )
    return instance, token


@transaction.atomic
def service_token_revoke(*, user: User, token_digest: str) -> User:
    """Delete one token of a service account of the administrator's LA (else 404); returns the account."""
    ensure(user, MANAGE_SERVICE_ACCOUNTS)
    instance = (
        AuthToken.objects.select_related("user")
        .filter(
            digest=token_digest,
            user__role__in=sorted(c.SERVICE_ROLES),
            user__local_authority_id=user.local_authority_id,
        )
        .first()
    )
    if instance is None:
        raise Http404
    account = instance.user
    instance.delete()
    _record(user, account, CHANGE, f"Token {instance.token_key[:8]} revoked")
    return account
