"""Django admin for superusers: reference data, organisation, users, and case records with history.

Case records are read-only here: they are changed through the service pages, which check every
rule, the user's LA and double submits, and keep derived values (the tracker facts, concluded
dates) in step; the admin shows each record and its change history for support. Reference data,
organisations and users stay editable by superusers, and every admin save says who made it.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from cases import models as m


def _stamp(instance, user) -> None:
    """Set who created and last changed ``instance``, on models that record it."""
    names = {field.name for field in instance._meta.concrete_fields}
    if "updated_by" in names:
        instance.updated_by = user
    if "created_by" in names and instance._state.adding:
        instance.created_by = user


class StampUserMixin:
    """Admin saves (the record and any inline rows) stamp ``updated_by`` with the admin user, as services do."""

    def save_model(self, request, obj, form, change):
        _stamp(obj, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline in formset.save(commit=False):
            _stamp(inline, request.user)
            inline.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


class ModelAdmin(StampUserMixin, admin.ModelAdmin):
    """The base of every admin here."""


@admin.register(m.User)
class UserAdmin(StampUserMixin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("PLO Tracker access", {"fields": ("role", "local_authority", "team")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("PLO Tracker access", {"fields": ("role", "local_authority", "team")}),
    )
    list_display = ("username", "first_name", "last_name", "role", "local_authority", "team", "is_active")
    list_filter = ("role", "local_authority", "is_active", "is_staff")
    list_select_related = ("local_authority", "team")


@admin.register(m.LocalAuthority)
class LocalAuthorityAdmin(ModelAdmin):
    list_display = ("name", "short_name", "dfe_code", "ons_code", "case_system")


@admin.register(m.Area)
class AreaAdmin(ModelAdmin):
    list_display = ("name", "local_authority")
    list_filter = ("local_authority",)


@admin.register(m.Team)
class TeamAdmin(ModelAdmin):
    list_display = ("name", "area", "local_authority")
    list_filter = ("local_authority", "area")
    list_select_related = ("area__local_authority", "local_authority")


class ReferenceAdmin(ModelAdmin):
    list_display = ("code", "label", "active", "sort_order")
    list_filter = ("active",)
    search_fields = ("code", "label")

    def get_readonly_fields(self, request, obj=None):
        # Codes are used in extracts: a saved code never changes (add a new one instead).
        return ("code",) if obj else ()


for model in (m.Court, m.HearingType, m.OrderOutcome, m.DelayDriver):
    admin.site.register(model, ReferenceAdmin)


@admin.register(m.AssessmentType)
class AssessmentTypeAdmin(ReferenceAdmin):
    list_display = ("code", "label", "target_weeks", "source", "vintage", "active")


@admin.register(m.DelayReason)
class DelayReasonAdmin(ReferenceAdmin):
    list_display = ("code", "label", "category", "driver", "active")
    list_filter = ("driver", "category", "active")


@admin.register(m.Threshold)
class ThresholdAdmin(ModelAdmin):
    list_display = ("code", "label", "value", "unit", "statutory", "source", "vintage")


@admin.register(m.NationalComparator)
class NationalComparatorAdmin(ModelAdmin):
    list_display = ("metric", "kind", "label", "value", "unit", "source", "vintage", "uncertain")
    list_filter = ("metric", "kind")


@admin.register(m.ChildPopulation)
class ChildPopulationAdmin(ModelAdmin):
    list_display = ("local_authority", "year", "population", "source", "vintage")


class CaseRecordAdmin(ModelAdmin):
    """Case records, read-only: filtered by LA, with a link to each record's change history."""

    list_filter = ("local_authority",)
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by", "history")
    list_select_related = ("local_authority",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Change history")
    def history(self, obj):
        if obj.pk is None:
            return "-"
        url = reverse("admin:pghistory_events_changelist")
        return format_html('<a href="{}?obj={}:{}">Every change to this record</a>', url, obj._meta.label, obj.pk)


@admin.register(m.Family)
class FamilyAdmin(CaseRecordAdmin):
    list_display = ("la_reference", "name", "local_authority", "team", "social_worker")
    search_fields = ("la_reference", "name")
    raw_id_fields = ("social_worker",)


@admin.register(m.Child)
class ChildAdmin(CaseRecordAdmin):
    list_display = ("la_child_id", "first_name", "last_name", "date_of_birth", "expected_due_date", "local_authority")
    search_fields = ("la_child_id", "last_name")
    raw_id_fields = ("family",)


@admin.register(m.PreProceedingsEpisode)
class EpisodeAdmin(CaseRecordAdmin):
    list_display = ("family", "start_date", "step_decision_date", "outcome", "local_authority")
    raw_id_fields = ("family", "children")


@admin.register(m.Proceedings)
class ProceedingsAdmin(CaseRecordAdmin):
    list_display = ("court_case_number", "family", "court", "issue_date", "concluded_date", "local_authority")
    search_fields = ("court_case_number",)
    raw_id_fields = ("family", "episode")


# Every other case record (meetings and their actions included): none is missing, none editable.
CASE_RECORD_MODELS = [model for model in apps.get_app_config("cases").get_models() if issubclass(model, m.CaseRecord)]
for model in CASE_RECORD_MODELS:
    if not admin.site.is_registered(model):
        admin.site.register(model, CaseRecordAdmin)
