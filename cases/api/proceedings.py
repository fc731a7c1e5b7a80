"""Care proceedings: applications, each child's part in one, extensions and hearings.

Each endpoint writes the fields the milestone pages let a user write (``cases.forms.milestones``),
through the service the page calls: the same validation, who and when, the change history. What
the pages do not ask is read-only here too: an application's concluded date (a database trigger
derives it from its children's final orders), its pre-proceedings episode (linked by the service),
and the listing a re-listing replaces (made by recording a hearing's outcome).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django_filters import ModelChoiceFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import constants as c
from cases import models as m
from cases import services
from cases.api import concurrency, idempotency, schema
from cases.api.base import RecordSerializer, RecordViewSet, VisibleRelatedField, changes_filterset

# -- serializers ----------------------------------------------------------------------------------


class ProceedingsChildPartSerializer(serializers.ModelSerializer):
    """A child's part as listed inside its application (read and corrected at ``child-proceedings``)."""

    class Meta:
        model = m.ChildProceedings
        fields = ("id", "child", "final_outcome", "final_outcome_date")
        read_only_fields = fields


class ProceedingsSerializer(RecordSerializer):
    family = VisibleRelatedField(
        queryset=m.Family.objects.all(), help_text="The family (case) the application is about. Set when it is created."
    )
    # Reference data, the same for every LA; a new value is an active code (as the page offers).
    court = serializers.PrimaryKeyRelatedField(
        queryset=m.Court.objects.filter(active=True),
        help_text="Court where the case is heard: the code of an active court (see the reference data).",
    )
    children = VisibleRelatedField(
        queryset=m.Child.objects.all(),
        many=True,
        allow_empty=False,
        write_only=True,
        help_text=(
            "Every child in the application (children of its family): a new one is added with a timetable of "
            "its own; one already in it cannot be left out. Read them back in child_parts."
        ),
    )
    child_parts = ProceedingsChildPartSerializer(
        many=True, read_only=True, help_text="Each child's part in the application, with its final outcome."
    )

    class Meta:
        model = m.Proceedings
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "family",
            "episode",
            "court",
            "court_case_number",
            "issue_date",
            "judge",
            "guardian_allocated_date",
            "short_notice",
            "short_notice_reason",
            "concluded_date",
            "children",
            "child_parts",
        )
        read_only_fields = ("episode", "concluded_date")
        extra_kwargs = {
            "episode": {"help_text": "Pre-proceedings episode that led to the application (linked by the service)."},
            "concluded_date": {
                "help_text": "Date the last child's final outcome was made; empty while the application is open."
            },
        }


class ChildProceedingsSerializer(RecordSerializer):
    final_outcome = serializers.PrimaryKeyRelatedField(
        queryset=m.OrderOutcome.objects.filter(active=True),
        allow_null=True,
        required=False,
        help_text="Final order or other outcome: the code of an active order outcome (see the reference data).",
    )

    class Meta:
        model = m.ChildProceedings
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "proceedings",
            "child",
            "interim_plan",
            "interim_plan_approved",
            "final_plan",
            "final_plan_approved",
            "final_outcome",
            "final_outcome_date",
        )
        # A child's part is made with its application (``children`` there) and never moves.
        read_only_fields = ("proceedings", "child")


class ExtensionSerializer(RecordSerializer):
    child_proceedings = VisibleRelatedField(
        queryset=m.ChildProceedings.objects.all(),
        help_text="The child's part (in an open application) whose timetable is extended. Set when it is created.",
    )

    class Meta:
        model = m.Extension
        fields = (*RecordSerializer.RECORD_FIELDS, "child_proceedings", "granted_date", "new_end_date", "reason")


ORDERS_MADE = "Orders made at a hearing that was held or adjourned on the day, e.g. an interim care order."
REASON = "Reason code when adjourned or vacated: an active HMCTS reason (see the reference data)."


def _orders_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=c.HearingOrder.choices), help_text=ORDERS_MADE, **kwargs
    )


def _reason_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=m.DelayReason.objects.filter(active=True), allow_null=True, required=False, help_text=REASON
    )


