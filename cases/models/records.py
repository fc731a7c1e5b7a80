"""The base of every identifiable record (its LA, who changed it when, its history) and the case:
family and children.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cases import constants as c
from cases.models.organisations import LocalAuthority, Team


# Every insert, update and delete of case data is written to an event table by a database
# trigger, so bulk operations and raw SQL are recorded too. The request middleware (or
# ``pghistory.context`` in services, tasks and commands) adds who made the change.
def track_history(model: type[models.Model]) -> type[models.Model]:
    """Record inserts, updates and deletes of ``model`` (fresh trackers per model, as pghistory needs)."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        obj_field=pghistory.ObjForeignKey(related_name="history", db_constraint=False),
    )(model)


# Constraint name -> (later field, earlier field), so clean() can report the rule on the field.
DATE_RULES: dict[str, tuple[str, str]] = {}


def on_or_after(later: str, earlier: str, name: str, message: str) -> models.CheckConstraint:
    """A date-order rule the database enforces: ``later`` is empty, or on or after ``earlier``."""
    constraint = models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__gte": models.F(earlier)}),
        name=name,
        violation_error_message=message,
    )
    DATE_RULES[name] = (later, earlier)
    return constraint


def not_in_future(instance: models.Model, fields: list[str]) -> dict[str, str]:
    """Errors for date fields later than today (a milestone is recorded once it has happened)."""
    from django.utils import timezone

    today = timezone.localdate()
    errors = {}
    for name in fields:
        value = getattr(instance, name)
        if value is not None and value > today:
            label = instance._meta.get_field(name).verbose_name
            errors[name] = f"The {label} must be today or in the past."
    return errors


def date_order_errors(instance: models.Model) -> dict[str, str]:
    """The model's date-order CheckConstraints as field errors (shown before the database is asked)."""
    errors = {}
    for constraint in instance._meta.constraints:
        rule = DATE_RULES.get(constraint.name)
        if rule is None:
            continue
        later, earlier = rule
        a, b = getattr(instance, later), getattr(instance, earlier)
        if a is not None and b is not None and a < b:
            errors.setdefault(later, constraint.violation_error_message)
    return errors


class ScopedQuerySet(models.QuerySet):
    """Queryset of LA-owned rows; ``visible_to`` is the one tenancy filter."""

    def visible_to(self, user) -> ScopedQuerySet:
        """Rows of the user's own LA; nothing for aggregate-only or inactive users."""
        if user is None or not user.is_authenticated or not user.has_la_access:
            return self.none()
        return self.filter(local_authority_id=user.local_authority_id)


class CaseRecord(models.Model):
    """Common fields of every identifiable record: its LA and who changed it when."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", help_text="LA that owns the record."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who created the record.",
    )
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record was last changed.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last changed the record.",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_constraints(self):
        """Unique constraints only: each model's clean() reports its CheckConstraints on the right field.

        The CheckConstraints stay in the database as the backstop for imports and bulk writes; left
        here, full_clean() would also report each broken rule a second time as a non-field error.
        """
        return [
            (model, [x for x in constraints if not isinstance(x, models.CheckConstraint)])
            for model, constraints in super().get_constraints()
        ]


@track_history
class Family(CaseRecord):
    """A case: a child or sibling group who go through pre-proceedings or proceedings together."""

    la_reference = models.CharField(
        "LA reference", max_length=40, help_text="The LA's own family or case reference (SSD family id)."
    )
    name = models.CharField(max_length=100, help_text="Working name for the family, e.g. the main family surname.")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="families", help_text="Allocated team."
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocated_families",
        help_text="Allocated social worker.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "families"
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "la_reference"], name="family_unique_ref_per_la"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.la_reference})"


@track_history
class Child(CaseRecord):
    """A child (or unborn child) known to the LA."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="children", help_text="The family (case) the child belongs to."
    )
    la_child_id = models.CharField(
        "LA child ID", max_length=40, help_text="The LA's own child reference (CIN LAchildID)."
    )
    first_name = models.CharField(max_length=100, blank=True, help_text="First name; may be empty for an unborn child.")
    last_name = models.CharField(max_length=100, help_text="Family name.")
    date_of_birth = models.DateField(
        "date of birth", null=True, blank=True, help_text="Date of birth (CIN PersonBirthDate)."
    )
    expected_due_date = models.DateField(
        "expected due date",
        null=True,
        blank=True,
        help_text="Expected date of birth of an unborn child (CIN ExpectedPersonBirthDate).",
    )
    sex = models.CharField(max_length=1, choices=c.Sex.choices, default=c.Sex.UNKNOWN, help_text="Sex (CIN).")
    ethnicity = models.CharField(
        max_length=4, choices=c.Ethnicity.choices, default=c.Ethnicity.NOBT, help_text="Ethnicity (CIN code)."
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "la_child_id"], name="child_unique_ref_per_la"),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(expected_due_date__isnull=False),
                name="child_dob_or_due_date",
                violation_error_message="Enter a date of birth, or an expected due date for an unborn child.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.la_child_id

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None

    def clean(self) -> None:
        errors = not_in_future(self, ["date_of_birth"])
        if self.date_of_birth is None and self.expected_due_date is None:
            errors["date_of_birth"] = "Enter a date of birth, or an expected due date for an unborn child."
        if self.date_of_birth is not None and self.expected_due_date is not None:
            errors["expected_due_date"] = "Leave the expected due date empty once the child is born."
        if errors:
            raise ValidationError(errors)
