"""Quadrant tracker meetings (identifiable: they discuss named children)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from cases import constants as c
from cases.models.organisations import Area, Team
from cases.models.records import CaseRecord, Family, FieldCheckConstraint, ScopedQuerySet, feed_index, track_history


@track_history
class TrackerMeeting(CaseRecord):
    """A tracker meeting chaired for an LA, area (quadrant) or team on a date."""

    scope = models.CharField(max_length=10, choices=c.ScopeKind.choices, help_text="Part of the LA reviewed.")
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, help_text="Area or quadrant reviewed, if any."
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, help_text="Team reviewed, if any.")
    meeting_date = models.DateField("meeting date", help_text="Date the meeting is held.")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="Who chairs the meeting."
    )
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When the chair closed the meeting record.")

    # Recorded ahead of the day or after it.
    planned_dates = ("meeting_date",)

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        indexes = [feed_index("trackermeeting_feed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="la", area__isnull=True, team__isnull=True)
                | Q(scope="area", area__isnull=False, team__isnull=True)
                | Q(scope="team", team__isnull=False),
                name="meeting_scope_matches",
                violation_error_message="Choose the area or team the meeting reviews.",
            ),
        ]

    def __str__(self) -> str:
        return f"Tracker meeting {self.meeting_date:%-d %B %Y} ({self.scope_label})"

    @cached_property
    def worded_flags(self):
        """The flags in words with the thresholds in force, read once for a page of the agenda."""
        from cases import thresholds
        from cases.flags import worded_flags

        return worded_flags(thresholds.current())

    @property
    def scope_label(self) -> str:
        if self.scope == c.ScopeKind.TEAM and self.team_id:
            return self.team.name
        if self.scope == c.ScopeKind.AREA and self.area_id:
            return self.area.name
        return self.local_authority.short_name if self.local_authority_id else "LA"

    def clean(self) -> None:
        errors = {}
        if self.scope == c.ScopeKind.AREA and not self.area_id:
            errors["area"] = "Choose the area or quadrant the meeting reviews."
        if self.scope == c.ScopeKind.TEAM and not self.team_id:
            errors["team"] = "Choose the team the meeting reviews."
        if self.area_id and self.area.local_authority_id != self.local_authority_id:
            errors["area"] = "Choose an area of your own local authority."
        if self.team_id and self.team.local_authority_id != self.local_authority_id:
            errors["team"] = "Choose a team of your own local authority."
        if errors:
            raise ValidationError(errors)


@track_history
class MeetingItem(CaseRecord):
    """One case on a meeting's agenda, in the agreed order, with the decision made."""

    meeting = models.ForeignKey(
        TrackerMeeting, on_delete=models.CASCADE, related_name="items", help_text="The meeting."
    )
    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="meeting_items", help_text="The case discussed."
    )
    position = models.PositiveIntegerField(help_text="Order on the agenda, from 1.")
    start_time = models.TimeField(
        "start time", null=True, blank=True, help_text="When the case is due to be discussed (its time slot)."
    )
    stage = models.CharField(max_length=20, blank=True, help_text="Stage of the case when the agenda was set.")
    rag = models.CharField(max_length=5, blank=True, help_text="Red, amber or green status when the agenda was set.")
    flags = models.JSONField(default=list, blank=True, help_text="Flags raised when the agenda was set.")
    decision = models.CharField(
        max_length=20, choices=c.MeetingDecision.choices, blank=True, help_text="What the meeting decided."
    )
    review_date = models.DateField(
        "review date", null=True, blank=True, help_text="When the case comes back (for 'continue')."
    )
    note = models.TextField(blank=True, help_text="Reasons and discussion, in brief.")
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When the decision was recorded.")

    planned_dates = ("review_date",)

    class Meta:
        ordering = ["meeting", "position"]
        indexes = [feed_index("meetingitem_feed")]
        constraints = [
            # Checked when the transaction commits, so the chair's new order is saved row by row.
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="meeting_item_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(fields=["meeting", "family"], name="meeting_item_family_unique"),
            FieldCheckConstraint(
                field="review_date",
                condition=~Q(decision="continue") | Q(review_date__isnull=False),
                name="meeting_item_continue_needs_review_date",
                violation_error_message="Enter the review date for a case that continues.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.family}"

    @property
    def previous_decision_label(self) -> str:
        """The case's previous decision in words (on agenda items read with it, see selectors.meetings)."""
        code = getattr(self, "previous_decision", None)
        return c.MeetingDecision(code).label if code else ""

    @property
    def flag_labels(self) -> list[str]:
        """The flags raised when the agenda was set, in words (the thresholds read once per meeting)."""
        from cases.flags import flag_labels

        return flag_labels(self.flags, self.meeting.worded_flags)

    def clean(self) -> None:
        errors = {}
        if self.review_date and self.meeting_id and self.review_date <= self.meeting.meeting_date:
            errors["review_date"] = "The review date must be after the meeting."
        if errors:
            raise ValidationError(errors)


class MeetingActionQuerySet(ScopedQuerySet):
    """Meeting actions, scoped to an LA, with the open ones."""

    def open(self) -> MeetingActionQuerySet:
        """Actions not yet done."""
        return self.filter(completed_date__isnull=True)


@track_history
class MeetingAction(CaseRecord):
    """An action agreed for a case: what, who owns it, and by when."""

    objects = MeetingActionQuerySet.as_manager()

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="actions", help_text="The case the action is for."
    )
    item = models.ForeignKey(
        MeetingItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The meeting item that agreed it.",
    )
    description = models.CharField(max_length=300, help_text="What must be done.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
        help_text="The user of the LA who owns the action.",
    )
    owner_note = models.CharField(
        "owner as first written",
        max_length=100,
        blank=True,
        help_text="Who owned an action recorded before owners were users (kept as written; no single user matched).",
    )
    due_date = models.DateField("due date", help_text="When it must be done by.")
    completed_date = models.DateField(
        "completed date", null=True, blank=True, help_text="When it was done; empty while open."
    )

    happened_dates = ("completed_date",)
    planned_dates = ("due_date",)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [feed_index("meetingaction_feed")]

    def __str__(self) -> str:
        return self.description

    @property
    def owner_label(self) -> str:
        """Who owns the action, in words: the user's name, or the owner as first written."""
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.get_username()
        return self.owner_note

    @property
    def is_open(self) -> bool:
        """``open()`` on a loaded row."""
        return self.completed_date is None

    def clean(self) -> None:
        errors = {}
        if not (self.description or "").strip():
            errors["description"] = "Enter what must be done."
        if self.owner_id is None and not (self.owner_note or "").strip():
            errors["owner"] = "Choose who owns the action."
        elif self.owner_id and (
            self.owner.local_authority_id != self.local_authority_id or self.owner.role in c.SERVICE_ROLES
        ):
            errors["owner"] = "Choose a user of your own local authority to own the action."
        # Agreed at a meeting, an action cannot fall due before it (forms, services and the API all
        # validate through here).
        if self.due_date and self.item_id and self.due_date < self.item.meeting.meeting_date:
            errors["due_date"] = (
                f"The due date must be on or after the meeting ({self.item.meeting.meeting_date:%-d %B %Y})."
            )
        if errors:
            raise ValidationError(errors)


@track_history
class MeetingAttendee(CaseRecord):
    """Someone at a meeting: a user of the LA, or a named person (a lawyer, a partner agency) with their role."""

    meeting = models.ForeignKey(
        TrackerMeeting, on_delete=models.CASCADE, related_name="attendees", help_text="The meeting attended."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The user of the LA who attended, if they have an account.",
    )
    name = models.CharField(max_length=100, blank=True, help_text="The attendee's name, if not a user of the LA.")
    role = models.CharField(max_length=100, blank=True, help_text="Their role or organisation (e.g. LA solicitor).")

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="meeting_attendee_user_unique",
                violation_error_message="This user is already recorded as attending.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The attendee's name."""
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return self.name

    @property
    def role_label(self) -> str:
        """Their role as entered, or the user's role in the service."""
        if self.role:
            return self.role
        return self.user.get_role_display() if self.user_id else ""

    def clean(self) -> None:
        errors = {}
        self.name = (self.name or "").strip()
        self.role = (self.role or "").strip()
        if self.user_id is None and not self.name:
            errors["name"] = "Choose a user or enter the attendee's name."
        if self.user_id and self.name:
            errors["name"] = "Choose a user or enter a name, not both."
        elif self.user_id and (
            self.user.local_authority_id != self.local_authority_id or self.user.role in c.SERVICE_ROLES
        ):
            errors["user"] = "Choose a user of your own local authority."
        if errors:
            raise ValidationError(errors)
