"""``Idempotency-Key`` on POST: a retried request gets the first answer instead of a second record.

The first POST with a key is carried out and, if it succeeded, its response is saved under the
user and key (``cases.models.IdempotencyKey``). The same key again within
``PLO_API_IDEMPOTENCY_HOURS`` gets that response back, with its ``Location`` and ``ETag``
(``Idempotent-Replayed: true``), and nothing is written; the same key with a different request
(another path or body) is refused with 422, as is a key that is not 1 to 200 printable ASCII
characters. A failed request saves nothing, so the client can correct it and retry with the same
key. Two requests with one key at once are taken one after the other (a transaction-level
advisory lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from cases import models as m

HEADER = "Idempotency-Key"
MAX_LENGTH = 200


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used for a different request: use a new key."
    default_code = "idempotency_key_reused"


class KeyInvalid(exceptions.APIException):
    """422 rather than a 400 validation error: the header is not a field of the record's body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = f"Send an Idempotency-Key of 1 to {MAX_LENGTH} printable ASCII characters, such as a UUID."
    default_code = "idempotency_key_invalid"


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _valid(key: str) -> bool:
    return 0 < len(key) <= MAX_LENGTH and key.isascii() and key.isprintable()


def replay_or_run(request: Request, run: Callable[[], Response]) -> Response:
    """The saved response for this request's key, or ``run()``'s (saved when it succeeds)."""
    key = request.headers.get(HEADER)
    if key is None:
        return run()
    if not _valid(key):
        raise KeyInvalid
    user = request.user
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{user.pk}:{key}"])
    cutoff = timezone.now() - dt.timedelta(hours=settings.PLO_API_IDEMPOTENCY_HOURS)
    saved = m.IdempotencyKey.objects.filter(user=user, key=key).first()
    fingerprint = _fingerprint(request)
    if saved is not None and saved.created_at >= cutoff:
        if saved.fingerprint != fingerprint:
            raise KeyReused
        headers = {"Idempotent-Replayed": "true"}
        for name, value in (("Location", saved.location), ("ETag", saved.etag)):
            if value:
                headers[name] = value
        return Response(saved.body, status=saved.status_code, headers=headers)
    response = run()
    if status.is_success(response.status_code):
        if saved is not None:
            saved.delete()
        m.IdempotencyKey.objects.create(
            local_authority_id=user.local_authority_id,
            user=user,
            key=key,
            fingerprint=fingerprint,
            status_code=response.status_code,
            body=response.data,
            location=response.headers.get("Location", ""),
            etag=response.headers.get("ETag", ""),
        )
    return response


def purge(*, now: dt.datetime | None = None) -> int:
    """Remove saved responses older than the setting; the number removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.PLO_API_IDEMPOTENCY_HOURS)
    removed, _ = m.IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return removed
