"""Sign-in pages after the password: setting up an authenticator app, entering its code or a
recovery code, seeing recovery codes once, the account page, and the lock-out page.

The LA's service accounts and their API tokens are managed here too, by its administrators
(``MANAGE_SERVICE_ACCOUNTS``): a new token is shown once, on the page after it is issued.

Signing in is two steps. Django's ``LoginView`` checks the password (django-axes counts failures);
the session is then signed in but not verified, and ``SecondFactorRequiredMiddleware`` sends every
request to these pages until a code is entered. Password change and reset are Django's views with
GOV.UK templates (see ``accounts/urls.py``).
"""

from __future__ import annotations

import datetime as dt

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp.models import Device

from accounts import forms, selectors, services
from accounts.authenticator import qr_code_svg, secret_for_display
from cases.forms.fields import add_service_errors
from cases.permissions import MANAGE_SERVICE_ACCOUNTS, requires

# Recovery codes just made, kept in the session until the page that shows them once.
NEW_RECOVERY_CODES = "plo_new_recovery_codes"


def next_url(request: HttpRequest) -> str:
    """Where to go after this step: the ``next`` the user came with, if it is on this site, else home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _with_next(url: str, request: HttpRequest) -> str:
    target = next_url(request)
    if target == reverse("home"):
        return url
    return f"{url}?{urlencode({'next': target})}"


def _verified(request: HttpRequest, device: Device) -> None:
    """The second factor is done: a new session key (as at any change of privilege), then verified."""
    request.session.cycle_key()
    django_otp.login(request, device)


@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code and the secret to type, then a code from the app.

    Open to a user who has none yet (the first sign-in) and to a verified user replacing theirs. A
    user who has one but has not entered its code this session is sent to enter it: a password
    alone never adds an app.
    """
    user = request.user
    if selectors.two_factor_enrolled(user) and not user.is_verified():
        return redirect(_with_next(reverse("two_factor_code"), request))
    device = services.totp_device_for_set_up(user=user)
    form = forms.SetUpCodeForm(request.POST or None, user=user, device=device)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_enrol(user=user, device=form.device)
        _verified(request, form.device)
        request.session[NEW_RECOVERY_CODES] = codes
        return redirect(_with_next(reverse("two_factor_recovery_codes"), request))
    context = {
        "form": form,
        "qr_code": qr_code_svg(device),
        "secret": secret_for_display(device),
        "replacing": selectors.two_factor_enrolled(user),
        "next": next_url(request),
    }
    return render(request, "accounts/set_up.html", context)


def _second_factor_not_needed(request: HttpRequest) -> HttpResponse | None:
    """Send a user with no app to set one up, and a verified user on to where they were going."""
    if not selectors.two_factor_enrolled(request.user):
        return redirect(_with_next(reverse("two_factor_set_up"), request))
    if request.user.is_verified():
        return redirect(next_url(request))
    return None


@login_required
def code(request: HttpRequest) -> HttpResponse:
    """Enter the code from the authenticator app: the second step of every sign-in."""
    if response := _second_factor_not_needed(request):
        return response
    device = selectors.authenticator_devices(request.user)[0]
    form = forms.AuthenticatorCodeForm(request.POST or None, user=request.user, device=device)
    if request.method == "POST" and form.is_valid():
        _verified(request, form.device)
        return redirect(next_url(request))
    return render(request, "accounts/code.html", {"form": form, "next": next_url(request)})


@login_required
def recovery_code(request: HttpRequest) -> HttpResponse:
    """Enter a recovery code instead (the phone is lost or not to hand); each code works once."""
    if response := _second_factor_not_needed(request):
        return response
    device = selectors.recovery_device(request.user)
    form = forms.RecoveryCodeForm(request.POST or None, user=request.user, device=device)
    if request.method == "POST" and form.is_valid():
        _verified(request, form.device)
        left = selectors.recovery_codes_left(request.user)
        if left == 0:
            messages.warning(request, "You have used your last recovery code. Get new ones from Your account.")
        else:
            messages.info(request, f"You signed in with a recovery code. You have {left} left.")
        return redirect(next_url(request))
    return render(request, "accounts/recovery_code.html", {"form": form, "next": next_url(request)})


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown once."""
    codes = request.session.pop(NEW_RECOVERY_CODES, None)
    if not codes:
        return redirect("account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url(request)})


@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (the old ones stop working) and show the new ones."""
    request.session[NEW_RECOVERY_CODES] = services.recovery_codes_replace(user=request.user)
    return redirect("two_factor_recovery_codes")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Your account: password, authenticator app and recovery codes."""
    devices = selectors.authenticator_devices(request.user)
    context = {
        "authenticator": devices[0] if devices else None,
        "recovery_codes_left": selectors.recovery_codes_left(request.user),
    }
    return render(request, "accounts/account.html", context)


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")
    success_message = "Your password has been changed"


def _reset_minutes() -> int:
    return settings.PASSWORD_RESET_TIMEOUT // 60


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self) -> dict:
        return {"reset_minutes": _reset_minutes(), "service_name": settings.PLO_SERVICE_NAME}


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html", {"reset_minutes": _reset_minutes()})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever can read the account's email may set its password, so a lock-out of the account
        # (not of an address) ends: the person locked out by their own mistakes can sign in again.
        services.sign_in_failures_forget(username=form.user.get_username())
        return response


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None):
    """The page django-axes shows instead of signing in once the failures reach the limit (429)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# ---------------------------------------------------------------------------
