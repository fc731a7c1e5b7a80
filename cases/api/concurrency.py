"""Optimistic concurrency: a record's ETag, and the ``If-Match`` an update must carry.

The ETag names one version of one record (its type, id and when it last changed). A client
reads a record, keeps its ETag and sends it back as ``If-Match`` with its change: if the record
changed in between, the change is refused with 412 and nothing is saved; without ``If-Match`` an
update is refused with 428, so no client overwrites a newer change by not asking.
"""

from __future__ import annotations

import hashlib

from django.db import models

from cases.api.errors import PreconditionFailed, PreconditionRequired


def etag_of(instance: models.Model) -> str:
    """The strong ETag of this version of the record (quoted, as HTTP writes it)."""
    version = f"{instance._meta.label_lower}:{instance.pk}:{instance.updated_at.isoformat()}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def ensure_current(if_match: str | None, instance: models.Model) -> None:
    """Refuse an update unless ``If-Match`` names the record's current version (or is ``*``)."""
    if not if_match:
        raise PreconditionRequired
    offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in offered and etag_of(instance) not in offered:
        raise PreconditionFailed