class HearingSerializer(RecordSerializer):
    proceedings = VisibleRelatedField(
        queryset=m.Proceedings.objects.all(),
        help_text="The application the hearing is listed in (an open one for a new listing). Set when it is created.",
    )
    hearing_type = serializers.PrimaryKeyRelatedField(
        queryset=m.HearingType.objects.filter(active=True),
        help_text="Type of hearing: the code of an active hearing type (see the reference data).",
    )
    reason = _reason_field()
    orders_made = _orders_field(required=False)
    # A reverse link: null until the listing is re-listed.
    relisted_as = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The listing that replaced this one when it was re-listed."
    )

    class Meta:
        model = m.Hearing
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "proceedings",
            "hearing_type",
            "listed_on",
            "listed_date",
            "status",
            "vacated_on",
            "reason",
            "orders_made",
            "note",
            "replaces",
            "relisted_as",
        )
        read_only_fields = ("replaces",)


class HearingListingSerializer(HearingSerializer):
    """A new listing: what came of it is recorded later, with the outcome action."""

    reason = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text=REASON)
    orders_made = _orders_field(read_only=True)

    class Meta(HearingSerializer.Meta):
        read_only_fields = (*HearingSerializer.Meta.read_only_fields, "status", "vacated_on")


class HearingOutcomeSerializer(serializers.ModelSerializer):
    """What came of a listed hearing, and its re-listing if it was adjourned or vacated and re-listed."""

    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in c.HearingStatus.choices if value in c.HEARING_OUTCOMES],
        help_text="What happened. Adjourned: put off on the day. Vacated: cancelled before the day.",
    )
    reason = _reason_field()
    orders_made = _orders_field(required=False)
    relisted_for = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The new date, when an adjourned or vacated hearing was re-listed: a new listing replaces it.",
    )
    relisted_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the court fixed the new date; where unknown, leave it out (today).",
    )

    class Meta:
        model = m.Hearing
        fields = ("status", "vacated_on", "reason", "orders_made", "note", "relisted_for", "relisted_on")


class HearingOutcomeResultSerializer(serializers.Serializer):
    hearing = HearingSerializer(read_only=True, help_text="The hearing, with what came of it.")
    relisting = HearingSerializer(
        read_only=True, allow_null=True, help_text="The new listing that replaces it, when it was re-listed."
    )


# -- viewsets ---------------------------------------------------------------------------------------

NEW_IN_OPEN_APPLICATION = "{record} is recorded in an open application (one not yet concluded), as on the page."


class ProceedingsViewSet(RecordViewSet):
    """The LA's care applications (Section 31), each with its children's parts. ``court_case_number``
    finds one by the court's number."""

    model = m.Proceedings
    serializer_class = ProceedingsSerializer
    filterset_class = changes_filterset(m.Proceedings, "family", "court", "court_case_number")
    writable = True
    create_only = ("family",)
    prefetch_related = (Prefetch("child_parts", queryset=m.ChildProceedings.objects.order_by("pk")),)

    def build(self, data):
        # The children are the service's to add (each a part of the application), not a field.
        return super().build({name: value for name, value in data.items() if name != "children"})

    def save_record(self, instance, data, *, created):
        children = data.get("children")
        if children is None:
            # A correction without ``children`` keeps the application's children as they are.
            children = m.Child.objects.filter(proceedings_parts__proceedings=instance)
        return services.proceedings_save(user=self.request.user, proceedings=instance, children=children)


class ChildProceedingsViewSet(RecordViewSet):
    """Each child's part in an application: interim and final plans and the final order. A part is
    made with its application (its ``children``), so here it is read and corrected only; the last
    child's final order concludes the application."""

    model = m.ChildProceedings
    serializer_class = ChildProceedingsSerializer
    filterset_class = changes_filterset(m.ChildProceedings, "proceedings", "child", "final_outcome")
    writable = True
    select_related = (*RecordViewSet.select_related, "proceedings")

    def families_of(self, records):
        return [part.proceedings.family_id for part in records]

    def children_of(self, records):
        return [part.child_id for part in records]

    def save_record(self, instance, data, *, created):
        return services.child_order_save(user=self.request.user, part=instance)


# Read and corrected, never created here (RecordViewSet sets the methods when the class is made).
ChildProceedingsViewSet.http_method_names = ["get", "patch", "head", "options"]


class ExtensionFilter(changes_filterset(m.Extension, "child_proceedings")):
    proceedings = ModelChoiceFilter(
        field_name="child_proceedings__proceedings",
        queryset=m.Proceedings.objects.all(),
        label="Extensions in this application.",
    )


