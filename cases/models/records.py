"""The base of every identifiable record (its LA, who changed it when, its history) and the case:
family and children.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import ClassVar

import pghistory
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q
from django.utils import timezone

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


class NotInPythonError(Exception):
    """A constraint condition that ``condition_holds`` does not evaluate itself (the database does)."""


_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_SKIP = object()  # the condition names a field left out of validation: Django skips the constraint


def condition_holds(condition: Q, instance: models.Model, *, exclude=None) -> bool:
    """Whether a check constraint's condition holds for ``instance``, worked out in Python.

    The same answer as Django's ``Q.check`` (which asks the database, one query and a savepoint per
    constraint per save): SQL's three-valued logic, where a comparison with NULL is unknown and a
    CHECK passes unless its condition is false; ``field=None`` means IS NULL. A condition naming a
    field in ``exclude`` is skipped, as Django skips it. Lookups other than exact, comparisons, ``in``
    and ``isnull``, or expressions other than ``F``, raise ``NotInPythonError`` (the caller asks the
    database). A test compares both answers over every constraint of the case models.
    """
    exclude = set(exclude or ())
    values = {
        field.name: getattr(instance, field.attname)
        for field in instance._meta.local_concrete_fields
        if field.name not in exclude
    }
    if "pk" not in exclude:
        values["pk"] = instance.pk
    result = _truth(condition, values)
    return result is _SKIP or result is not False


def _truth(condition: Q, values: dict):
    results = []
    for child in condition.children:
        result = _truth(child, values) if isinstance(child, Q) else _lookup_truth(*child, values)
        if result is _SKIP:
            return _SKIP
        results.append(result)
    if condition.connector == Q.AND:
        result = False if False in results else None if None in results else True
    else:
        result = True if True in results else None if None in results else False
    if condition.negated and result is not None:
        result = not result
    return result


def _lookup_truth(key: str, rhs, values: dict):
    name, _, lookup = key.partition("__")
    lookup = lookup or "exact"
    if lookup not in (*_COMPARISONS, "in", "isnull"):
        raise NotInPythonError(key)  # a transform or a lookup across a relation
    if name not in values:
        return _SKIP
    value = values[name]
    if lookup == "isnull":
        return (value is None) == bool(rhs)
    if lookup == "exact" and rhs is None:
        return value is None
    if isinstance(rhs, models.F):
        if rhs.name not in values:
            return _SKIP
        rhs = values[rhs.name]
    elif hasattr(rhs, "resolve_expression"):
        raise NotInPythonError(key)
    if value is None:
        return None
    if lookup == "in":
        items = list(rhs)
        return True if value in items else None if None in items else False
    if rhs is None:
        return None
    try:
        return _COMPARISONS[lookup](value, rhs)
    except TypeError:
        raise NotInPythonError(key) from None


# Constraint name -> (later field, earlier field), so clean() can report the rule on the field.
class FieldCheckConstraint(models.CheckConstraint):
    """A CheckConstraint whose violation is reported on the field it is about.

    The database enforces it (the backstop for imports, bulk writes and raw SQL), and model
    validation runs the same condition (Django asks the database to evaluate it against the
    instance), so a rule is written once, as the constraint, and a form shows its message on
    ``field``. In migrations it is a plain CheckConstraint: ``field`` is about messages only.
    """

    def __init__(self, *, field: str, **kwargs):
        self.field = field
        super().__init__(**kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS) -> None:
        try:
            holds = condition_holds(self.condition, instance, exclude=exclude)
        except NotInPythonError:
            holds = True
            try:
                super().validate(model, instance, exclude=exclude, using=using)
            except ValidationError as error:
                raise ValidationError({self.field: error}) from None
        if not holds:
            raise ValidationError(
                {self.field: ValidationError(self.get_violation_error_message(), code=self.violation_error_code)}
            )

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs

    def clone(self) -> FieldCheckConstraint:
        _path, args, kwargs = self.deconstruct()
        return self.__class__(*args, field=self.field, **kwargs)


class DateOrderConstraint(FieldCheckConstraint):
    """A date-order rule (``on_or_after``) that also knows its two fields, so a check over rows already
    loaded (the census extract's validation) asks ``holds`` instead of writing the rule again."""

    def __init__(self, *, later: str, earlier: str, **kwargs):
        self.later = later
        self.earlier = earlier
        super().__init__(field=later, **kwargs)

    def holds(self, later: dt.date | None, earlier: dt.date | None) -> bool:
        """The rule on two values, without the database: either is empty, or ``later`` is on or after ``earlier``."""
        return later is None or earlier is None or later >= earlier

    def clone(self) -> DateOrderConstraint:
        return on_or_after(self.later, self.earlier, self.name, self.violation_error_message)


def on_or_after(later: str, earlier: str, name: str, message: str) -> DateOrderConstraint:
    """A date-order rule: ``later`` is empty, or on or after ``earlier`` (reported on ``later``)."""
    return DateOrderConstraint(
        later=later,
        earlier=earlier,
        condition=Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__gte": models.F(earlier)}),
        name=name,
        violation_error_message=message,
    )


# No case date is earlier (see CaseRecord.date_bound_errors): an earlier one is a mistyped year.
EARLIEST_DATE = dt.date(1900, 1, 1)


def feed_index(name: str) -> models.Index:
    """The index of a table's changes feed: the API lists an LA's records in the order they changed."""
    return models.Index(fields=["local_authority", "updated_at", "id"], name=name)


class ScopedQuerySet(models.QuerySet):
    """Queryset of LA-owned rows; ``visible_to`` is the one tenancy filter."""

    def visible_to(self, user) -> ScopedQuerySet:
        """Rows of the user's own LA; nothing for aggregate-only or inactive users."""
        # Imported here: the permissions module names the case models, so it loads after them.
        from cases.permissions import SEE_IDENTIFIABLE

        if not SEE_IDENTIFIABLE(user):
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

    # Sane bounds on every date, so a mistyped year is refused on its field instead of being stored
    # (where a far-future date would break the pages and sums that add to it). Every date field of
    # a case model is declared in one of these (a test checks it). Nothing is before EARLIEST_DATE;
    # a date of something that has happened (a meeting held, a letter sent, an order made) is today
    # or earlier; a planned date (due, listed, review) at most PLO_MAX_YEARS_AHEAD years ahead;
    # the others at most their number of months ahead.
    happened_dates: ClassVar[tuple[str, ...]] = ()
    planned_dates: ClassVar[tuple[str, ...]] = ()
    months_ahead: ClassVar[dict[str, int]] = {}

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def latest_date(self, name: str, *, today: dt.date) -> dt.date | None:
        """The latest date the field accepts, or None when it has no upper bound."""
        if name in self.happened_dates:
            return today
        if name in self.planned_dates:
            return today + relativedelta(years=settings.PLO_MAX_YEARS_AHEAD)
        if name in self.months_ahead:
            return today + relativedelta(months=self.months_ahead[name])
        return None

    def date_bound_errors(
        self, *, exclude: set[str] | frozenset[str] = frozenset(), labels: dict[str, str] | None = None
    ) -> dict[str, str]:
        """The date fields outside their bounds, each with its message (naming the field by ``labels``
        where a form shows it under another label)."""
        today = timezone.localdate()
        errors = {}
        for name in (*self.happened_dates, *self.planned_dates, *self.months_ahead):
            value = getattr(self, name)
            if name in exclude or not isinstance(value, dt.date):
                continue
            label = (labels or {}).get(name) or self._meta.get_field(name).verbose_name
            latest = self.latest_date(name, today=today)
            if value < EARLIEST_DATE:
                errors[name] = f"The {label} must be on or after {EARLIEST_DATE:%-d %B %Y}."
            elif latest is not None and value > latest:
                if name in self.happened_dates:
                    errors[name] = f"The {label} must be today or in the past."
                else:
                    errors[name] = f"The {label} must be on or before {latest:%-d %B %Y}."
        return errors

    def clean_fields(self, exclude=None) -> None:
        """Each field's own rules, then the date bounds of the fields not excluded (a form's own fields)."""
        exclude = set(exclude or ())
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude | self._links_loaded())
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, message in self.date_bound_errors(exclude=exclude | set(errors)).items():
            errors[name] = [message]
        if errors:
            raise ValidationError(errors)

    def _links_loaded(self) -> set[str]:
        """The links to a record this instance holds, loaded or saved (Django would query that each exists).

        A form's choice was checked against its choices and an import's record was loaded or just
        saved, so asking the database again proves nothing; the foreign key in the database stays
        the backstop. A link with ``limit_choices_to`` is still checked.
        """
        loaded = set()
        for field in self._meta.concrete_fields:
            if not (field.many_to_one and field.is_cached(self)) or field.get_limit_choices_to():
                continue
            related = field.get_cached_value(self)
            if related is not None and not related._state.adding and related.pk == getattr(self, field.attname):
                loaded.add(field.name)
        return loaded

    def full_clean(
        self, exclude=None, validate_unique=True, validate_constraints=True, *, unique_constraints=True
    ) -> None:
        """Validate as Django does, keeping one message per field: the first rule it breaks.

        A field's own rules (a real date, within its bounds) run first, so a date of 31/12/9999 is
        refused for that and not also for coming after another date. ``unique_constraints=False``
        leaves the unique constraints to the caller, who checks a whole batch at once
        (``cases.services.records.unique_errors``).
        """
        self._check_unique_constraints = unique_constraints
        try:
            super().full_clean(
                exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints
            )
        except ValidationError as error:
            raise ValidationError(
                {
                    name: messages if name == NON_FIELD_ERRORS else messages[:1]
                    for name, messages in error.error_dict.items()
                }
            ) from None
        finally:
            del self._check_unique_constraints

    def get_constraints(self):
        """Unique constraints and the check constraints that name their field.

        A plain CheckConstraint stays in the database only: reported here it would be a message
        at the top of a form rather than on the field it is about.
        """
        unique = getattr(self, "_check_unique_constraints", True)
        return [
            (
                model,
                [
                    x
                    for x in constraints
                    if isinstance(x, FieldCheckConstraint)
                    or (isinstance(x, models.UniqueConstraint) and unique)
                    or not isinstance(x, models.CheckConstraint | models.UniqueConstraint)
                ],
            )
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
    legal_hold = models.BooleanField(
        default=False,
        help_text="Kept past the LA's retention period (a legal hold): the retention purge never removes it.",
    )

    class Meta:
        ordering = ["name"]
        indexes = [feed_index("family_feed")]
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

    happened_dates = ("date_of_birth",)
    # A pregnancy lasts about nine months: a due date further ahead is a mistyped year.
    months_ahead: ClassVar[dict[str, int]] = {"expected_due_date": 10}

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [feed_index("child_feed")]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "la_child_id"], name="child_unique_ref_per_la"),
            FieldCheckConstraint(
                field="date_of_birth",
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
        errors = {}
        if self.date_of_birth is not None and self.expected_due_date is not None:
            errors["expected_due_date"] = "Leave the expected due date empty once the child is born."
        if errors:
            raise ValidationError(errors)
