"""Families (cases) and children."""

from __future__ import annotations

from django.db.models import Prefetch

from cases import constants as c
from cases import models as m
from cases import services
from cases.api.base import RecordSerializer, RecordViewSet, VisibleRelatedField, changes_filterset


class ChildSerializer(RecordSerializer):
    family = VisibleRelatedField(queryset=m.Family.objects.all(), help_text="The family (case) the child belongs to.")

    class Meta:
        model = m.Child
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "family",
            "la_child_id",
            "first_name",
            "last_name",
            "date_of_birth",
            "expected_due_date",
            "sex",
            "ethnicity",
        )


class FamilyChildSerializer(ChildSerializer):
    """A child as listed inside its family."""

    class Meta(ChildSerializer.Meta):
        fields = tuple(name for name in ChildSerializer.Meta.fields if name != "family")
        read_only_fields = fields


class FamilySerializer(RecordSerializer):
    team = VisibleRelatedField(
        queryset=m.Team.objects.all(), allow_null=True, required=False, help_text="Allocated team (of the LA)."
    )
    social_worker = VisibleRelatedField(
        queryset=m.User.objects.filter(is_active=True, role__in=[c.Role.SOCIAL_WORKER, c.Role.TEAM_MANAGER]),
        allow_null=True,
        required=False,
        help_text="Allocated social worker (a user of the LA).",
    )
    children = FamilyChildSerializer(many=True, read_only=True)

    class Meta:
        model = m.Family
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "la_reference",
            "name",
            "team",
            "social_worker",
            "legal_hold",
            "children",
        )
        read_only_fields = ("legal_hold",)


class FamilyViewSet(RecordViewSet):
    """The LA's families (cases), each with its children. ``la_reference`` finds one by the LA's own reference."""

    model = m.Family
    serializer_class = FamilySerializer
    filterset_class = changes_filterset(m.Family, "la_reference", "team")
    writable = True
    prefetch_related = (
        Prefetch("children", queryset=m.Child.objects.select_related("created_by", "updated_by").order_by("pk")),
    )

    def families_of(self, records):
        return [family.pk for family in records]

    def save_record(self, instance, data, *, created):
        return services.family_save(user=self.request.user, family=instance)


class ChildViewSet(RecordViewSet):
    """The LA's children. ``la_child_id`` finds one by the LA's own child reference (CIN LAchildID)."""

    model = m.Child
    serializer_class = ChildSerializer
    filterset_class = changes_filterset(m.Child, "family", "la_child_id")
    writable = True
    create_only = ("family",)

    def children_of(self, records):
        return [child.pk for child in records]

    def save_record(self, instance, data, *, created):
        return services.child_save(user=self.request.user, child=instance)


ROUTES = [("families", FamilyViewSet), ("children", ChildViewSet)]
