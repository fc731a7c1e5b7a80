"""Service-wide request middleware: the Permissions-Policy header, no caching of anything a signed-in
user is sent, and signing out after a spell of inactivity or at the end of the session's life.

The Content-Security-Policy header comes from django-csp (``CONTENT_SECURITY_POLICY`` in settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

# Session keys (seconds since the epoch): the last request of a signed-in user, and when they signed in.
LAST_ACTIVITY = "plo_last_activity"
SIGNED_IN_AT = "plo_signed_in_at"
# How stale the recorded last activity may be: the idle time-out is counted to the minute.
ACTIVITY_RESOLUTION_SECONDS = 60

IDLE_MESSAGE = "You were signed out because you had not used PLO Tracker for {minutes} minutes. Sign in again."
EXPIRED_MESSAGE = "You were signed out because you signed in more than {hours} hours ago. Sign in again."


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": []}`` as the header value ``camera=()``; ``"self"`` stays bare, origins are quoted."""

    def allowlist(origins: list[str]) -> str:
        return " ".join(origin if origin in {"self", "*"} else f'"{origin}"' for origin in origins)

    return ", ".join(f"{feature}=({allowlist(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """Send ``PLO_PERMISSIONS_POLICY``: browser features the service never uses (camera, microphone,
    location and so on) are off for its pages and anything they could embed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PLO_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class SignedInNoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user.

    Pages, CSV and Excel exports, printed records and board pack downloads alike: nothing a signed-in
    user is sent is kept by the browser or a proxy, so no view can forget it. A view that already
    said ``no-store`` (``never_cache``) keeps its own header; any other ``Cache-Control`` a view
    set gains ``no-store``. Static files are served before this runs and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    """Sign a user out after ``PLO_IDLE_TIMEOUT_MINUTES`` without a request, and ``SESSION_COOKIE_AGE``
    seconds after signing in however active they are.

    The session records the time of each request; the next request after a longer gap signs the
    user out and sends them to the sign-in page with a message saying why, then back to the page
    they asked for. Because the session is saved on every request, its stored expiry alone would
    slide; the sign-in time kept here makes the absolute limit hold.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = int(timezone.now().timestamp())
        if request.user.is_authenticated:
            reason = self._expired(request.session, now)
            if reason:
                logout(request)
                messages.info(request, reason)
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # After the view, so the request that signs a user in starts their clocks. Only for a user
        # signed in by this session: an API call with a token (its user set by DRF) has no session.
        if request.user.is_authenticated and SESSION_KEY in request.session:
            # Kept to the minute: saving the session on every request would cost a write each time.
            if now - request.session.get(LAST_ACTIVITY, 0) >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY] = now
            request.session.setdefault(SIGNED_IN_AT, now)
        return response

    @staticmethod
    def _expired(session, now: int) -> str | None:
        """Why the session has ended (its message), or None while it is current."""
        idle_limit = settings.PLO_IDLE_TIMEOUT_MINUTES * 60
        last = session.get(LAST_ACTIVITY)
        if last is not None and now - last > idle_limit:
            return IDLE_MESSAGE.format(minutes=settings.PLO_IDLE_TIMEOUT_MINUTES)
        signed_in = session.get(SIGNED_IN_AT)
        if signed_in is not None and now - signed_in > settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE / 3600
            return EXPIRED_MESSAGE.format(hours=f"{hours:g}")
        return None
