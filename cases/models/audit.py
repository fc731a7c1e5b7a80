"""The read audit: who looked at which children's records, when, from where and how.

Append-only. Rows are written by ``cases.audit.record_read`` in the request that shows the data;
the database stamps the time, refuses every UPDATE and DELETE (migration 0018), and removes rows
only through ``cases_read_audit_purge``, the retention purge. No names are stored: the families
and children are their ids, and the user is an id and username kept as they were at the time.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Now

from cases.models.organisations import LocalAuthority


class ReadKind(models.TextChoices):
    """How the records were read."""

    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    API = "api", "Read through the API"


class ReadAudit(models.Model):
    """One read of children's records: a page, an export, a print or an API response."""

    at = models.DateTimeField(
        db_default=Now(), editable=False, help_text="When the records were read (the database's clock)."
    )
    kind = models.CharField(max_length=10, choices=ReadKind.choices, help_text="How the records were read.")
    # Not foreign keys: the audit outlives changes to users and records, and nothing cascades into it.
    user_id = models.BigIntegerField(help_text="PLO Tracker's number for the user who read the records.")
    username = models.CharField(max_length=150, help_text="The user's username at the time.")
    role = models.CharField(max_length=20, help_text="The user's role at the time.")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", help_text="LA whose records were read."
    )
    family_ids = ArrayField(models.BigIntegerField(), default=list, help_text="The families (cases) shown.")
    child_ids = ArrayField(models.BigIntegerField(), default=list, help_text="The children shown.")
    route_name = models.CharField(max_length=200, help_text="The URL name of the page or download.")
    # The path only: a query string can hold a search for a child's name.
    path = models.CharField(max_length=2000, help_text="The address read, without its query string.")
    client_address = models.GenericIPAddressField(null=True, blank=True, help_text="The address the request came from.")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["local_authority", "at"], name="readaudit_la_at"),
            models.Index(fields=["local_authority", "user_id", "at"], name="readaudit_la_user_at"),
            models.Index(fields=["at"], name="readaudit_at"),
            GinIndex(fields=["child_ids"], name="readaudit_child_ids"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.route_name} at {self.at:%Y-%m-%d %H:%M}"
