"""Tracker imports: an LA's saved column mappings and the history of every import run.

Neither names a child: a mapping holds column headers and code words, a run the file's name,
checksum and counts, its report (row numbers, headers and messages, family and child references)
and, for ``PLO_IMPORT_RETENTION_DAYS``, the uploaded file itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models.organisations import LocalAuthority


class ImportMapping(models.Model):
    """An LA's saved mapping of a tracker's columns and code words, reused by name."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="import_mappings", help_text="LA the mapping is for."
    )
    name = models.CharField(max_length=100, help_text="Name the LA knows the mapping by, e.g. 'Mosaic PLO tracker'.")
    columns = models.JSONField(default=dict, blank=True, help_text="Source column header -> import column.")
    codes = models.JSONField(default=dict, blank=True, help_text="Import column -> {source word: shared code}.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "name"], name="import_mapping_unique_name_per_la")
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded: columns to map"
    CHECKING = "checking", "Checking"
    CHECKED = "checked", "Checked: ready to apply"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Has problems"


class ImportRun(models.Model):
    """One tracker file imported (or checked) for an LA: who, when, which file, what came of it."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="import_runs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256 checksum", max_length=64)
    size = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True, max_length=255)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    mapping_name = models.CharField(max_length=100, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="The columns and codes used.")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
