"""Django admin for superusers: reference data, organisation, users, and case records with history.

Case data is normally changed through the service pages (which validate and record who changed
what); the admin exists for support and correction, and every change it makes is recorded by the
same history triggers.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from cases import models as m


@admin.register(m.User)
class UserAdmin(BaseUserAdmin):
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
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "dfe_code", "ons_code", "case_system")


@admin.register(m.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "local_authority")
    list_filter = ("local_authority",)


@admin.register(m.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "local_authority")
    list_filter = ("local_authority", "area")
    list_select_related = ("area__local_authority", "local_authority")


class ReferenceAdmin(admin.ModelAdmin):
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
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "value", "unit", "statutory", "source", "vintage")


@admin.register(m.NationalComparator)
class NationalComparatorAdmin(admin.ModelAdmin):
    list_display = ("metric", "label", "value", "unit", "source", "vintage", "uncertain")
    list_filter = ("metric",)


@admin.register(m.ChildPopulation)
class ChildPopulationAdmin(admin.ModelAdmin):
    list_display = ("local_authority", "year", "population", "source", "vintage")


class CaseRecordAdmin(admin.ModelAdmin):
    """Case records: filtered by LA, with a link to each record's change history."""

    list_filter = ("local_authority",)
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by", "history")
    list_select_related = ("local_authority",)

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


for model in (m.PreProceedingsMeeting, m.ChildProceedings, m.Extension, m.Hearing, m.Assessment, m.DelayEvent):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (CaseRecordAdmin,),
            {
                "raw_id_fields": [
                    f.name
                    for f in model._meta.fields
                    if f.is_relation and f.name in {"family", "episode", "proceedings", "child", "child_proceedings"}
                ]
            },
        ),
    )
