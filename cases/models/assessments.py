"""Assessments and delay events, recorded during pre-proceedings or proceedings."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q

from cases import constants as c
from cases.models.pre_proceedings import PreProceedingsEpisode
from cases.models.proceedings import Proceedings
from cases.models.records import CaseRecord, Family, FieldCheckConstraint, feed_index, on_or_after, track_history
from cases.models.reference import AssessmentType, DelayReason


class LinkedToStage:
    """A record made during pre-proceedings or proceedings (``episode`` and ``proceedings`` fields)."""

    def link_to_current_stage(self) -> None:
        """Unless already linked: link to the family's open proceedings, else to its latest episode.

        The one rule for which stage a new record belongs to: the milestone form's record and the
        service both call it, so the form validates the record the service will save.
        """
        if self.episode_id or self.proceedings_id:
            return
        self.proceedings = self.family.proceedings.open().order_by("-issue_date", "-pk").first()
        if self.proceedings is None:
            self.episode = self.family.episodes.order_by("-gateway_meeting_date", "-pk").first()

    @property
    def is_linked(self) -> bool:
        return bool(self.episode_id or self.proceedings_id)


@track_history
class Assessment(LinkedToStage, CaseRecord):
    """An assessment instructed during pre-proceedings or proceedings."""

    family = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text="The family (case) the assessment is for.",
    )
    episode = models.ForeignKey(
        PreProceedingsEpisode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        help_text="Pre-proceedings episode during which it was instructed, if any.",
    )
    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        help_text="Proceedings during which it was instructed, if any.",
    )
    assessment_type = models.ForeignKey(AssessmentType, on_delete=models.PROTECT, help_text="Kind of assessment.")
    provider = models.CharField(max_length=20, choices=c.AssessmentProvider.choices, help_text="Who carries it out.")
    subject = models.CharField(max_length=200, blank=True, help_text="Who is assessed, e.g. mother, maternal aunt.")
    instructed_date = models.DateField("date instructed", help_text="Date the assessment was instructed.")
    due_date = models.DateField("due date", null=True, blank=True, help_text="Date the report is due.")
    completed_date = models.DateField(
        "completion date", null=True, blank=True, help_text="Date the report was completed."
    )
    outcome = models.CharField(
        max_length=20, choices=c.AssessmentOutcome.choices, blank=True, help_text="Conclusion of the assessment."
    )

    happened_dates = ("instructed_date", "completed_date")
    planned_dates = ("due_date",)

    class Meta:
        ordering = ["instructed_date"]
        indexes = [feed_index("assessment_feed")]
        constraints = [
            on_or_after(
                "due_date",
                "instructed_date",
                "assessment_due_after_instructed",
                "The due date must be on or after the date the assessment was instructed.",
            ),
            on_or_after(
                "completed_date",
                "instructed_date",
                "assessment_completed_after_instructed",
                "The completion date must be on or after the date the assessment was instructed.",
            ),
            FieldCheckConstraint(
                field="completed_date",
                condition=Q(outcome="") | Q(completed_date__isnull=False),
                name="assessment_outcome_needs_completion",
                violation_error_message="Enter the completion date before the outcome.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_type} instructed {self.instructed_date}"

    @property
    def awaiting_outcome(self) -> bool:
        """Not completed yet: its completion is a progress step, recorded once, then corrected."""
        return self.completed_date is None

    def clean(self) -> None:
        errors = {}
        if not self.is_linked:
            # Not a field of the milestone form (the link is worked out for it), so not on a field.
            errors[NON_FIELD_ERRORS] = "Link the assessment to the pre-proceedings episode or the proceedings."
        if errors:
            raise ValidationError(errors)


@track_history
class DelayEvent(LinkedToStage, CaseRecord):
    """Days lost on a case, with the reason coded from the delay taxonomy."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="delay_events", help_text="The family (case) that lost time."
    )
    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delay_events",
        help_text="The application that was delayed, if in proceedings.",
    )
    episode = models.ForeignKey(
        PreProceedingsEpisode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delay_events",
        help_text="The pre-proceedings episode that was delayed, if any.",
    )
    event_date = models.DateField("date of the delay", help_text="Date the delay happened or was identified.")
    delayed_item = models.CharField(max_length=20, choices=c.DelayedItem.choices, help_text="What was delayed.")
    days_lost = models.PositiveIntegerField(help_text="Calendar days lost.")
    reason = models.ForeignKey(DelayReason, on_delete=models.PROTECT, help_text="Reason code (maps to a driver).")
    note = models.TextField(blank=True, help_text="What happened, in brief.")

    happened_dates = ("event_date",)

    class Meta:
        ordering = ["event_date"]
        indexes = [feed_index("delayevent_feed")]
        constraints = [
            FieldCheckConstraint(
                field="days_lost",
                condition=Q(days_lost__gte=1),
                name="delay_days_lost_positive",
                violation_error_message="Days lost must be 1 or more.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days_lost} days lost on {self.event_date}"

    def clean(self) -> None:
        errors = {}
        if errors:
            raise ValidationError(errors)
