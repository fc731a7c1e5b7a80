"""Pre-proceedings episodes and meetings, assessments and delay events.

Each endpoint writes the fields the milestone pages let a user write (``cases.forms.milestones``),
through the service the page calls: the same validation, who and when, the change history. What a
page works out rather than asks is read-only here too: an assessment's or a delay's link to its
episode or proceedings is the service's (``LinkedToStage.link_to_current_stage``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django_filters import ModelChoiceFilter
from rest_framework import serializers

from cases import models as m
from cases import services
from cases.api.base import RecordSerializer, RecordViewSet, VisibleRelatedField, changes_filterset

# -- serializers ----------------------------------------------------------------------------------


class EpisodeSerializer(RecordSerializer):
    family = VisibleRelatedField(
        queryset=m.Family.objects.all(), help_text="The family (case) the episode is for. Set when it is created."
    )
    children = VisibleRelatedField(
        queryset=m.Child.objects.all(),
        many=True,
        allow_empty=False,
        help_text="The children in this episode (children of its family).",
    )

    class Meta:
        model = m.PreProceedingsEpisode
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "family",
            "children",
            # The legal gateway decision (EpisodeStartForm).
            "gateway_meeting_date",
            "gateway_outcome",
            "start_date",
            "pre_birth",
            "previous_pre_proceedings",
            "previous_care_proceedings",
            "parents_legal_representation",
            # The letter before proceedings (LetterForm).
            "lbp_sent_date",
            # The family group meeting (FamilyMeetingForm).
            "fgdm_offered",
            "fgdm_offered_date",
            "fgdm_facilitated",
            "fgdm_held_date",
            # The step-down or issue decision (DecisionForm).
            "step_decision_date",
            "outcome",
            "court_application_date",
            "letter_initiating_cp_date",
        )


class PPMeetingSerializer(RecordSerializer):
    episode = VisibleRelatedField(
        queryset=m.PreProceedingsEpisode.objects.all(),
        help_text="The open pre-proceedings episode the meeting belongs to. Set when it is created.",
    )

    class Meta:
        model = m.PreProceedingsMeeting
        fields = (*RecordSerializer.RECORD_FIELDS, "episode", "kind", "meeting_date", "note")


class AssessmentSerializer(RecordSerializer):
    family = VisibleRelatedField(
        queryset=m.Family.objects.all(), help_text="The family (case) the assessment is for. Set when it is created."
    )
    # Reference data, the same for every LA; a new record takes an active code (as the page offers).
    assessment_type = serializers.PrimaryKeyRelatedField(
        queryset=m.AssessmentType.objects.filter(active=True),
        help_text="Kind of assessment: the code of an active assessment type (see the reference data).",
    )

    class Meta:
        model = m.Assessment
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "family",
            "episode",
            "proceedings",
            "assessment_type",
            "provider",
            "subject",
            "instructed_date",
            "due_date",
            "completed_date",
            "outcome",
        )
        read_only_fields = ("episode", "proceedings")
        extra_kwargs = {
            "episode": {"help_text": "Pre-proceedings episode it was instructed in (linked by the service)."},
            "proceedings": {"help_text": "Proceedings it was instructed in (linked by the service)."},
            "due_date": {
                "help_text": "Date the report is due. Left empty, the assessment type's target (if any) sets it."
            },
        }


class DelayEventSerializer(RecordSerializer):
    family = VisibleRelatedField(
        queryset=m.Family.objects.all(), help_text="The family (case) that lost time. Set when it is created."
    )
    reason = serializers.PrimaryKeyRelatedField(
        queryset=m.DelayReason.objects.filter(active=True),
        help_text="Reason code: the code of an active delay reason (see the reference data).",
    )

    class Meta:
        model = m.DelayEvent
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "family",
            "episode",
            "proceedings",
            "event_date",
            "delayed_item",
            "days_lost",
            "reason",
            "note",
        )
        read_only_fields = ("episode", "proceedings")
        extra_kwargs = {
            "episode": {"help_text": "The pre-proceedings episode that was delayed, if any (linked by the service)."},
            "proceedings": {"help_text": "The application that was delayed, if any (linked by the service)."},
        }


# -- viewsets ---------------------------------------------------------------------------------------


class EpisodeViewSet(RecordViewSet):
    """The LA's pre-proceedings episodes: the legal gateway decision, the letter before proceedings,
    the family group meeting and the step-down or issue decision."""

    model = m.PreProceedingsEpisode
    serializer_class = EpisodeSerializer
    filterset_class = changes_filterset(m.PreProceedingsEpisode, "family", "gateway_outcome", "outcome")
    writable = True
    create_only = ("family",)
    prefetch_related = (Prefetch("children", queryset=m.Child.objects.only("pk").order_by("pk")),)

    def save_record(self, instance, data, *, created):
        children = data.get("children")
        # Savepoint: a refusal below undoes the service's save (a 400 does not roll the request back).
        with transaction.atomic():
            services.episode_save(user=self.request.user, episode=instance, children=children)
            # The service keeps only children of the episode's family: say so rather than drop one.
            if children is not None and {child.pk for child in instance.children.all()} != {
                child.pk for child in children
            }:
                raise ValidationError({"children": "Select only children of the episode's family."})
        return instance


class PPMeetingFilter(changes_filterset(m.PreProceedingsMeeting, "episode", "kind")):
    family = ModelChoiceFilter(
        field_name="episode__family", queryset=m.Family.objects.all(), label="Meetings of this family (case)."
    )


class PPMeetingViewSet(RecordViewSet):
    """The LA's initial and review pre-proceedings meetings (a new one on an open episode, as on the page)."""

    model = m.PreProceedingsMeeting
    serializer_class = PPMeetingSerializer
    filterset_class = PPMeetingFilter
    writable = True
    create_only = ("episode",)
    select_related = (*RecordViewSet.select_related, "episode")

    def families_of(self, records):
        return [meeting.episode.family_id for meeting in records]

    def save_record(self, instance, data, *, created):
        if created and not instance.episode.is_open:
            # As on the page, which records a new meeting on the family's open episode only.
            raise ValidationError(
                {"episode": "A new meeting belongs to an open episode (started, with no step-down or issue decision)."}
            )
        return services.pp_meeting_save(user=self.request.user, meeting=instance)


class AssessmentViewSet(RecordViewSet):
    """The LA's assessments, each linked by the service to the open proceedings or the latest episode."""

    model = m.Assessment
    serializer_class = AssessmentSerializer
    filterset_class = changes_filterset(
        m.Assessment, "family", "episode", "proceedings", "assessment_type", "provider", "outcome"
    )
    writable = True
    create_only = ("family",)

    def save_record(self, instance, data, *, created):
        return services.assessment_save(user=self.request.user, assessment=instance)


class DelayEventViewSet(RecordViewSet):
    """The LA's delay events (days lost, with a coded reason), linked by the service to the current stage."""

    model = m.DelayEvent
    serializer_class = DelayEventSerializer
    filterset_class = changes_filterset(m.DelayEvent, "family", "episode", "proceedings", "delayed_item", "reason")
    writable = True
    create_only = ("family",)

    def save_record(self, instance, data, *, created):
        return services.delay_event_save(user=self.request.user, event=instance)


ROUTES = [
    ("pp-episodes", EpisodeViewSet),
    ("pp-meetings", PPMeetingViewSet),
    ("assessments", AssessmentViewSet),
    ("delay-events", DelayEventViewSet),
]
