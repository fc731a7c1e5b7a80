"""Who is calling the API, and how often they may.

- People use their browser session, once its second factor is verified (the same rule as every
  page; ``accounts.middleware`` leaves the API to answer 401 itself rather than redirect).
- Case systems and data teams use a service account's token (django-rest-knox): ``Authorization:
  Token plo_...``. Only a hash of the token is stored; it expires (``PLO_API_TOKEN_MAX_DAYS`` at
  most) and an LA administrator can revoke it. Only service accounts hold tokens: a person's user
  with a token is refused. What a token may do is its account's role (read, or read and write).
- The throttle counts requests per token (per user for sessions), in the shared cache.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.throttling import SimpleRateThrottle

from cases import constants as c


class ServiceTokenAuthentication(TokenAuthentication):
    """A service account's token; refused for any other user and for an inactive account."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if user.role not in c.SERVICE_ROLES:
            raise exceptions.AuthenticationFailed(_("Tokens are only for service accounts."))
        return user, token


class VerifiedSessionAuthentication(SessionAuthentication):
    """A person's browser session, only once its second factor is verified (CSRF checked on writes)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        if not getattr(user, "is_verified", lambda: False)():
            return None
        return user, auth


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (a session: per user), at the ``api`` rate of the settings."""

    scope = "api"

    def get_cache_key(self, request, view) -> str | None:
        token = getattr(request, "auth", None)
        if token is not None and hasattr(token, "token_key"):
            ident = f"token:{token.digest[:32]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
