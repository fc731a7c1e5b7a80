"""The regional PLO schema: organisations, users, reference data, children and their PLO records.

Every identifiable record carries its local authority and is read through
``visible_to(user)``. Field ``help_text`` is the region's agreed definition: the data
dictionary page is generated from it. CIN census / SSD names are in ``cases.mapping``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
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


class Family(CaseRecord):
    """A case: a child or sibling group who go through pre-proceedings or proceedings together."""

    la_reference = models.CharField(max_length=40, help_text="The LA's own family or case reference (SSD family id).")
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


class Child(CaseRecord):
    """A child (or unborn child) known to the LA."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="children")
    la_child_id = models.CharField(max_length=40, help_text="The LA's own child reference (CIN LAchildID).")
    first_name = models.CharField(max_length=100, blank=True, help_text="First name; may be empty for an unborn child.")
    last_name = models.CharField(max_length=100, help_text="Family name.")
    date_of_birth = models.DateField(null=True, blank=True, help_text="Date of birth (CIN PersonBirthDate).")
    expected_due_date = models.DateField(
        null=True, blank=True, help_text="Expected date of birth of an unborn child (CIN ExpectedPersonBirthDate)."
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


class PreProceedingsEpisode(CaseRecord):
    """One pre-proceedings episode for a family, from legal gateway decision to step decision."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="episodes")
    children = models.ManyToManyField(Child, related_name="episodes", help_text="Children in this episode.")
    gateway_meeting_date = models.DateField(help_text="Date of the legal planning / legal gateway meeting.")
    gateway_outcome = models.CharField(
        max_length=30, choices=c.GatewayOutcome.choices, help_text="Decision of the legal gateway meeting (SSD)."
    )
    start_date = models.DateField(
        null=True, blank=True, help_text="Date pre-proceedings started (CIN PPStartDate): the gateway decision date."
    )
    lbp_sent_date = models.DateField(
        null=True, blank=True, help_text="Date the letter before proceedings was sent (CIN LBPSentDate)."
    )
    fgdm_offered = models.BooleanField(
        null=True,
        blank=True,
        help_text="Whether a family group decision-making meeting was offered (CIN FGDMMeetingOffer).",
    )
    fgdm_offered_date = models.DateField(null=True, blank=True, help_text="Date the FGC/FGDM was offered.")
    fgdm_facilitated = models.BooleanField(
        null=True, blank=True, help_text="Whether the offered FGDM took place (CIN FGDMMeetingFac)."
    )
    fgdm_held_date = models.DateField(null=True, blank=True, help_text="Date the FGC/FGDM was held.")
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
        null=True, blank=True, help_text="Date of the decision to step down or issue (CIN StepDecisionDate)."
    )
    outcome = models.CharField(
        max_length=10, choices=c.PPOutcome.choices, blank=True, help_text="How the episode ended (CIN PPOutcome)."
    )
    court_application_date = models.DateField(
        null=True, blank=True, help_text="Date the care application was made to court (CIN CourtAppDate)."
    )
    letter_initiating_cp_date = models.DateField(
        null=True,
        blank=True,
        help_text="Date the letter initiating care proceedings was sent (CIN LetterInitCPDate).",
    )

    class Meta:
        ordering = ["-gateway_meeting_date"]

    def __str__(self) -> str:
        return f"Pre-proceedings for {self.family} from {self.start_date or self.gateway_meeting_date}"

    @property
    def is_open(self) -> bool:
        return self.start_date is not None and self.step_decision_date is None


class PreProceedingsMeeting(CaseRecord):
    """An initial or review pre-proceedings meeting with parents and their lawyers."""

    episode = models.ForeignKey(PreProceedingsEpisode, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=10, choices=c.MeetingKind.choices, help_text="Initial or review meeting.")
    meeting_date = models.DateField(help_text="Date the meeting took place (initial: CIN InitialPPMeetingDate).")
    note = models.TextField(blank=True, help_text="What was agreed, in brief.")

    class Meta:
        ordering = ["meeting_date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.meeting_date}"


class Proceedings(CaseRecord):
    """A Section 31 care application: one court case number, one or more children."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="proceedings")
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
    issue_date = models.DateField(help_text="Date the application was issued: day 1 of the 26 weeks.")
    judge = models.CharField(max_length=100, blank=True, help_text="Allocated judge or tier.")
    guardian_allocated_date = models.DateField(
        null=True, blank=True, help_text="Date a Cafcass children's guardian was allocated."
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
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "court_case_number"], name="proceedings_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.court_case_number} ({self.family})"


class ChildProceedings(CaseRecord):
    """One child's part in an application: plans, extensions and final outcome."""

    proceedings = models.ForeignKey(Proceedings, on_delete=models.CASCADE, related_name="child_parts")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="proceedings_parts")
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
    final_outcome_date = models.DateField(null=True, blank=True, help_text="Date of the final order or outcome.")

    class Meta:
        ordering = ["proceedings", "child"]
        constraints = [
            models.UniqueConstraint(fields=["proceedings", "child"], name="child_proceedings_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.child} in {self.proceedings}"


class Extension(CaseRecord):
    """An extension of a child's 26-week timetable (up to 8 weeks each, s.32(5))."""

    child_proceedings = models.ForeignKey(ChildProceedings, on_delete=models.CASCADE, related_name="extensions")
    granted_date = models.DateField(help_text="Date the court granted the extension.")
    new_end_date = models.DateField(help_text="New date by which the case must be decided.")
    reason = models.TextField(help_text="Why the extension was necessary to resolve the case justly.")

    class Meta:
        ordering = ["granted_date"]

    def __str__(self) -> str:
        return f"Extension to {self.new_end_date}"


class Hearing(CaseRecord):
    """A hearing listed in an application."""

    proceedings = models.ForeignKey(Proceedings, on_delete=models.CASCADE, related_name="hearings")
    hearing_type = models.ForeignKey(HearingType, on_delete=models.PROTECT, help_text="Type of hearing.")
    listed_date = models.DateField(help_text="Date the hearing is (or was) listed for.")
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
    relisted_date = models.DateField(null=True, blank=True, help_text="New date when re-listed.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["listed_date"]

    def __str__(self) -> str:
        return f"{self.hearing_type} on {self.listed_date} ({self.get_status_display()})"


class Assessment(CaseRecord):
    """An assessment instructed during pre-proceedings or proceedings."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="assessments")
    episode = models.ForeignKey(
        PreProceedingsEpisode, on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments"
    )
    proceedings = models.ForeignKey(
        Proceedings, on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments"
    )
    assessment_type = models.ForeignKey(AssessmentType, on_delete=models.PROTECT, help_text="Kind of assessment.")
    provider = models.CharField(max_length=20, choices=c.AssessmentProvider.choices, help_text="Who carries it out.")
    subject = models.CharField(max_length=200, blank=True, help_text="Who is assessed, e.g. mother, maternal aunt.")
    instructed_date = models.DateField(help_text="Date the assessment was instructed.")
    due_date = models.DateField(null=True, blank=True, help_text="Date the report is due.")
    completed_date = models.DateField(null=True, blank=True, help_text="Date the report was completed.")
    outcome = models.CharField(
        max_length=20, choices=c.AssessmentOutcome.choices, blank=True, help_text="Conclusion of the assessment."
    )

    class Meta:
        ordering = ["instructed_date"]

    def __str__(self) -> str:
        return f"{self.assessment_type} instructed {self.instructed_date}"


class DelayEvent(CaseRecord):
    """Days lost on a case, with the reason coded from the delay taxonomy."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="delay_events")
    proceedings = models.ForeignKey(
        Proceedings, on_delete=models.SET_NULL, null=True, blank=True, related_name="delay_events"
    )
    episode = models.ForeignKey(
        PreProceedingsEpisode, on_delete=models.SET_NULL, null=True, blank=True, related_name="delay_events"
    )
    event_date = models.DateField(help_text="Date the delay happened or was identified.")
    delayed_item = models.CharField(max_length=20, choices=c.DelayedItem.choices, help_text="What was delayed.")
    days_lost = models.PositiveIntegerField(help_text="Calendar days lost.")
    reason = models.ForeignKey(DelayReason, on_delete=models.PROTECT, help_text="Reason code (maps to a driver).")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["event_date"]

    def __str__(self) -> str:
        return f"{self.days_lost} days lost on {self.event_date}"