# Service accounts and API tokens (LA administrators, their own LA)
# ---------------------------------------------------------------------------

# A token just issued, kept in the session until the page that shows it once.
NEW_SERVICE_TOKEN = "plo_new_service_token"  # noqa: S105 - a session key, not a secret


@requires(MANAGE_SERVICE_ACCOUNTS)
def service_accounts(request: HttpRequest) -> HttpResponse:
    """The LA's service accounts, their scopes and their tokens (first characters, made, expires)."""
    context = {"accounts": selectors.service_accounts(user=request.user), "now": timezone.now()}
    return render(request, "accounts/service_accounts.html", context)


@requires(MANAGE_SERVICE_ACCOUNTS)
def service_account_new(request: HttpRequest) -> HttpResponse:
    form = forms.ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.service_account_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Service account {account.username} created. Issue it a token to use the API")
            return redirect("service_account", account.pk)
    return render(request, "accounts/service_account_form.html", {"form": form})


@requires(MANAGE_SERVICE_ACCOUNTS)
def service_account(request: HttpRequest, pk: int) -> HttpResponse:
    """One service account: its tokens (revoke), its scope (change), issue a token, deactivate it."""
    account = selectors.service_account_get(user=request.user, pk=pk)
    context = {
        "account": account,
        "history": selectors.service_account_history(user=request.user, account=account),
        "now": timezone.now(),
    }
    return render(request, "accounts/service_account.html", context)


@requires(MANAGE_SERVICE_ACCOUNTS)
def service_account_token_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a token (POST), then show it once: the next view of this page offers a new one instead."""
    account = selectors.service_account_get(user=request.user, pk=pk)
    issued = request.session.pop(NEW_SERVICE_TOKEN, None) if request.method == "GET" else None
    if issued and issued.get("account") == account.pk:
        context = {
            "account": account,
            "token": issued["token"],
            "expiry": dt.datetime.fromisoformat(issued["expiry"]),
            "api_url": request.build_absolute_uri(reverse("api:families-list")),
        }
        return render(request, "accounts/service_token_shown.html", context)
    max_days = settings.PLO_API_TOKEN_MAX_DAYS
    form = forms.ServiceTokenForm(
        request.POST or None, max_days=max_days, initial={"days": services.default_token_days()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            instance, token = services.service_token_issue(
                user=request.user, account=account, days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session[NEW_SERVICE_TOKEN] = {
                "account": account.pk,
                "token": token,
                "expiry": instance.expiry.isoformat(),
            }
            return redirect("service_account_token_new", account.pk)
    return render(request, "accounts/service_token_form.html", {"account": account, "form": form})


@requires(MANAGE_SERVICE_ACCOUNTS)
@require_POST
def service_account_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one token (the form sends its digest): it stops working at once."""
    account = selectors.service_account_get(user=request.user, pk=pk)
    token = next((token for token in account.tokens if token.digest == request.POST.get("token")), None)
    if token is None:
        raise Http404
    services.service_token_revoke(user=request.user, token_digest=token.digest)
    messages.success(request, f"Token {token.token_key[:8]} revoked: it no longer works")
    return redirect("service_account", account.pk)


@requires(MANAGE_SERVICE_ACCOUNTS)
def service_account_scope(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.service_account_get(user=request.user, pk=pk)
    form = forms.ServiceAccountScopeForm(request.POST or None, initial={"scope": account.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.service_account_scope_set(user=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Scope of {account.username} saved")
            return redirect("service_account", account.pk)
    return render(request, "accounts/service_account_scope.html", {"account": account, "form": form})


@requires(MANAGE_SERVICE_ACCOUNTS)
def service_account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then deactivate the account: its tokens are revoked and it can have no new ones."""
    account = selectors.service_account_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.service_account_deactivate(user=request.user, account=account)
        messages.success(request, f"Service account {account.username} deactivated and its tokens revoked")
        return redirect("service_accounts")
    return render(request, "accounts/service_account_deactivate.html", {"account": account})
