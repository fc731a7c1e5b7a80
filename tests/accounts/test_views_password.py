"""Password change (signed in) and reset by email, the email sent to a real SMTP server."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.accounts.conftest import PASSWORD
from tests.support import sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new test passphrase"


def field_errors(response, field: str) -> str:
    pattern = rf'<p id="id_{field}-error" class="govuk-error-message">(.*?)</p>'
    return " ".join(re.findall(pattern, response.content.decode(), re.S))


def password_signs_in(client, user, password) -> bool:
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    signed = "_auth_user_id" in client.session
    client.post(reverse("logout"))
    return response.status_code == 302 and signed


# Password change


def test_it_changes_the_password(client, worker):
    sign_in(client, worker)
    form = client.get(reverse("password_change")).content.decode()
    assert 'type="password"' in form
    assert 'autocomplete="current-password"' in form
    assert "Your password must contain at least 12 characters." in form  # the validators' own hints
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    assert "Your password has been changed" in client.get(reverse("account")).content.decode()
    # Still signed in, second factor and all, on the session that changed it.
    assert client.get(reverse("cases:list")).status_code == 200
    worker.refresh_from_db()
    assert worker.check_password(NEW_PASSWORD)
    assert password_signs_in(client, worker, NEW_PASSWORD)
    assert not password_signs_in(client, worker, PASSWORD)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
         "old_password", "Your current password is not correct"),
        ({"old_password": "", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
         "old_password", "Enter your current password"),
        ({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
         "new_password2", "The new passwords do not match"),
        ({"old_password": PASSWORD, "new_password1": "", "new_password2": ""},
         "new_password1", "Enter a new password"),
        ({"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
         "new_password2", "This password is too short. It must contain at least 12 characters."),
        ({"old_password": PASSWORD, "new_password1": "123456789012345", "new_password2": "123456789012345"},
         "new_password2", "This password is entirely numeric."),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_password_change_naming_the_field(client, worker, data, field, message):
    sign_in(client, worker)
    response = client.post(reverse("password_change"), data)
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert f'href="#id_{field}"' in response.content.decode()
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


def test_it_asks_for_the_second_factor_before_a_password_change(client, worker):
    client.force_login(worker)  # password only
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("two_factor_set_up")
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


# Password reset by email


def request_reset(client, address):
    response = client.post(reverse("password_reset"), {"email": address})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    return response


def reset_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_it_emails_a_reset_link_through_smtp_that_sets_a_new_password(client, worker, smtp_inbox):
    request_reset(client, "SW@example.test")  # any case, as people type it

    assert smtp_inbox.recipients == [["sw@example.test"]]
    message = smtp_inbox.messages[0]
    assert message["Subject"] == "Reset your PLO Tracker password"
    assert message["From"] == "PLO Tracker <no-reply@localhost>"
    body = message.get_body(("plain",)).get_content()
    assert "sw.twofactor" in body
    assert "The link works once, for 60 minutes." in body  # PASSWORD_RESET_TIMEOUT of 3600 s / 60

    # The link from the email: Django swaps the token into the session and redirects to the form.
    form_page = client.get(reset_link(message), follow=True)
    assert form_page.status_code == 200
    assert "Set a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("password_reset_complete")
    worker.refresh_from_db()
    assert worker.check_password(NEW_PASSWORD)

    # The reset signs no one in: the new password, then (for this first sign-in) setting up an app.
    assert "_auth_user_id" not in client.session
    client.post(reverse("login"), {"username": worker.username, "password": NEW_PASSWORD})
    assert client.get(reverse("cases:list"))["Location"].startswith(reverse("two_factor_set_up"))

    # The link works once.
    used = client.get(reset_link(message), follow=True)
    assert "The link has expired or been used" in used.content.decode()


def test_it_says_the_same_and_sends_nothing_for_an_unknown_address(client, worker, smtp_inbox):
    response = request_reset(client, "nobody@example.test")
    page = client.get(response["Location"]).content.decode()
    assert "If the email address belongs to a PLO Tracker account" in page
    assert "The link works for 60 minutes." in page
    assert smtp_inbox.messages == []


@pytest.mark.parametrize(
    ("address", "message"),
    [("", "Enter your email address"), ("not an address", "Enter an email address in the correct format")],
)
def test_it_refuses_a_bad_email_address(client, smtp_inbox, address, message):
    response = client.post(reverse("password_reset"), {"email": address})
    assert response.status_code == 200
    assert message in field_errors(response, "email")
    assert smtp_inbox.messages == []


def test_it_refuses_a_mismatched_new_password_from_the_link(client, worker, smtp_inbox):
    request_reset(client, worker.email)
    form_page = client.get(reset_link(smtp_inbox.messages[0]), follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert response.status_code == 200
    assert "The new passwords do not match" in field_errors(response, "new_password2")
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


def test_it_ends_the_accounts_lock_out_when_the_password_is_reset(client, worker, smtp_inbox, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": worker.username, "password": "wrong password"})
    assert client.post(reverse("login"), {"username": worker.username, "password": PASSWORD}).status_code == 429

    request_reset(client, worker.email)
    form_page = client.get(reset_link(smtp_inbox.messages[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.post(reverse("login"), {"username": worker.username, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_it_refuses_a_made_up_reset_link(client, worker):
    response = client.get("/password-reset/MQ/not-a-token/")
    assert response.status_code == 200
    assert "The link has expired or been used" in response.content.decode()
