"""Django admin: reference data, organisation, users, and case records with history.

Case records are read-only here: they are changed through the service pages, which check every
rule, the user's LA and double submits, and keep derived values (the tracker facts, concluded
dates) in step; the admin shows each record and its change history for support. Reference data,
organisations and users stay editable by superusers, and every admin save says who made it.

Staff who are not superusers (an LA's administrators, given view permissions) see only their own
LA's rows, everything read-only: another LA's record is absent from every list and its page is
not found. The change history of every model together is for superusers only. The one write open
to them is placing their LA's cases on legal hold (or releasing them), which keeps a case past its
retention period.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from pghistory.admin import EventsAdmin

from cases import models as m
from cases import services
from cases.permissions import SET_LEGAL_HOLD


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


def own_la_only(queryset: QuerySet, user, lookup: str) -> QuerySet:
    """All rows for a superuser; for other staff the rows of their own LA (``lookup`` names it), or none."""
    if user.is_superuser:
        return queryset
    if user.local_authority_id is None:
        return queryset.none()
    return queryset.filter(**{lookup: user.local_authority_id})


class OwnLocalAuthorityMixin:
    """Staff who are not superusers see and act on their own LA's rows only (``la_lookup``).

    The change, history and delete pages fetch the row through this queryset too, so another LA's
    row is not found there either.
    """

    la_lookup = "local_authority"

    def get_queryset(self, request):
        return own_la_only(super().get_queryset(request), request.user, self.la_lookup)


class SuperuserEditsMixin:
    """Rows only superusers add, change or delete; other staff with view permission look."""

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class HistoryEventsAdmin(EventsAdmin):
    """Every change to every record (django-pghistory), with its values: superusers only, since it
    spans every LA (settings ``PGHISTORY_ADMIN_CLASS``)."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(m.User)
class UserAdmin(OwnLocalAuthorityMixin, SuperuserEditsMixin, StampUserMixin, BaseUserAdmin):
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
class LocalAuthorityAdmin(OwnLocalAuthorityMixin, SuperuserEditsMixin, ModelAdmin):
    la_lookup = "pk"
    list_display = ("name", "short_name", "dfe_code", "ons_code", "case_system", "retention_years")


@admin.register(m.Area)
class AreaAdmin(OwnLocalAuthorityMixin, SuperuserEditsMixin, ModelAdmin):
    list_display = ("name", "local_authority")
    list_filter = ("local_authority",)


@admin.register(m.Team)
class TeamAdmin(OwnLocalAuthorityMixin, SuperuserEditsMixin, ModelAdmin):
    list_display = ("name", "area", "local_authority")
    list_filter = ("local_authority", "area")
    list_select_related = ("area__local_authority", "local_authority")


class ReferenceAdmin(SuperuserEditsMixin, ModelAdmin):
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
class ThresholdAdmin(SuperuserEditsMixin, ModelAdmin):
    list_display = ("code", "label", "value", "unit", "statutory", "source", "vintage")


@admin.register(m.NationalComparator)
class NationalComparatorAdmin(SuperuserEditsMixin, ModelAdmin):
    list_display = ("metric", "kind", "label", "value", "unit", "source", "vintage", "uncertain")
    list_filter = ("metric", "kind")


@admin.register(m.ChildPopulation)
class ChildPopulationAdmin(OwnLocalAuthorityMixin, SuperuserEditsMixin, ModelAdmin):
    list_display = ("local_authority", "year", "population", "source", "vintage")


class CaseRecordAdmin(OwnLocalAuthorityMixin, ModelAdmin):
    """Case records, read-only: filtered by LA, with a link to each record's change history."""

    list_filter = ("local_authority",)
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by", "history")
    list_select_related = ("local_authority",)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # The change history spans every LA: only superusers get the link to it.
        return fields if request.user.is_superuser else tuple(name for name in fields if name != "history")

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
    list_display = ("la_reference", "name", "local_authority", "team", "social_worker", "legal_hold")
    list_filter = ("local_authority", "legal_hold")
    search_fields = ("la_reference", "name")
    raw_id_fields = ("social_worker",)
    actions = ("place_on_legal_hold", "release_legal_hold")

    def has_legal_hold_permission(self, request) -> bool:
        return SET_LEGAL_HOLD(request.user)

    @admin.action(description="Place the selected cases on legal hold", permissions=["legal_hold"])
    def place_on_legal_hold(self, request, queryset):
        self._legal_hold(request, queryset, held=True)

    @admin.action(description="Release the selected cases from legal hold", permissions=["legal_hold"])
    def release_legal_hold(self, request, queryset):
        self._legal_hold(request, queryset, held=False)

    def _legal_hold(self, request, queryset, *, held: bool) -> None:
        changed = services.family_legal_hold_set(
            user=request.user, family_ids=list(queryset.values_list("pk", flat=True)), held=held
        )
        done = "placed on legal hold" if held else "released from legal hold"
        self.message_user(request, f"{changed} {'case' if changed == 1 else 'cases'} {done}.", messages.SUCCESS)


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
