"""No page before the second factor: a signed-in user who has not entered a code this session is sent
to enter one (or to set up an authenticator app first), whatever they ask for.

Written once here, so no view can forget it. Only the pages a person needs to get through signing
in, and the public ones, are open before: ``OPEN_BEFORE_SECOND_FACTOR``, by URL name. Static files
are served by WhiteNoise before any view. Runs after django-otp's ``OTPMiddleware``, which tells
whether the session is verified (``request.user.is_verified()``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts import selectors

API_NAMESPACE = "api"
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        # Signing in and out
        "login",
        "logout",
        "two_factor_set_up",
        "two_factor_code",
        "two_factor_recovery_code",
        # Forgotten password
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        # Public: no case data
        "data_dictionary",
        "healthz",
    }
)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if request.resolver_match.namespace == API_NAMESPACE:
            # The API answers for itself: a session is used only once verified, else 401 in JSON.
            return None
        step = "two_factor_code" if selectors.two_factor_enrolled(user) else "two_factor_set_up"
        url = reverse(step)
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)
