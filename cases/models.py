"""The regional PLO schema: organisations, users, reference data, children and their PLO records.

Every identifiable record carries its local authority and is read through
``visible_to(user)``. Field ``help_text`` is the region's agreed definition: the data
dictionary page is generated from it. CIN census / SSD names are in ``cases.mapping``.
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cases import constants as c
from cases.constants import AGGREGATE_ONLY_ROLES, LA_ROLES, WRITE_ROLES, Role

# ---------------------------------------------------------------------------
# Organisation
# ---------------------------------------------------------------------------


class LocalAuthority(models.Model):
    """One of the region's local authorities (reference data loaded by migration)."""

    name = models.CharField(max_length=100, unique=True, help_text="Council name.")
    short_name = models.CharField(max_length=40, unique=True, help_text="Name used in tables and charts.")
    dfe_code = models.CharField(max_length=3, unique=True, help_text="DfE three-digit LA code.")
    ons_code = models.CharField(max_length=9, unique=True, help_text="ONS GSS code of the local authority.")
    case_system = models.CharField(max_length=40, blank=True, help_text="Case management system the LA runs.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """An LA's area or quadrant (editable reference data)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(max_length=100, help_text="Area or quadrant name, e.g. North East.")

    class Meta:
        ordering = ["local_authority__name", "name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "name"], name="area_unique_name_per_la")]

    def __str__(self) -> str:
        return f"{self.name} ({self.local_authority.short_name})"


class Team(models.Model):
    """A social work team within an area (editable reference data)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="teams")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=100, help_text="Team name.")

    class Meta:
        ordering = ["local_authority__name", "name"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "name"], name="team_unique_name_per_la")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    """Superusers created from the command line have no LA, so they get a regional role."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.REGIONAL_ANALYST)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: one LA (except regional roles) and one role."""

    objects = UserManager()

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SOCIAL_WORKER)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Required for LA roles; empty for board members and regional analysts.",
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(LA_ROLES)) | Q(local_authority__isnull=False),
                name="user_la_role_needs_la",
                violation_error_message="A user with an LA role must belong to a local authority.",
            )
        ]

    @property
    def has_la_access(self) -> bool:
        """True if the user may see identifiable children of their own LA."""
        return self.is_active and self.role in LA_ROLES and self.local_authority_id is not None

    @property
    def can_write_cases(self) -> bool:
        """True if the user may record or correct case data in their LA."""
        return self.has_la_access and self.role in WRITE_ROLES

    @property
    def is_aggregate_only(self) -> bool:
        """True for roles that see aggregate figures only."""
        return self.role in AGGREGATE_ONLY_ROLES


# ---------------------------------------------------------------------------
# Reference data (loaded by data migrations; figures carry source and vintage)
# ---------------------------------------------------------------------------


class ReferenceCode(models.Model):
    """Common shape of a coded reference list."""

    code = models.CharField(max_length=40, primary_key=True, help_text="Stable code used in extracts.")
    label = models.CharField(max_length=200, help_text="Agreed wording shown to users.")
    description = models.TextField(blank=True, help_text="What the code means and when to use it.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive codes stay valid on old records only.")

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label


class Court(ReferenceCode):
    """A family court hearing centre of the area."""


class HearingType(ReferenceCode):
    """A type of hearing in Section 31 proceedings (PD12A)."""


class OrderOutcome(ReferenceCode):
    """Final outcome of proceedings for one child."""

    concludes = models.BooleanField(default=True, help_text="Whether this outcome concludes the child's proceedings.")


class AssessmentType(ReferenceCode):
    """A kind of assessment, with its good-practice target where one exists."""

    target_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weeks from instruction to completion; empty means use the due date."
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the target comes from.")
    vintage = models.CharField(max_length=20, blank=True, help_text="Year the target was published.")


class DelayDriver(ReferenceCode):
    """A Trailblazer delay driver (top level of the delay taxonomy)."""

    source = models.CharField(max_length=200, blank=True)


class DelayReason(ReferenceCode):
    """A delay / adjournment reason code (second level), mapped to one driver."""

    driver = models.ForeignKey(DelayDriver, on_delete=models.PROTECT, related_name="reasons")
    category = models.CharField(max_length=100, help_text="HMCTS reason group, e.g. Local authority, Experts.")
    source = models.CharField(max_length=200, blank=True)


