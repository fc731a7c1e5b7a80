"""Pre-proceedings: the episode from legal gateway decision to step decision, and its meetings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from cases import constants as c
from cases.models.records import (
    CaseRecord,
    Child,
    Family,
    FieldCheckConstraint,
    ScopedQuerySet,
    feed_index,
    on_or_after,
    track_history,
)

# An open episode: started, with no step-down or issue decision yet. The one definition, used by
# ``open()`` and the partial index that finds a family's open episode.
OPEN_EPISODE = Q(start_date__isnull=False, step_decision_date__isnull=True)


class EpisodeQuerySet(ScopedQuerySet):
    """Pre-proceedings episodes, scoped to an LA, with the open ones."""

    def open(self) -> EpisodeQuerySet:
        """Episodes that have started and have no step-down or issue decision yet."""
        return self.filter(OPEN_EPISODE)


@track_history
class PreProceedingsEpisode(CaseRecord):
    """One pre-proceedings episode for a family, from legal gateway decision to step decision."""

    objects = EpisodeQuerySet.as_manager()

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="episodes", help_text="The family (case) the episode is for."
    )
    children = models.ManyToManyField(Child, related_name="episodes", help_text="Children in this episode.")
    gateway_meeting_date = models.DateField(
        "legal gateway meeting date", help_text="Date of the legal planning / legal gateway meeting."
    )
    gateway_outcome = models.CharField(
        max_length=30, choices=c.GatewayOutcome.choices, help_text="Decision of the legal gateway meeting (SSD)."
    )
    start_date = models.DateField(
        "pre-proceedings start date",
        null=True,
        blank=True,
        help_text="Date pre-proceedings started (CIN PPStartDate): the gateway decision date.",
    )
    lbp_sent_date = models.DateField(
        "date the letter before proceedings was sent",
        null=True,
        blank=True,
        help_text="Date the letter before proceedings was sent (CIN LBPSentDate).",
    )
    fgdm_offered = models.BooleanField(
        "family group meeting offered",
        null=True,
        blank=True,
        help_text="Whether a family group decision-making meeting was offered (CIN FGDMMeetingOffer).",
    )
    fgdm_offered_date = models.DateField(
        "date the family group meeting was offered", null=True, blank=True, help_text="Date the FGC/FGDM was offered."
    )
    fgdm_facilitated = models.BooleanField(
        "family group meeting took place",
        null=True,
        blank=True,
        help_text="Whether the offered FGDM took place (CIN FGDMMeetingFac).",
    )
    fgdm_held_date = models.DateField(
        "date the family group meeting was held", null=True, blank=True, help_text="Date the FGC/FGDM was held."
    )
    recorded_review_count = models.PositiveSmallIntegerField(
        "review meetings recorded",
        null=True,
        blank=True,
        validators=[MaxValueValidator(99)],
        help_text=(
            "Number of review meetings held as a tracker recorded it without their dates (CIN ReviewMeetingsCount "
            "when no dated review meetings are recorded)."
        ),
    )
    previous_pre_proceedings = models.BooleanField(
        default=False, help_text="A child in the episode had a previous pre-proceedings episode (SSD)."
    )
    previous_care_proceedings = models.BooleanField(
        default=False, help_text="A child in the episode was previously in care proceedings (SSD)."
    )
    parents_legal_representation = models.CharField(
        max_length=10,
        choices=c.LegalRepresentation.choices,
        default=c.LegalRepresentation.UNKNOWN,
        help_text="Whether the parents had legal representation (SSD).",
    )
    pre_birth = models.BooleanField(default=False, help_text="Started before the birth of a child in the episode.")
    step_decision_date = models.DateField(
        "decision date",
        null=True,
        blank=True,
        help_text="Date of the decision to step down or issue (CIN StepDecisionDate).",
    )
    outcome = models.CharField(
        max_length=10, choices=c.PPOutcome.choices, blank=True, help_text="How the episode ended (CIN PPOutcome)."
    )
    court_application_date = models.DateField(
        "court application date",
        null=True,
        blank=True,
        help_text="Date the care application was made to court (CIN CourtAppDate).",
    )
    letter_initiating_cp_date = models.DateField(
        "date of the letter initiating proceedings",
        null=True,
        blank=True,
        help_text="Date the letter initiating care proceedings was sent (CIN LetterInitCPDate).",
    )

    happened_dates = (
        "gateway_meeting_date",
        "start_date",
        "lbp_sent_date",
        "fgdm_offered_date",
        "fgdm_held_date",
        "step_decision_date",
        "court_application_date",
        "letter_initiating_cp_date",
    )

    @property
    def fgdm_awaiting_outcome(self) -> bool:
        """A family group meeting was offered and whether it took place is not recorded yet."""
        return bool(self.fgdm_offered) and self.fgdm_facilitated is None

    class Meta:
        ordering = ["-gateway_meeting_date"]
        indexes = [
            feed_index("preproceedingsepisode_feed"),
            models.Index(
                fields=["family"],
                condition=OPEN_EPISODE,
                name="episode_open_by_family",
            ),
        ]
        constraints = [
            on_or_after(
                "start_date",
                "gateway_meeting_date",
                "episode_start_after_gateway",
                "The pre-proceedings start date must be on or after the legal gateway meeting.",
            ),
            on_or_after(
                "lbp_sent_date",
                "start_date",
                "episode_lbp_after_start",
                "The letter before proceedings must be sent on or after the pre-proceedings start date.",
            ),
            on_or_after(
                "fgdm_held_date",
                "fgdm_offered_date",
                "episode_fgdm_held_after_offer",
                "The family group meeting must be held on or after the date it was offered.",
            ),
            on_or_after(
                "step_decision_date",
                "start_date",
                "episode_decision_after_start",
                "The step-down or issue decision must be on or after the pre-proceedings start date.",
            ),
            on_or_after(
                "court_application_date",
                "step_decision_date",
                "episode_application_after_decision",
                "The court application must be on or after the decision to issue.",
            ),
            on_or_after(
                "letter_initiating_cp_date",
                "court_application_date",
                "episode_letter_after_application",
                "The letter initiating care proceedings must be on or after the court application.",
            ),
            models.CheckConstraint(
                condition=Q(step_decision_date__isnull=True, outcome="")
                | (Q(step_decision_date__isnull=False) & ~Q(outcome="")),
                name="episode_outcome_with_decision",
                violation_error_message="Record the outcome and the decision date together.",
            ),
            FieldCheckConstraint(
                field="court_application_date",
                condition=Q(court_application_date__isnull=True) | Q(outcome=c.PPOutcome.ISSUE),
                name="episode_application_only_when_issued",
                violation_error_message="A court application date needs the outcome 'Care proceedings issued'.",
            ),
            FieldCheckConstraint(
                field="fgdm_facilitated",
                condition=Q(step_decision_date__isnull=True)
                | ~Q(fgdm_offered=True)
                | Q(fgdm_facilitated__isnull=False),
                name="episode_offered_fgdm_says_if_held",
                violation_error_message="Say whether the offered family group meeting took place.",
            ),
            FieldCheckConstraint(
                field="fgdm_held_date",
                condition=Q(fgdm_held_date__isnull=True) | Q(fgdm_facilitated=True),
                name="episode_fgdm_held_date_needs_held",
                violation_error_message="A family group meeting date needs the meeting to have taken place.",
            ),
        ]

    def __str__(self) -> str:
        return f"Pre-proceedings for {self.family} from {self.start_date or self.gateway_meeting_date}"

    @property
    def is_open(self) -> bool:
        """``OPEN_EPISODE`` on a loaded row."""
        return self.start_date is not None and self.step_decision_date is None

    def clean(self) -> None:
        errors = {}
        if self.gateway_outcome == c.GatewayOutcome.START_PRE_PROCEEDINGS and self.start_date is None:
            errors.setdefault("start_date", "Enter the date pre-proceedings started.")
        if bool(self.step_decision_date) != bool(self.outcome):
            field = "outcome" if self.step_decision_date else "step_decision_date"
            errors.setdefault(field, "Record the outcome and the decision date together.")
        if self.letter_initiating_cp_date and not self.court_application_date:
            errors.setdefault("court_application_date", "Enter the court application date before the letter.")
        if self.fgdm_facilitated and not self.fgdm_offered:
            errors.setdefault("fgdm_offered", "A family group meeting that took place must have been offered.")
        if errors:
            raise ValidationError(errors)


@track_history
class PreProceedingsMeeting(CaseRecord):
    """An initial or review pre-proceedings meeting with parents and their lawyers."""

    episode = models.ForeignKey(
        PreProceedingsEpisode,
        on_delete=models.CASCADE,
        related_name="meetings",
        help_text="The pre-proceedings episode the meeting belongs to.",
    )
    kind = models.CharField(max_length=10, choices=c.MeetingKind.choices, help_text="Initial or review meeting.")
    meeting_date = models.DateField(
        "meeting date", help_text="Date the meeting took place (initial: CIN InitialPPMeetingDate)."
    )
    note = models.TextField(blank=True, help_text="What was agreed, in brief.")

    happened_dates = ("meeting_date",)

    class Meta:
        ordering = ["meeting_date"]
        indexes = [feed_index("preproceedingsmeeting_feed")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.meeting_date}"

    def clean(self) -> None:
        errors = {}
        start = self.episode.start_date if self.episode_id else None
        if self.meeting_date and start and self.meeting_date < start:
            errors.setdefault("meeting_date", "A pre-proceedings meeting must be on or after the start date.")
        if errors:
            raise ValidationError(errors)
