"""Sign-in forms: the authenticator app code, a recovery code, and Django's password forms in GOV.UK words."""

from __future__ import annotations

import math
import re

import django_otp
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django_otp.models import Device

from accounts.selectors import SCOPE_LABELS
from cases.constants import Role
from cases.models import User


def _throttled_message(device: Device) -> str | None:
    """After wrong codes django-otp makes the device wait (1, 2, 4... seconds): say how long, or None."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (details or {}).get("locked_until")
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    unit = "second" if seconds == 1 else "seconds"
    return f"You entered a wrong code too many times. Wait {seconds} {unit}, then try again"


class OneTimeCodeForm(forms.Form):
    """A code checked against one django-otp device; ``self.device`` is set when it is right."""

    code = forms.CharField(max_length=40, strip=True)
    label: str
    hint: str
    pattern: re.Pattern[str]
    messages: dict[str, str]

    def __init__(self, *args, user: User, device: Device | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = device
        self.fields["code"].label = self.label
        self.fields["code"].help_text = self.hint
        self.fields["code"].error_messages["required"] = self.messages["required"]
        self.fields["code"].error_messages["max_length"] = self.messages["format"]

    def normalise(self, code: str) -> str:
        return re.sub(r"[\s-]", "", code)

    def clean_code(self) -> str:
        code = self.normalise(self.cleaned_data["code"])
        if not self.pattern.fullmatch(code):
            raise forms.ValidationError(self.messages["format"], code="format")
        if self.device is None:
            raise forms.ValidationError(self.messages["wrong"], code="wrong")
        throttled = _throttled_message(self.device)
        if throttled:
            raise forms.ValidationError(throttled, code="throttled")
        verified = django_otp.verify_token(self.user, self.device.persistent_id, code)
        if verified is None:
            raise forms.ValidationError(self.messages["wrong"], code="wrong")
        self.device = verified
        return code


class AuthenticatorCodeForm(OneTimeCodeForm):
    """The 6-digit code an authenticator app shows now (TOTP)."""

    label = "Enter the code from your authenticator app"
    hint = "Open the authenticator app on your phone. Enter the 6-digit code it shows for PLO Tracker."
    pattern = re.compile(r"\d{6}")
    messages = {
        "required": "Enter the code from your authenticator app",
        "format": "The code must be 6 numbers",
        "wrong": "The code is not correct or has expired. Enter the code your app shows now",
    }


class SetUpCodeForm(AuthenticatorCodeForm):
    """The first code from an app being set up: proves it holds the secret."""

    label = "Code from your authenticator app"
    hint = "After you add PLO Tracker, the app shows a 6-digit code that changes every 30 seconds."


class RecoveryCodeForm(OneTimeCodeForm):
    """One of the user's single-use recovery codes (8 letters and numbers, any case)."""

    label = "Enter a recovery code"
    hint = "One of the recovery codes you saved when you set up your authenticator app. Each code works once."
    pattern = re.compile(r"[a-z2-7]{8}")
    messages = {
        "required": "Enter a recovery code",
        "format": "A recovery code is 8 letters and numbers",
        "wrong": "The recovery code is not correct or has already been used",
    }

    def normalise(self, code: str) -> str:
        return super().normalise(code).lower()


def _password_hints() -> list[str]:
    """What the password validators in settings ask for, in their own words (each rule once)."""
    return password_validation.password_validators_help_texts()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not correct",
        "password_mismatch": "The new passwords do not match",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        _label_new_password_fields(self)


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": "The new passwords do not match",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _label_new_password_fields(self)


def _label_new_password_fields(form: auth_forms.SetPasswordForm) -> None:
    form.fields["new_password1"].label = "New password"
    form.fields["new_password1"].error_messages["required"] = "Enter a new password"
    # Shown as a GOV.UK list by the template, in place of Django's HTML help text.
    form.fields["new_password1"].help_text = ""
    form.fields["new_password1"].help_texts = _password_hints()
    form.fields["new_password2"].label = "Confirm new password"
    form.fields["new_password2"].error_messages["required"] = "Enter the new password again"
    form.fields["new_password2"].help_text = ""


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = "Email address"
        field.help_text = "The email address your PLO Tracker account uses."
        field.error_messages["required"] = "Enter your email address"
        field.error_messages["invalid"] = "Enter an email address in the correct format, like name@example.org"


# ---------------------------------------------------------------------------
# Service accounts: the rules on names, scopes and days are the services'; these forms only collect
# ---------------------------------------------------------------------------

SCOPE_HINTS = {
    Role.API_READ.value: "Reads cases and their records: for reports and data extracts.",
    Role.API_WRITE.value: "Reads, and creates and updates records: for a case system that sends its changes.",
}


def _scope_field() -> forms.ChoiceField:
    field = forms.ChoiceField(
        label="What may it do?",
        choices=[(role.value, label) for role, label in SCOPE_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the account may do: read, or read and write",
            "invalid_choice": "Choose what the account may do: read, or read and write",
        },
    )
    field.choice_hints = SCOPE_HINTS
    return field


class ServiceAccountForm(forms.Form):
    """A new service account: its display name and scope."""

    name = forms.CharField(
        label="Name",
        help_text="What calls the API with it, so others can tell, for example Mosaic nightly sync.",
        error_messages={"required": "Enter a name for the service account"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"] = _scope_field()


class ServiceAccountScopeForm(forms.Form):
    """A service account's new scope."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"] = _scope_field()


class ServiceTokenForm(forms.Form):
    """How many days a new token lasts (the services hold the limit: ``PLO_API_TOKEN_MAX_DAYS``)."""

    days = forms.IntegerField(
        label="How many days should the token last?",
        error_messages={
            "required": "Enter how many days the token should last",
            "invalid": "The number of days must be a whole number, like 90",
        },
    )

    def __init__(self, *args, max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "days"
        ].help_text = (
            f"At most {max_days}. When it expires the account gets 401 responses until it is given a new token."
        )