class ExtensionViewSet(RecordViewSet):
    """Extensions of a child's timetable (each up to the longest single extension, s.32(5))."""

    model = m.Extension
    serializer_class = ExtensionSerializer
    filterset_class = ExtensionFilter
    writable = True
    create_only = ("child_proceedings",)
    select_related = (*RecordViewSet.select_related, "child_proceedings__proceedings")

    def families_of(self, records):
        return [extension.child_proceedings.proceedings.family_id for extension in records]

    def children_of(self, records):
        return [extension.child_proceedings.child_id for extension in records]

    def save_record(self, instance, data, *, created):
        if created and not instance.child_proceedings.proceedings.is_open:
            raise ValidationError({"child_proceedings": NEW_IN_OPEN_APPLICATION.format(record="A new extension")})
        return services.extension_save(user=self.request.user, extension=instance)


class HearingFilter(changes_filterset(m.Hearing, "proceedings", "hearing_type", "status")):
    family = ModelChoiceFilter(
        field_name="proceedings__family", queryset=m.Family.objects.all(), label="Hearings of this family (case)."
    )


# A listing's outcome fields: recorded with the outcome action, corrected with PATCH.
OUTCOME_FIELDS = ("status", "vacated_on", "reason", "orders_made")


class HearingViewSet(RecordViewSet):
    """Hearing listings. POST lists a hearing; ``outcome`` records what came of it (and its re-listing);
    PATCH corrects a listing, its outcome included. A re-listing is a new listing that ``replaces``
    the old one, which keeps its date and outcome."""

    model = m.Hearing
    serializer_class = HearingSerializer
    filterset_class = HearingFilter
    writable = True
    create_only = ("proceedings",)
    select_related = (*RecordViewSet.select_related, "proceedings", "relisted_as")

    def get_serializer_class(self):
        return HearingListingSerializer if self.action == "create" else HearingSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "outcome":
            # Locked from the If-Match check to the save, as for PATCH.
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def families_of(self, records):
        return [hearing.proceedings.family_id for hearing in records]

    def create(self, request, *args, **kwargs):
        given = sorted(name for name in OUTCOME_FIELDS if isinstance(request.data, dict) and name in request.data)
        if given:
            raise exceptions.ValidationError(
                {name: ["A new hearing is listed: record what came of it with its outcome action."] for name in given}
            )
        return super().create(request, *args, **kwargs)

    def save_record(self, instance, data, *, created):
        if created and not instance.proceedings.is_open:
            raise ValidationError({"proceedings": NEW_IN_OPEN_APPLICATION.format(record="A new hearing")})
        return services.hearing_save(user=self.request.user, hearing=instance)

    @extend_schema(
        summary="Record what came of a listed hearing",
        description=(
            "Held, adjourned on the day or vacated before it, with the orders made; an adjourned or vacated "
            "hearing re-listed for `relisted_for` gets a new listing that replaces it, saved together. An "
            "outcome is recorded once: correct it afterwards with PATCH. Needs If-Match, as PATCH does."
        ),
        request=HearingOutcomeSerializer,
        responses={200: HearingOutcomeResultSerializer, 412: schema.OWN_ERRORS["412"], 428: schema.OWN_ERRORS["428"]},
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="The ETag of the hearing as you read it: a stale one is refused with 412.",
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description="The hearing's new version.",
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        def run() -> Response:
            hearing = self.get_object()
            concurrency.ensure_current(request.headers.get("If-Match"), hearing)
            serializer = HearingOutcomeSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            relisted_for, relisted_on = data.pop("relisted_for", None), data.pop("relisted_on", None)
            for name, value in data.items():
                setattr(hearing, name, value)
            relisting = services.hearing_outcome_record(
                user=request.user, hearing=hearing, relisted_for=relisted_for, relisted_on=relisted_on
            )
            hearing.refresh_from_db()
            context = self.get_serializer_context()
            body = {
                "hearing": HearingSerializer(hearing, context=context).data,
                "relisting": HearingSerializer(relisting, context=context).data if relisting else None,
            }
            return Response(body, headers={"ETag": concurrency.etag_of(hearing)})

        return idempotency.replay_or_run(request, run)


ROUTES = [
    ("proceedings", ProceedingsViewSet),
    ("child-proceedings", ChildProceedingsViewSet),
    ("extensions", ExtensionViewSet),
    ("hearings", HearingViewSet),
]
