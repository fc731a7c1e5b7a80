"""Section 31 care proceedings: the application, each child's part, extensions and hearings."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases import constants as c
from cases import thresholds
from cases.models.pre_proceedings import PreProceedingsEpisode
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
from cases.models.reference import Court, DelayReason, HearingType, OrderOutcome
from cases.thresholds import Thresholds

# Open proceedings: not concluded (the database derives the date, migration 0012). The one
# definition, used by ``open()`` and the partial index that finds a family's open proceedings.
OPEN_PROCEEDINGS = Q(concluded_date__isnull=True)


class ProceedingsQuerySet(ScopedQuerySet):
    """Care applications, scoped to an LA, with the open ones."""

    def open(self) -> ProceedingsQuerySet:
        """Applications with a child still waiting for a final outcome."""
        return self.filter(OPEN_PROCEEDINGS)


@track_history
class Proceedings(CaseRecord):
    """A Section 31 care application: one court case number, one or more children."""

    objects = ProceedingsQuerySet.as_manager()

    family = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        related_name="proceedings",
        help_text="The family (case) the application is about.",
    )
    episode = models.ForeignKey(
        PreProceedingsEpisode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proceedings",
        help_text="Pre-proceedings episode that led to the application, if any.",
    )
    court = models.ForeignKey(Court, on_delete=models.PROTECT, help_text="Court where the case is heard.")
    court_case_number = models.CharField(max_length=40, help_text="Court case number (SSD court reference).")
    issue_date = models.DateField(
        "issue date", help_text="Date the application was issued: day 1 of the statutory time limit."
    )
    judge = models.CharField(max_length=100, blank=True, help_text="Allocated judge or tier.")
    guardian_allocated_date = models.DateField(
        "date the guardian was allocated",
        null=True,
        blank=True,
        help_text="Date a Cafcass children's guardian was allocated.",
    )
    short_notice = models.BooleanField(default=False, help_text="Application made at short notice (urgent).")
    short_notice_reason = models.CharField(
        max_length=20, choices=c.ShortNoticeReason.choices, blank=True, help_text="Why it was made at short notice."
    )
    concluded_date = models.DateField(
        null=True,
        blank=True,
        help_text="Date the last child's final order (or withdrawal, refusal, no order) was made. Derived.",
    )

    happened_dates = ("issue_date", "guardian_allocated_date", "concluded_date")

    class Meta:
        ordering = ["-issue_date"]
        verbose_name_plural = "proceedings"
        indexes = [
            feed_index("proceedings_feed"),
            models.Index(fields=["family"], condition=OPEN_PROCEEDINGS, name="proceedings_open_by_family"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "court_case_number"], name="proceedings_unique_number"),
            on_or_after(
                "guardian_allocated_date",
                "issue_date",
                "proceedings_guardian_after_issue",
                "The guardian must be allocated on or after the issue date.",
            ),
            on_or_after(
                "concluded_date",
                "issue_date",
                "proceedings_concluded_after_issue",
                "Proceedings conclude on or after the issue date.",
            ),
            models.CheckConstraint(
                condition=Q(short_notice=True, short_notice_reason__gt="")
                | Q(short_notice=False, short_notice_reason=""),
                name="proceedings_short_notice_reason",
                violation_error_message="Give the reason for a short-notice application (and only for one).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court_case_number} ({self.family})"

    @property
    def is_open(self) -> bool:
        """``OPEN_PROCEEDINGS`` on a loaded row."""
        return self.concluded_date is None

    def children_errors(self, children: list[Child]) -> dict[str, str]:
        """Why ``children`` cannot be the application's children, by field (empty when they can).

        Each is a child of the application's family, and a child already in it stays: a child
        leaves an application with a final outcome, not by being unticked. The page's form and
        ``services.proceedings_save`` (so the API) both ask this.
        """
        if any(child.family_id != self.family_id for child in children):
            return {"children": "Select children of the application's family."}
        if self.pk is not None:
            kept = {part.child_id for part in self.child_parts.all()}
            if not kept <= {child.pk for child in children}:
                return {"children": "A child cannot be taken out of an application here: record a final outcome."}
        return {}

    def clean(self) -> None:
        errors = {}
        if self.short_notice and not self.short_notice_reason:
            errors["short_notice_reason"] = "Select why the application was made at short notice."
        if not self.short_notice and self.short_notice_reason:
            errors["short_notice_reason"] = "Leave the reason empty unless the application was made at short notice."
        if errors:
            raise ValidationError(errors)


@track_history
class ChildProceedings(CaseRecord):
    """One child's part in an application: plans, extensions and final outcome."""

    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.CASCADE,
        related_name="child_parts",
        help_text="The application (court case) the child is part of.",
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="proceedings_parts", help_text="The child.")
    interim_plan = models.CharField(
        max_length=30, choices=c.CarePlan.choices, blank=True, help_text="LA's interim care plan (SSD)."
    )
    interim_plan_approved = models.BooleanField(null=True, blank=True, help_text="Court approved the interim plan.")
    final_plan = models.CharField(
        max_length=30, choices=c.CarePlan.choices, blank=True, help_text="LA's final care plan (SSD)."
    )
    final_plan_approved = models.BooleanField(null=True, blank=True, help_text="Court approved the final plan.")
    final_outcome = models.ForeignKey(
        OrderOutcome, on_delete=models.PROTECT, null=True, blank=True, help_text="Final order or other outcome."
    )
    final_outcome_date = models.DateField(
        "final order date", null=True, blank=True, help_text="Date of the final order or outcome."
    )

    happened_dates = ("final_outcome_date",)

    class Meta:
        ordering = ["proceedings", "child"]
        indexes = [feed_index("childproceedings_feed")]
        verbose_name_plural = "child proceedings"
        constraints = [
            models.UniqueConstraint(fields=["proceedings", "child"], name="child_proceedings_unique"),
            models.CheckConstraint(
                condition=Q(final_outcome__isnull=True, final_outcome_date__isnull=True)
                | Q(final_outcome__isnull=False, final_outcome_date__isnull=False),
                name="child_proceedings_outcome_with_date",
                violation_error_message="Record the final outcome and its date together.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} in {self.proceedings}"

    def clean(self) -> None:
        errors = {}
        if self.final_outcome_id and not self.final_outcome_date:
            errors["final_outcome_date"] = "Enter the date of the final order or outcome."
        if self.final_outcome_date and not self.final_outcome_id:
            errors["final_outcome"] = "Select the final order or outcome."
        issue = self.proceedings.issue_date if self.proceedings_id else None
        if self.final_outcome_date and issue and self.final_outcome_date < issue:
            errors.setdefault("final_outcome_date", "The final order date must be on or after the issue date.")
        if self.final_plan_approved is not None and not self.final_plan:
            errors["final_plan"] = "Select the final care plan before recording whether it was approved."
        if self.interim_plan_approved is not None and not self.interim_plan:
            errors["interim_plan"] = "Select the interim care plan before recording whether it was approved."
        if errors:
            raise ValidationError(errors)

    def current_end_date(self, *, before: Extension | None = None, limits: Thresholds | None = None) -> dt.date:
        """End of the child's timetable: issue + the statutory limit, moved by each extension granted.

        With ``before``, only the extensions granted before that one count (its own baseline).
        ``limits`` saves reading the thresholds again when the caller has them.
        """
        end = (limits or thresholds.current()).timetable_end(self.proceedings.issue_date)
        for extension in self.extensions.all():
            if before is not None and extension.pk == before.pk:
                continue
            later = before is not None and before.pk is not None and before.granted_date is not None
            if later and (extension.granted_date, extension.pk) > (before.granted_date, before.pk):
                continue
            end = max(end, extension.new_end_date)
        return end


@track_history
class Extension(CaseRecord):
    """An extension of a child's timetable (each up to the longest single extension, s.32(5))."""

    child_proceedings = models.ForeignKey(
        ChildProceedings,
        on_delete=models.CASCADE,
        related_name="extensions",
        help_text="The child's part in the application that is extended.",
    )
    granted_date = models.DateField("date the extension was granted", help_text="Date the court granted the extension.")
    new_end_date = models.DateField("new end date", help_text="New date by which the case must be decided.")
    reason = models.TextField(help_text="Why the extension was necessary to resolve the case justly.")

    happened_dates = ("granted_date",)
    planned_dates = ("new_end_date",)

    class Meta:
        ordering = ["granted_date"]
        indexes = [feed_index("extension_feed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_end_date__gt=models.F("granted_date")),
                name="extension_end_after_granted",
                violation_error_message="The new end date must be after the date the extension was granted.",
            ),
        ]

    def __str__(self) -> str:
        return f"Extension to {self.new_end_date}"

    def clean(self) -> None:
        errors = {}
        if self.granted_date and self.new_end_date and self.new_end_date <= self.granted_date:
            errors["new_end_date"] = "The new end date must be after the date the extension was granted."
        if not self.reason.strip():
            errors["reason"] = "Enter why the extension was necessary to resolve the case justly."
        if self.child_proceedings_id and self.new_end_date:
            limits = thresholds.current()
            current = self.child_proceedings.current_end_date(before=self, limits=limits)
            # Python dates end at 9999-12-31: a timetable ending that late has no later limit.
            latest = current + limits.extension_max if current <= dt.date.max - limits.extension_max else dt.date.max
            if "new_end_date" in errors:
                pass
            elif self.new_end_date <= current:
                errors["new_end_date"] = f"The new end date must be after the current end date, {current:%-d %B %Y}."
            elif self.new_end_date > latest:
                errors["new_end_date"] = (
                    f"An extension can be up to {limits.extension_max_weeks} weeks: the new end date must be on "
                    f"or before {latest:%-d %B %Y}."
                )
            issue = self.child_proceedings.proceedings.issue_date
            if self.granted_date and self.granted_date < issue:
                errors.setdefault("granted_date", "An extension is granted on or after the issue date.")
        if errors:
            raise ValidationError(errors)


def listed_as_at(day) -> Q:
    """Hearings listed as at ``day`` (REFERENCE.md 4, "Listed as at a date"): the one definition.

    A listing counts from the day it was made (``listed_on``) whatever date it is listed for,
    still counts once held or adjourned on the day, and stops counting from the day it was
    vacated. The live tracker asks it as at today; the monthly figures as at each month's end.
    """
    return Q(listed_on__lte=day) & (Q(vacated_on__isnull=True) | Q(vacated_on__gt=day))


def listed_as_at_sql(alias: str, day: str) -> str:
    """``listed_as_at`` for raw SQL: ``alias`` names the hearing table, ``day`` a date expression."""
    return f"({alias}.listed_on <= {day} AND ({alias}.vacated_on IS NULL OR {alias}.vacated_on > {day}))"


class HearingQuerySet(ScopedQuerySet):
    def listed_as_at(self, day: dt.date) -> HearingQuerySet:
        return self.filter(listed_as_at(day))


@track_history
class Hearing(CaseRecord):
    """One listing of a hearing in an application: made on a day, for a date, and what came of it.

    Adjourning or vacating a hearing and re-listing it makes a new listing that ``replaces`` it:
    the old one keeps its date and outcome, so figures for past months see the listings as they
    were then.
    """

    objects = HearingQuerySet.as_manager()

    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.CASCADE,
        related_name="hearings",
        help_text="The application the hearing is listed in.",
    )
    hearing_type = models.ForeignKey(HearingType, on_delete=models.PROTECT, help_text="Type of hearing.")
    listed_on = models.DateField(
        "date the listing was made",
        default=timezone.localdate,
        help_text="Date the court fixed the hearing's date; where unknown, the day the listing is entered.",
    )
    listed_date = models.DateField("listed date", help_text="Date the hearing is (or was) listed for.")
    status = models.CharField(
        max_length=10, choices=c.HearingStatus.choices, default=c.HearingStatus.LISTED, help_text="What happened."
    )
    vacated_on = models.DateField(
        "date vacated",
        null=True,
        blank=True,
        help_text="Date the hearing was vacated (cancelled before the day); from then it no longer counts as listed.",
    )
    reason = models.ForeignKey(
        DelayReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Reason code when adjourned or vacated (HMCTS reason list).",
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relisted_as",
        help_text="The listing this one replaces, when a hearing was adjourned or vacated and re-listed.",
    )
    orders_made = ArrayField(
        models.CharField(max_length=30, choices=c.HearingOrder.choices),
        default=list,
        blank=True,
        help_text="Orders made at the hearing, e.g. an interim care order.",
    )
    note = models.TextField(blank=True, help_text="Anything else about the hearing, in brief.")

    happened_dates = ("listed_on", "vacated_on")
    # Listed for a date ahead or past; whether it took place is the status's rule.
    planned_dates = ("listed_date",)

    class Meta:
        ordering = ["listed_date"]
        indexes = [feed_index("hearing_feed")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED]) | Q(reason__isnull=False),
                name="hearing_reason_when_adjourned_or_vacated",
                violation_error_message="Select the reason the hearing was adjourned or vacated.",
            ),
            FieldCheckConstraint(
                field="vacated_on",
                condition=Q(status=c.HearingStatus.VACATED, vacated_on__isnull=False)
                | (~Q(status=c.HearingStatus.VACATED) & Q(vacated_on__isnull=True)),
                name="hearing_vacated_on_when_vacated",
                violation_error_message="Enter the date the hearing was vacated (and only for a vacated hearing).",
            ),
            FieldCheckConstraint(
                field="vacated_on",
                condition=Q(vacated_on__isnull=True) | Q(vacated_on__lte=models.F("listed_date")),
                name="hearing_vacated_by_listed_date",
                violation_error_message=(
                    "A hearing is vacated on or before the day it is listed for: one put off on the day is adjourned."
                ),
            ),
            FieldCheckConstraint(
                field="orders_made",
                condition=Q(orders_made=[]) | Q(status__in=[c.HearingStatus.HELD, c.HearingStatus.ADJOURNED]),
                name="hearing_orders_when_it_took_place",
                violation_error_message="Orders are made only at a hearing that was held or adjourned on the day.",
            ),
            FieldCheckConstraint(
                field="replaces",
                condition=Q(replaces__isnull=True) | ~Q(replaces=models.F("pk")),
                name="hearing_does_not_replace_itself",
                violation_error_message="A listing cannot replace itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hearing_type} on {self.listed_date} ({self.get_status_display()})"

    @property
    def took_place(self) -> bool:
        """Held, or adjourned on the day (the metric's definition of a hearing that happened)."""
        return self.status in (c.HearingStatus.HELD, c.HearingStatus.ADJOURNED)

    @property
    def awaiting_outcome(self) -> bool:
        """Still listed: what came of it has not been recorded yet (it is recorded once, then corrected)."""
        return self.status == c.HearingStatus.LISTED

    def outcome_errors(self, *, status: str | None, relisted_for: dt.date | None) -> dict[str, str]:
        """Why ``status`` (and a re-listing for ``relisted_for``) cannot be recorded as what came of
        this listing as it is stored, by field (empty when it can).

        The outcome form and ``services.hearing_outcome_record`` (so the API) both ask this: an
        outcome is recorded once, as held, adjourned or vacated, and only an adjourned or vacated
        hearing is re-listed.
        """
        if not self.awaiting_outcome:
            return {"status": "What came of this hearing is already recorded: correct the hearing instead."}
        errors = {}
        if status not in c.HEARING_OUTCOMES:
            errors["status"] = "Select what happened at the hearing"
        if relisted_for and status not in (c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED):
            errors["relisted_for"] = "Only an adjourned or vacated hearing is re-listed: leave the new date empty."
        return errors

    @property
    def outcome_day(self) -> dt.date | None:
        """The day the listing ended: the hearing's date when it took place, the day it was vacated."""
        if self.status == c.HearingStatus.VACATED:
            return self.vacated_on
        return self.listed_date if self.took_place else None

    def clean(self) -> None:
        errors = {}
        adjourned_or_vacated = self.status in (c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED)
        if adjourned_or_vacated and not self.reason_id:
            errors["reason"] = f"Select the reason the hearing was {self.get_status_display().split()[0].lower()}."
        if not adjourned_or_vacated and self.reason_id:
            errors["reason"] = "Leave the reason empty unless the hearing was adjourned or vacated."
        if self.took_place and self.listed_date and self.listed_date > timezone.localdate():
            errors["status"] = "A hearing can only be recorded as held or adjourned on or after its date."
        if self.status == c.HearingStatus.VACATED and not self.vacated_on:
            errors["vacated_on"] = "Enter the date the hearing was vacated."
        if self.status != c.HearingStatus.VACATED and self.vacated_on:
            errors["vacated_on"] = "Leave the date vacated empty unless the hearing was vacated."
        if self.proceedings_id and self.listed_date and self.listed_date < self.proceedings.issue_date:
            errors.setdefault("listed_date", "A hearing cannot be listed before the application was issued.")
        if self.replaces_id:
            errors.update(self._replacement_errors())
        relisted = self.pk and Hearing.objects.filter(replaces_id=self.pk).exists()
        if relisted and not adjourned_or_vacated:
            errors.setdefault("status", "This hearing was re-listed, so it stays adjourned or vacated.")
        if errors:
            raise ValidationError(errors)

    def _replacement_errors(self) -> dict[str, str]:
        """A re-listing replaces an adjourned or vacated listing of the same application, on or after its end."""
        old = self.replaces
        if old.proceedings_id != self.proceedings_id:
            return {"replaces": "A re-listing replaces a hearing of the same application."}
        if old.status not in (c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED):
            return {"replaces": "Only an adjourned or vacated hearing is re-listed."}
        day = old.outcome_day
        if self.listed_date and day and self.listed_date < day:
            verb = "adjourned" if old.status == c.HearingStatus.ADJOURNED else "vacated"
            return {"listed_date": f"A re-listed hearing is listed on or after the day it was {verb}, {day:%-d %B %Y}."}
        return {}
