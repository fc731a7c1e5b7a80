"""What the API keeps between requests: the answers to POSTs sent with an ``Idempotency-Key``.

A case system that retries a POST after a time-out sends the same key; the API answers with the
response it saved the first time instead of creating the record twice (``cases.api.idempotency``).
The saved response can name a child, so the row belongs to the LA (under row-level security) and
is kept only ``PLO_API_IDEMPOTENCY_HOURS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from cases.models.organisations import LocalAuthority


class IdempotencyKey(models.Model):
    """The saved response to one POST made with an ``Idempotency-Key`` header, per user and key."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", help_text="LA of the user who sent it."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who sent the request."
    )
    key = models.CharField(max_length=200, help_text="The client's key, as sent in the Idempotency-Key header.")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body of the request.")
    status_code = models.PositiveSmallIntegerField(help_text="Status of the saved response.")
    body = models.JSONField(encoder=DjangoJSONEncoder, help_text="Body of the saved response.")
    location = models.CharField(max_length=2000, blank=True, help_text="Location header of the saved response.")
    etag = models.CharField(
        max_length=100, blank=True, help_text="ETag header of the saved response: the version of the record it made."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the first request was answered.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotencykey_user_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotencykey_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
