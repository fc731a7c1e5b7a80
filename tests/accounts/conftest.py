"""Fixtures for sign-in tests: users with a known password, and a real SMTP server to send mail to."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from cases.constants import Role
from tests import factories as f

PASSWORD = "a long test password"


@pytest.fixture
def worker(la_a):
    """A social worker with a password and no authenticator app yet (their first sign-in)."""
    return f.UserFactory(
        username="sw.twofactor",
        role=Role.SOCIAL_WORKER,
        local_authority=la_a,
        email="sw@example.test",
        password=PASSWORD,
    )


class Inbox:
    """Collects what the SMTP server is sent, parsed as email messages."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()
