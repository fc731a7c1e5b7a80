"""Administrators' view of the metrics run log, current snapshots and board packs (read-only).

Runs, snapshots and packs are regional aggregates with no LA of their own; who downloaded a pack
names people, so staff who are not superusers see their own LA's users' downloads only.
"""

from django.contrib import admin

from cases.admin import OwnLocalAuthorityMixin
from reporting.models import BoardPack, BoardPackDownload, CompletenessSnapshot, MetricRun, PeriodSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: admins look, they do not edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MetricRun)
class MetricRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "status",
        "trigger",
        "started_at",
        "finished_at",
        "first_period",
        "last_period",
        "rows_written",
        "duration_seconds",
    ]
    list_filter = ["status", "trigger"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in MetricRun._meta.fields]


@admin.register(PeriodSnapshot)
class PeriodSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["period", "run", "computed_at"]


@admin.register(CompletenessSnapshot)
class CompletenessSnapshotAdmin(ReadOnlyAdmin):
    """The data exercise's stored snapshots (the log of its nightly runs); the figures are on the page."""

    list_display = ["pk", "as_at", "computed_at", "trigger", "duration_seconds"]
    list_filter = ["trigger"]
    readonly_fields = [field.name for field in CompletenessSnapshot._meta.fields]


@admin.register(BoardPack)
class BoardPackAdmin(ReadOnlyAdmin):
    list_display = ["month", "metric_run", "page_count", "size_bytes", "generated_at", "generated_by", "render_seconds"]
    readonly_fields = [field.name for field in BoardPack._meta.fields]


@admin.register(BoardPackDownload)
class BoardPackDownloadAdmin(OwnLocalAuthorityMixin, ReadOnlyAdmin):
    la_lookup = "user__local_authority"
    list_display = ["pack", "user", "downloaded_at"]
    list_filter = ["pack"]
