"""Coded values shared by models, forms and the data dictionary.

Values that are figures (targets, thresholds, comparators) live in reference
tables with their source and vintage, not here. These are the closed code lists.
"""

from django.db import models


class Role(models.TextChoices):
    """What a user does; decides what they may see and change."""

    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    QUADRANT_CHAIR = "quadrant_chair", "Quadrant tracker meeting chair"
    LA_ADMIN = "la_admin", "Local authority administrator"
    BOARD_MEMBER = "board_member", "LFJB board member"
    REGIONAL_ANALYST = "regional_analyst", "Regional analyst"
    # Service accounts: an LA's case system or data team calling the API with a token, never a person.
    API_READ = "api_read", "Service account (read)"
    API_WRITE = "api_write", "Service account (read and write)"


# Service accounts, by the scope of their tokens: they sign in only to the API (cases/api/auth.py).
SERVICE_ROLES = frozenset({Role.API_READ, Role.API_WRITE})
# Roles that work with identifiable children of their own LA.
LA_ROLES = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.QUADRANT_CHAIR, Role.LA_ADMIN, *SERVICE_ROLES})
# What each role may do is in cases/permissions.py.


class Sex(models.TextChoices):
    """CIN census sex codes."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known (including unborn)"


class Ethnicity(models.TextChoices):
    """CIN census ethnicity codes."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class GatewayOutcome(models.TextChoices):
    """Decision of the legal planning / legal gateway meeting (SSD legal gateway outcome)."""

    CONTINUE_PLAN = "continue_plan", "Continue current plan (no pre-proceedings)"
    START_PRE_PROCEEDINGS = "start_pre_proceedings", "Start pre-proceedings"
    ISSUE_PROCEEDINGS = "issue_proceedings", "Issue care proceedings"


class PPOutcome(models.TextChoices):
    """How a pre-proceedings episode ended (CIN PPOutcome)."""

    STEP_DOWN = "step_down", "Stepped down (child protection or child in need)"
    ISSUE = "issue", "Care proceedings issued"
    OTHER = "other", "Other (e.g. child moved away, case closed)"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class LegalRepresentation(models.TextChoices):
    """Whether the parents had legal representation in pre-proceedings (SSD)."""

    ALL = "all", "All parents represented"
    SOME = "some", "Some parents represented"
    NONE = "none", "No parent represented"
    UNKNOWN = "unknown", "Not known"


class ShortNoticeReason(models.TextChoices):
    """Why an application was made at short notice, bypassing pre-proceedings."""

    IMMEDIATE_SAFETY = "immediate_safety", "Immediate safety risk"
    ABDUCTION = "abduction", "Risk of abduction"
    EPO_CRITERIA = "epo_criteria", "Emergency protection order criteria met"
    OTHER = "other", "Other"


class MeetingKind(models.TextChoices):
    INITIAL = "initial", "Initial pre-proceedings meeting"
    REVIEW = "review", "Review meeting"


class AssessmentProvider(models.TextChoices):
    IN_HOUSE = "in_house", "In-house (LA social worker)"
    REGIONAL_HUB = "regional_hub", "Regional assessment hub"
    ISW = "isw", "Independent social worker"
    EXPERT = "expert", "Expert (e.g. psychologist, psychiatrist)"


class AssessmentOutcome(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    INCONCLUSIVE = "inconclusive", "Inconclusive"
    WITHDRAWN = "withdrawn", "Withdrawn or not completed"


class HearingStatus(models.TextChoices):
    """Status of a listing. Adjourned = on the day; vacated = cancelled before the day.

    A hearing adjourned or vacated and re-listed keeps its status: the new date is a new listing
    that replaces it (``Hearing.replaces``).
    """

    LISTED = "listed", "Listed"
    HELD = "held", "Held"
    ADJOURNED = "adjourned", "Adjourned (on the day)"
    VACATED = "vacated", "Vacated (cancelled before the day)"


# Statuses a listing can be given when its outcome is recorded.
HEARING_OUTCOMES = (HearingStatus.HELD, HearingStatus.ADJOURNED, HearingStatus.VACATED)
# A re-listing's fields, by the names the outcome gives them (``services.hearing_outcome_record``'s
# arguments and the outcome form's fields).
RELISTING_FIELDS = {"listed_date": "relisted_for", "listed_on": "relisted_on"}


class HearingOrder(models.TextChoices):
    """Orders made at a hearing (the child's final order is recorded on the child's part)."""

    EPO = "epo", "Emergency protection order"
    INTERIM_CARE = "interim_care", "Interim care order"
    INTERIM_SUPERVISION = "interim_supervision", "Interim supervision order"
    INTERIM_CHILD_ARRANGEMENTS = "interim_child_arrangements", "Interim child arrangements order"
    DIRECTIONS = "directions", "Case management directions"
    OTHER = "other", "Other order"


class CarePlan(models.TextChoices):
    """LA care plan for a child (SSD initial and final care plan)."""

    REMAIN_WITH_PARENTS = "remain_with_parents", "Remain with or return to parents"
    FAMILY_OR_FRIENDS = "family_or_friends", "Placement with family or friends"
    SGO = "sgo", "Special guardianship"
    LONG_TERM_FOSTERING = "long_term_fostering", "Long-term fostering"
    ADOPTION = "adoption", "Adoption"
    RESIDENTIAL = "residential", "Residential care"
    OTHER = "other", "Other"


class DelayedItem(models.TextChoices):
    """What a delay event held up."""

    PRE_PROCEEDINGS = "pre_proceedings", "Pre-proceedings decision"
    ASSESSMENT = "assessment", "Assessment"
    HEARING = "hearing", "Hearing"
    FINAL_HEARING = "final_hearing", "Final hearing"
    ISSUE = "issue", "Issue of proceedings"
    OTHER = "other", "Other"


class MeetingDecision(models.TextChoices):
    """What a quadrant tracker meeting decides for a case."""

    CONTINUE = "continue", "Continue with a review date"
    STEP_DOWN = "step_down", "Step down (child protection or child in need)"
    ISSUE = "issue", "Issue care proceedings"
    SEEK_EXTENSION = "seek_extension", "Seek an extension"
    ESCALATE = "escalate", "Escalate to a senior manager"


class ComparatorKind(models.TextChoices):
    """What a comparator figure is: only national figures go under "National" (REFERENCE.md section 4)."""

    NATIONAL = "national", "National figure (England)"
    REGIONAL_BASELINE = "regional_baseline", "The region's own baseline"
    LA_FIGURE = "la_figure", "A local authority's own figure"
    EXEMPLAR = "exemplar", "Good-practice exemplar"


class ScopeKind(models.TextChoices):
    """The part of an LA a dashboard, tracker or meeting covers."""

    LA = "la", "Whole local authority"
    AREA = "area", "Area or quadrant"
    TEAM = "team", "Team"
