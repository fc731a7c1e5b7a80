"""Tracker meetings, their agenda items (the decision for each case) and the actions agreed.

What the meeting pages let a chair do, through the services they call (``cases.services.meetings``):
open a meeting for the LA, an area or a team (its agenda is every open case in scope, red first,
then longest waiting); record the decision for a case on the agenda; agree an action for a case;
mark an action done. Writes need ``RUN_MEETINGS`` (chairs, team managers, LA administrators);
reads, ``SEE_IDENTIFIABLE``. A closed meeting's record is final: a decision or a new action for it
is refused with 409 and nothing is saved (the service's rule). An action agreed at a closed meeting
can still be marked done, as at the next meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TypeVar

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from cases import constants as c
from cases import models as m
from cases import services
from cases.api.base import ChangesFilterSet, RecordSerializer, RecordViewSet, VisibleRelatedField, changes_filterset
from cases.api.errors import Conflict
from cases.flags import flag_labels, worded_flags
from cases.permissions import RUN_MEETINGS

T = TypeVar("T")


def refusing_closed(call: Callable[[], T]) -> T:
    """Run a meeting service, answering its refusal to change a closed meeting with 409 (not a field error)."""
    try:
        return call()
    except ValidationError as error:
        if services.CLOSED_MESSAGE in error.messages:
            raise Conflict(services.CLOSED_MESSAGE) from None
        raise


# -- serializers ----------------------------------------------------------------------------------


class AttendeeSerializer(serializers.Serializer):
    """Someone at the meeting, as the meeting page records them (read only here)."""

    user = serializers.CharField(
        source="user.username",
        read_only=True,
        allow_null=True,
        help_text="The username of the LA's user who attended, if they have an account.",
    )
    name = serializers.CharField(source="label", read_only=True, help_text="The attendee's name.")
    role = serializers.CharField(
        source="role_label", read_only=True, help_text="Their role or organisation, or the user's role in the service."
    )


class MeetingSerializer(RecordSerializer):
    area = VisibleRelatedField(
        queryset=m.Area.objects.all(),
        allow_null=True,
        required=False,
        help_text="The area (quadrant) reviewed, for scope `area` (of the caller's LA).",
    )
    team = VisibleRelatedField(
        queryset=m.Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="The team reviewed, for scope `team` (of the caller's LA).",
    )
    chair = serializers.SlugRelatedField(slug_field="username", read_only=True, help_text="Who opened and chairs it.")
    attendees = AttendeeSerializer(
        many=True, read_only=True, help_text="Who attended, as recorded on the meeting page (read only here)."
    )

    class Meta:
        model = m.TrackerMeeting
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "scope",
            "area",
            "team",
            "meeting_date",
            "chair",
            "attendees",
            "closed_at",
        )
        read_only_fields = ("closed_at",)


class MeetingItemSerializer(RecordSerializer):
    flag_labels = serializers.SerializerMethodField(help_text="The flags raised when the agenda was set, in words.")

    class Meta:
        model = m.MeetingItem
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "meeting",
            "family",
            "position",
            "start_time",
            "stage",
            "rag",
            "flags",
            "flag_labels",
            "decision",
            "review_date",
            "note",
            "decided_at",
        )
        read_only_fields = ("meeting", "family", "position", "start_time", "stage", "rag", "flags", "decided_at")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_flag_labels(self, item: m.MeetingItem) -> list[str]:
        return flag_labels(item.flags, self.context["flags"])

    def validate(self, attrs):
        # The page's form asks for a decision with every step: a note alone records none.
        if not attrs.get("decision", getattr(self.instance, "decision", "")):
            raise serializers.ValidationError({"decision": ["Choose the meeting's decision for this case."]})
        return attrs


class MeetingActionSerializer(RecordSerializer):
    item = VisibleRelatedField(
        queryset=m.MeetingItem.objects.all(),
        help_text="The agenda item (a case at a meeting) that agrees the action. Set when it is created.",
    )
    owner = VisibleRelatedField(
        queryset=m.User.objects.filter(is_active=True).exclude(role__in=c.SERVICE_ROLES),
        allow_null=True,
        help_text=(
            "The user of the LA who owns the action (by id; required when it is agreed). Null only for an "
            "action recorded before owners were users whose owner matched no single user: see `owner_note`."
        ),
    )

    class Meta:
        model = m.MeetingAction
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "item",
            "family",
            "description",
            "owner",
            "owner_note",
            "due_date",
            "completed_date",
        )
        read_only_fields = ("family", "owner_note")

    def validate(self, attrs):
        if self.instance is None and attrs.get("completed_date"):
            raise serializers.ValidationError(
                {"completed_date": ["An action is agreed open: mark it done (PATCH) once it is done."]}
            )
        if self.instance is not None and not attrs.get("completed_date"):
            raise serializers.ValidationError({"completed_date": ["Enter the date the action was done."]})
        return attrs


# -- filters --------------------------------------------------------------------------------------


class MeetingActionFilter(ChangesFilterSet):
    open = django_filters.BooleanFilter(
        field_name="completed_date", lookup_expr="isnull", label="Only open actions (true) or only done ones (false)."
    )

    class Meta:
        model = m.MeetingAction
        fields = ["family", "item"]


# -- endpoints ------------------------------------------------------------------------------------


class MeetingRecordViewSet(RecordViewSet):
    """Meeting records: written by those who run meetings; a closed meeting answers 409."""

    write_capability = RUN_MEETINGS
    error_statuses = ("409",)


@extend_schema_view(
    list=extend_schema(summary="The LA's tracker meetings"),
    create=extend_schema(summary="Open a meeting: its agenda is every open case in scope, red first"),
)
class MeetingViewSet(MeetingRecordViewSet):
    """The LA's tracker meetings. POST opens one for the LA (`scope` `la`), an area or a team, with the
    caller as chair; its agenda (`/meeting-items/?meeting=`) is set from the tracker as it stands."""

    model = m.TrackerMeeting
    serializer_class = MeetingSerializer
    filterset_class = changes_filterset(m.TrackerMeeting, "scope", "meeting_date")
    writable = True
    select_related = ("created_by", "updated_by", "chair")
    prefetch_related = (Prefetch("attendees", queryset=m.MeetingAttendee.objects.select_related("user")),)
    error_statuses = ()  # opening a meeting never meets a closed one

    def families_of(self, records):
        return []  # a meeting's own record (date, scope, chair) names no case: its items do

    def save_record(self, instance, data, *, created):
        return services.meeting_open(
            user=self.request.user,
            scope=data["scope"],
            meeting_date=data["meeting_date"],
            area=data.get("area"),
            team=data.get("team"),
        )


@extend_schema_view(
    list=extend_schema(summary="Agenda items: each case at a meeting, with the decision recorded"),
    partial_update=extend_schema(summary="Record the meeting's decision for a case"),
)
class MeetingItemViewSet(MeetingRecordViewSet):
    """The cases on meetings' agendas (filter by `meeting` or `family`), with their stage, status and flags
    when the agenda was set. PATCH records the decision (`decision`, `review_date` for one that continues,
    `note`), as the meeting page does."""

    model = m.MeetingItem
    serializer_class = MeetingItemSerializer
    filterset_class = changes_filterset(m.MeetingItem, "meeting", "family")
    writable = True
    # The decision's rules compare its review date with the meeting's date.
    select_related = ("created_by", "updated_by", "meeting")

    @cached_property
    def flags(self):
        return worded_flags(self.limits)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "flags": self.flags}

    def save_record(self, instance, data, *, created):
        return refusing_closed(
            lambda: services.meeting_item_decide(
                user=self.request.user,
                item=instance,
                decision=instance.decision,
                review_date=instance.review_date,
                note=instance.note,
            )
        )


@extend_schema_view(
    list=extend_schema(summary="Actions agreed at meetings"),
    create=extend_schema(summary="Agree an action for a case at an open meeting"),
    partial_update=extend_schema(summary="Mark an action done"),
)
class MeetingActionViewSet(MeetingRecordViewSet):
    """Actions agreed for cases at meetings (filter by `family`, `item`, `open`). POST agrees one for an
    agenda item of an open meeting; PATCH with `completed_date` marks it done (what, who and when it is
    due are set when it is agreed)."""

    model = m.MeetingAction
    serializer_class = MeetingActionSerializer
    filterset_class = MeetingActionFilter
    writable = True
    create_only = ("item", "description", "owner", "due_date")
    select_related = ("created_by", "updated_by", "owner")

    def save_record(self, instance, data, *, created):
        user = self.request.user
        if created:
            return refusing_closed(
                lambda: services.action_create(
                    user=user,
                    item=data["item"],
                    description=data["description"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                )
            )
        return services.action_complete(user=user, action=instance, completed_date=instance.completed_date)


# Agenda items come with their meeting, so they are corrected, never created, here; a meeting is opened
# and read here (closing it is the meeting page's).
MeetingViewSet.http_method_names = ["get", "post", "head", "options"]
MeetingItemViewSet.http_method_names = ["get", "patch", "head", "options"]

ROUTES = [
    ("meetings", MeetingViewSet),
    ("meeting-items", MeetingItemViewSet),
    ("meeting-actions", MeetingActionViewSet),
]