class Threshold(models.Model):
    """A timescale the tracker measures against (statutory or local policy)."""

    code = models.CharField(max_length=60, primary_key=True)
    label = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    unit = models.CharField(max_length=20, help_text="days or weeks")
    statutory = models.BooleanField(default=False)
    source = models.CharField(max_length=300)
    vintage = models.CharField(max_length=20)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"


class NationalComparator(models.Model):
    """A national or exemplar figure to compare the region against."""

    metric = models.CharField(max_length=60, help_text="Metric code the figure compares with.")
    label = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=30)
    source = models.CharField(max_length=300)
    vintage = models.CharField(max_length=20)
    uncertain = models.BooleanField(default=False, help_text="True where the source's figure is doubtful.")

    class Meta:
        ordering = ["metric", "label"]
        constraints = [models.UniqueConstraint(fields=["metric", "label", "vintage"], name="comparator_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.vintage})"


class ChildPopulation(models.Model):
    """Children aged 0-17 in an LA in a year (ONS mid-year estimate)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="populations")
    year = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=300)
    vintage = models.CharField(max_length=20)

    class Meta:
        ordering = ["local_authority__name", "year"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "year"], name="population_unique_la_year"),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority} {self.year}: {self.population}"


# ---------------------------------------------------------------------------
# Case data (identifiable; every row belongs to one LA)
# ---------------------------------------------------------------------------


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


@track_history
class PreProceedingsEpisode(CaseRecord):
    """One pre-proceedings episode for a family, from legal gateway decision to step decision."""

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

    class Meta:
        ordering = ["-gateway_meeting_date"]
        indexes = [
            models.Index(
                fields=["family"],
                condition=Q(start_date__isnull=False, step_decision_date__isnull=True),
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
            models.CheckConstraint(
                condition=Q(court_application_date__isnull=True) | Q(outcome=c.PPOutcome.ISSUE),
                name="episode_application_only_when_issued",
                violation_error_message="A court application date needs the outcome 'Care proceedings issued'.",
            ),
            models.CheckConstraint(
                condition=Q(step_decision_date__isnull=True)
                | ~Q(fgdm_offered=True)
                | Q(fgdm_facilitated__isnull=False),
                name="episode_offered_fgdm_says_if_held",
                violation_error_message="Say whether the offered family group meeting took place.",
            ),
            models.CheckConstraint(
                condition=Q(fgdm_held_date__isnull=True) | Q(fgdm_facilitated=True),
                name="episode_fgdm_held_date_needs_held",
                violation_error_message="A family group meeting date needs the meeting to have taken place.",
            ),
        ]

    def __str__(self) -> str:
        return f"Pre-proceedings for {self.family} from {self.start_date or self.gateway_meeting_date}"

    @property
    def is_open(self) -> bool:
        return self.start_date is not None and self.step_decision_date is None

    def clean(self) -> None:
        errors = not_in_future(
            self,
            [
                "gateway_meeting_date",
                "start_date",
                "lbp_sent_date",
                "fgdm_offered_date",
                "fgdm_held_date",
                "step_decision_date",
                "court_application_date",
                "letter_initiating_cp_date",
            ],
        )
        errors.update({k: v for k, v in date_order_errors(self).items() if k not in errors})
        if self.gateway_outcome == c.GatewayOutcome.START_PRE_PROCEEDINGS and self.start_date is None:
            errors.setdefault("start_date", "Enter the date pre-proceedings started.")
        if bool(self.step_decision_date) != bool(self.outcome):
            field = "outcome" if self.step_decision_date else "step_decision_date"
            errors.setdefault(field, "Record the outcome and the decision date together.")
        if self.court_application_date and self.outcome != c.PPOutcome.ISSUE:
            errors.setdefault(
                "court_application_date", "A court application date needs the outcome 'Care proceedings issued'."
            )
        if self.letter_initiating_cp_date and not self.court_application_date:
            errors.setdefault("court_application_date", "Enter the court application date before the letter.")
        if self.step_decision_date and self.fgdm_offered and self.fgdm_facilitated is None:
            errors.setdefault("fgdm_facilitated", "Say whether the offered family group meeting took place.")
        if self.fgdm_facilitated and not self.fgdm_offered:
            errors.setdefault("fgdm_offered", "A family group meeting that took place must have been offered.")
        if self.fgdm_held_date and not self.fgdm_facilitated:
            errors.setdefault("fgdm_held_date", "A family group meeting date needs the meeting to have taken place.")
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

    class Meta:
        ordering = ["meeting_date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.meeting_date}"

    def clean(self) -> None:
        errors = not_in_future(self, ["meeting_date"])
        start = self.episode.start_date if self.episode_id else None
        if self.meeting_date and start and self.meeting_date < start:
            errors.setdefault("meeting_date", "A pre-proceedings meeting must be on or after the start date.")
        if errors:
            raise ValidationError(errors)


@track_history
class Proceedings(CaseRecord):
    """A Section 31 care application: one court case number, one or more children."""

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
    issue_date = models.DateField("issue date", help_text="Date the application was issued: day 1 of the 26 weeks.")
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

    class Meta:
        ordering = ["-issue_date"]
        verbose_name_plural = "proceedings"
        indexes = [
            models.Index(
                fields=["family"], condition=Q(concluded_date__isnull=True), name="proceedings_open_by_family"
            ),
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

    def clean(self) -> None:
        errors = not_in_future(self, ["issue_date", "guardian_allocated_date"])
        errors.update({k: v for k, v in date_order_errors(self).items() if k not in errors})
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

    class Meta:
        ordering = ["proceedings", "child"]
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
        errors = not_in_future(self, ["final_outcome_date"])
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

    def current_end_date(self, *, before: Extension | None = None) -> dt.date:
        """End of the child's timetable: issue + 26 weeks, moved by each extension granted.

        With ``before``, only the extensions granted before that one count (its own baseline).
        """
        end = self.proceedings.issue_date + dt.timedelta(weeks=26)
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
    """An extension of a child's 26-week timetable (up to 8 weeks each, s.32(5))."""

    child_proceedings = models.ForeignKey(
        ChildProceedings,
        on_delete=models.CASCADE,
        related_name="extensions",
        help_text="The child's part in the application that is extended.",
    )
    granted_date = models.DateField("date the extension was granted", help_text="Date the court granted the extension.")
    new_end_date = models.DateField("new end date", help_text="New date by which the case must be decided.")
    reason = models.TextField(help_text="Why the extension was necessary to resolve the case justly.")

    class Meta:
        ordering = ["granted_date"]
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
        errors = not_in_future(self, ["granted_date"])
        if self.granted_date and self.new_end_date and self.new_end_date <= self.granted_date:
            errors["new_end_date"] = "The new end date must be after the date the extension was granted."
        if not self.reason.strip():
            errors["reason"] = "Enter why the extension was necessary to resolve the case justly."
        if self.child_proceedings_id and self.new_end_date:
            current = self.child_proceedings.current_end_date(before=self)
            if "new_end_date" in errors:
                pass
            elif self.new_end_date <= current:
                errors["new_end_date"] = f"The new end date must be after the current end date, {current:%-d %B %Y}."
            elif self.new_end_date > current + dt.timedelta(weeks=8):
                errors["new_end_date"] = (
                    f"An extension can be up to 8 weeks: the new end date must be on or before "
                    f"{current + dt.timedelta(weeks=8):%-d %B %Y}."
                )
            issue = self.child_proceedings.proceedings.issue_date
            if self.granted_date and self.granted_date < issue:
                errors.setdefault("granted_date", "An extension is granted on or after the issue date.")
        if errors:
            raise ValidationError(errors)


@track_history
class Hearing(CaseRecord):
    """A hearing listed in an application."""

    proceedings = models.ForeignKey(
        Proceedings,
        on_delete=models.CASCADE,
        related_name="hearings",
        help_text="The application the hearing is listed in.",
    )
    hearing_type = models.ForeignKey(HearingType, on_delete=models.PROTECT, help_text="Type of hearing.")
    listed_date = models.DateField("listed date", help_text="Date the hearing is (or was) listed for.")
    status = models.CharField(
        max_length=10, choices=c.HearingStatus.choices, default=c.HearingStatus.LISTED, help_text="What happened."
    )
    reason = models.ForeignKey(
        DelayReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Reason code when adjourned or vacated (HMCTS reason list).",
    )
    relisted_date = models.DateField("re-listed date", null=True, blank=True, help_text="New date when re-listed.")
    note = models.TextField(blank=True, help_text="Anything else about the hearing, in brief.")

    class Meta:
        ordering = ["listed_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED]) | Q(reason__isnull=False),
                name="hearing_reason_when_adjourned_or_vacated",
                violation_error_message="Select the reason the hearing was adjourned or vacated.",
            ),
            models.CheckConstraint(
                condition=Q(relisted_date__isnull=True) | Q(relisted_date__gt=models.F("listed_date")),
                name="hearing_relisted_after_listed",
                violation_error_message="The re-listed date must be after the original listed date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hearing_type} on {self.listed_date} ({self.get_status_display()})"

    @property
    def took_place(self) -> bool:
        """Held, or adjourned on the day (the metric's definition of a hearing that happened)."""
        return self.status in (c.HearingStatus.HELD, c.HearingStatus.ADJOURNED)

    def clean(self) -> None:
        from django.utils import timezone

        errors = {}
        adjourned_or_vacated = self.status in (c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED)
        if adjourned_or_vacated and not self.reason_id:
            errors["reason"] = f"Select the reason the hearing was {self.get_status_display().split()[0].lower()}."
        if self.status == c.HearingStatus.LISTED and self.reason_id:
            errors["reason"] = "Leave the reason empty unless the hearing was adjourned or vacated."
        took_place = self.status in (c.HearingStatus.HELD, c.HearingStatus.ADJOURNED)
        if took_place and self.listed_date and self.listed_date > timezone.localdate():
            errors["status"] = "A hearing can only be recorded as held or adjourned on or after its date."
        if self.relisted_date and self.listed_date and self.relisted_date <= self.listed_date:
            errors["relisted_date"] = "The re-listed date must be after the original listed date."
        if self.status == c.HearingStatus.RELISTED and not self.relisted_date:
            errors["relisted_date"] = "Enter the date the hearing is re-listed for."
        if self.proceedings_id and self.listed_date and self.listed_date < self.proceedings.issue_date:
            errors.setdefault("listed_date", "A hearing cannot be listed before the application was issued.")
        if errors:
            raise ValidationError(errors)


@track_history
class Assessment(CaseRecord):
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

    class Meta:
        ordering = ["instructed_date"]
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
            models.CheckConstraint(
                condition=Q(outcome="") | Q(completed_date__isnull=False),
                name="assessment_outcome_needs_completion",
                violation_error_message="Enter the completion date before the outcome.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_type} instructed {self.instructed_date}"

    def clean(self) -> None:
        errors = not_in_future(self, ["instructed_date", "completed_date"])
        errors.update({k: v for k, v in date_order_errors(self).items() if k not in errors})
        if self.outcome and not self.completed_date:
            errors.setdefault("completed_date", "Enter the completion date before the outcome.")
        if not self.episode_id and not self.proceedings_id:
            errors["episode"] = "Link the assessment to the pre-proceedings episode or the proceedings."
        if errors:
            raise ValidationError(errors)


@track_history
class DelayEvent(CaseRecord):
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

    class Meta:
        ordering = ["event_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days_lost__gte=1),
                name="delay_days_lost_positive",
                violation_error_message="Days lost must be 1 or more.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days_lost} days lost on {self.event_date}"

    def clean(self) -> None:
        errors = not_in_future(self, ["event_date"])
        if self.days_lost is not None and self.days_lost < 1:
            errors["days_lost"] = "Days lost must be 1 or more."
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------
# Quadrant tracker meetings (identifiable: they discuss named children)
# ---------------------------------------------------------------------------


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

    class Meta:
        ordering = ["-meeting_date", "-pk"]
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

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="meeting_item_position_unique"),
            models.UniqueConstraint(fields=["meeting", "family"], name="meeting_item_family_unique"),
            models.CheckConstraint(
                condition=~Q(decision="continue") | Q(review_date__isnull=False),
                name="meeting_item_continue_needs_review_date",
                violation_error_message="Enter the review date for a case that continues.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.family}"

    @property
    def flag_labels(self) -> list[str]:
        """The flags raised when the agenda was set, in words."""
        from cases.tracker import FLAGS_BY_CODE

        return [FLAGS_BY_CODE[code].label if code in FLAGS_BY_CODE else code for code in self.flags]

    def clean(self) -> None:
        errors = {}
        if self.decision == c.MeetingDecision.CONTINUE and not self.review_date:
            errors["review_date"] = "Enter the review date for a case that continues."
        if self.review_date and self.meeting_id and self.review_date <= self.meeting.meeting_date:
            errors["review_date"] = "The review date must be after the meeting."
        if errors:
            raise ValidationError(errors)


@track_history
class MeetingAction(CaseRecord):
    """An action agreed for a case: what, who owns it, and by when."""

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
    owner = models.CharField(max_length=100, help_text="Who owns the action (name or role).")
    due_date = models.DateField("due date", help_text="When it must be done by.")
    completed_date = models.DateField(
        "completed date", null=True, blank=True, help_text="When it was done; empty while open."
    )

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.completed_date is None

    def clean(self) -> None:
        errors = not_in_future(self, ["completed_date"])
        if not (self.description or "").strip():
            errors["description"] = "Enter what must be done."
        if not (self.owner or "").strip():
            errors["owner"] = "Enter who owns the action."
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------
# The tracker's per-case facts (a database view)
# ---------------------------------------------------------------------------


class TrackerRow(models.Model):
    """Facts about each open case that the tracker's flags need, computed set-based by a database view.

    One row per family with an open pre-proceedings episode or open proceedings (the latest of each).
    The ``cases_trackerrow`` view (migration 0006) defines the facts; they are stored in
    ``cases_trackerfacts``, which statement-level triggers on every source table refresh for the
    families a write touches (migration 0007), so the tracker list reads stored rows. The family's
    team and social worker are copied in too (migration 0008), so the list can filter, sort and page
    on this table alone. Read-only from Django: nothing else writes to it.
    """

    family = models.OneToOneField(
        Family, primary_key=True, on_delete=models.DO_NOTHING, related_name="tracker_row", db_column="family_id"
    )
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    episode_id = models.BigIntegerField(null=True)
    episode_start = models.DateField(null=True)
    fgdm_held = models.BooleanField()
    proceedings_id = models.BigIntegerField(null=True)
    issue_date = models.DateField(null=True)
    last_meeting = models.DateField(null=True)
    extended_to = models.DateField(null=True)
    has_irh = models.BooleanField()
    next_assessment_due = models.DateField(null=True)
    next_action_due = models.DateField(null=True)
    repeat_episode = models.BooleanField()
    youngest_dob = models.DateField(null=True, help_text="Date of birth of the youngest child born.")
    has_unborn = models.BooleanField()
    team = models.ForeignKey(Team, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False)
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )

    # When each flag is raised (inclusive) and, for two, lowered (exclusive); NULL: cannot be raised.
    # Migration 0009 defines them; ``cases.tracker`` compares them with today.
    started_on = models.DateField(null=True)
    timetable_end = models.DateField(null=True)
    s31_past_limit_from = models.DateField(null=True)
    pp_over_threshold_from = models.DateField(null=True)
    overdue_action_from = models.DateField(null=True)
    no_social_worker_from = models.DateField(null=True)
    s31_at_risk_from = models.DateField(null=True)
    s31_at_risk_until = models.DateField(null=True)
    no_irh_by_20_from = models.DateField(null=True)
    no_review_from = models.DateField(null=True)
    overdue_assessment_from = models.DateField(null=True)
    no_family_network_meeting_from = models.DateField(null=True)
    repeat_episode_from = models.DateField(null=True)
    baby_or_unborn_from = models.DateField(null=True)
    baby_or_unborn_until = models.DateField(null=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "cases_trackerfacts"

    def __str__(self) -> str:
        return f"Tracker facts for family {self.family_id}"
