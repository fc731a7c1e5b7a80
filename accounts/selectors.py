"""Reads for two-factor sign-in (is a user enrolled, their devices, recovery codes left) and for the
LA's service accounts with their API tokens."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from cases import constants as c
from cases.models import User
from cases.permissions import MANAGE_SERVICE_ACCOUNTS, ensure


def two_factor_enrolled(user: User) -> bool:
    """Whether the user has set up an authenticator app (and so must enter its code to sign in)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# What a token of each service role may do, as the pages name it.
SCOPE_LABELS = {c.Role.API_READ: "Read", c.Role.API_WRITE: "Read and write"}


def _with_scope(account: User) -> User:
    account.scope = SCOPE_LABELS.get(account.role, account.get_role_display())
    return account


def _service_accounts(user: User) -> QuerySet[User]:
    """The administrator's own LA's service accounts, each with ``tokens`` (newest first).

    Users are not under row-level security, so the LA is filtered here explicitly. A token shows
    only what is stored: its first characters (``token_key``), when it was made and when it expires.
    """
    ensure(user, MANAGE_SERVICE_ACCOUNTS)
    tokens = AuthToken.objects.only("digest", "token_key", "created", "expiry", "user_id").order_by("-created")
    return (
        User.objects.filter(role__in=sorted(c.SERVICE_ROLES), local_authority_id=user.local_authority_id)
        .select_related("local_authority")
        .prefetch_related(Prefetch("auth_token_set", queryset=tokens, to_attr="tokens"))
    )


def service_accounts(*, user: User) -> list[User]:
    """The LA's service accounts with their tokens, active ones first, by name: two queries in all."""
    return [
        _with_scope(account) for account in _service_accounts(user).order_by("-is_active", "first_name", "username")
    ]


def service_account_get(*, user: User, pk: object) -> User:
    """One of the LA's service accounts with its tokens, else 404 (another LA's is not disclosed)."""
    try:
        return _with_scope(_service_accounts(user).get(pk=pk))
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def service_account_history(*, user: User, account: User) -> list[LogEntry]:
    """What was done to the account and its tokens, by whom and when (the admin log), newest first."""
    ensure(user, MANAGE_SERVICE_ACCOUNTS)
    if account.local_authority_id != user.local_authority_id or account.role not in c.SERVICE_ROLES:
        raise Http404
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User, for_concrete_model=False),
            object_id=str(account.pk),
        )
        .select_related("user")
        .order_by("-action_time", "-pk")
    )
