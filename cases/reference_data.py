"""The region's agreed reference data, loaded by data migrations.

Figures (targets, thresholds, comparators, populations) carry their source and vintage so
that a board paper can say where each number comes from. Codes are stable: extracts and
imports use them, so change a label freely but never reuse a code for something else.
"""

from __future__ import annotations

from cases.constants import ComparatorKind

TRAILBLAZER = "DFJ Trailblazer Good Practice Guide (Essex & Suffolk), 2025"
HMCTS_CODES = "HMCTS public law adjournment and vacated hearing reason codes"

LOCAL_AUTHORITIES = [
    # name, short name, DfE code, ONS code, case system
    ("Essex County Council", "Essex", "881", "E10000012", "Mosaic"),
    ("Suffolk County Council", "Suffolk", "935", "E10000029", "Liquidlogic"),
    ("Southend-on-Sea City Council", "Southend-on-Sea", "882", "E06000033", "Liquidlogic"),
    ("Thurrock Council", "Thurrock", "883", "E06000034", "Liquidlogic"),
]

# Areas and teams are editable in admin; these are the demo defaults. Essex's four quadrants are
# commonly named as below (the district mapping is not confirmed). Team names are synthetic.
AREAS_AND_TEAMS = {
    "881": {
        "North East": ["Colchester Family Support", "Tendring Family Support"],
        "Mid": ["Chelmsford Family Support", "Braintree Family Support"],
        "South": ["Basildon Family Support", "Castle Point and Rochford Family Support"],
        "West": ["Harlow Family Support", "Epping Forest and Uttlesford Family Support"],
    },
    "935": {
        "North": ["Lowestoft Children and Young People", "Mid Suffolk Children and Young People"],
        "South": ["Ipswich Children and Young People", "Felixstowe and Babergh Children and Young People"],
        "West": ["Bury St Edmunds Children and Young People"],
    },
    "882": {"Southend-on-Sea": ["Southend Safeguarding Team A", "Southend Safeguarding Team B"]},
    "883": {"Thurrock": ["Thurrock Family Safeguarding East", "Thurrock Family Safeguarding West"]},
}

COURTS = [
    ("chelmsford", "Chelmsford Justice Centre (designated family centre)"),
    ("ipswich", "Ipswich County Court and Family Court"),
    ("southend", "Southend County Court and Family Court"),
    ("colchester", "Colchester Magistrates' Court (family)"),
    ("basildon", "Basildon Combined Court (family)"),
]

HEARING_TYPES = [
    ("epo", "Emergency protection order hearing", "Application for an EPO under s.44 Children Act 1989."),
    ("cmh", "Case management hearing", "First hearing under PD12A, between day 12 and day 18."),
    ("further_cmh", "Further case management hearing", "Only where necessary (PD12A)."),
    ("fact_finding", "Fact-finding hearing", "Determines disputed facts, e.g. how an injury was caused."),
    ("interim_care", "Interim care order hearing", "Contested interim care or supervision order."),
    ("irh", "Issues resolution hearing", "Narrows or resolves issues; local practice weeks 18-20."),
    ("final", "Final hearing", "Decides the final order; by week 26 unless extended."),
    ("placement", "Placement order hearing", "Application for a placement order (adoption)."),
    ("other", "Other hearing", "Any other hearing, e.g. directions or a review."),
]

# code, label, concludes the child's proceedings
ORDER_OUTCOMES = [
    ("care_order", "Care order", True),
    ("care_order_home", "Care order, placed with parents", True),
    ("placement_order", "Placement order (adoption)", True),
    ("supervision_order", "Supervision order", True),
    ("sgo", "Special guardianship order", True),
    ("cao", "Child arrangements order (private law)", True),
    ("no_order", "No order", True),
    ("withdrawn", "Application withdrawn", True),
    ("refused", "Application refused", True),
    ("other", "Other outcome", True),
]

HUB = "Cheshire & Merseyside regional assessment hub practice guide"
ASSESSMENT_TYPES = [
    # code, label, target weeks (None: use the due date), source, vintage
    ("viability", "Viability assessment of a family or connected carer", 2, HUB, "2024"),
    ("parenting", "Parenting assessment", 8, HUB, "2024"),
    ("parent_assess", "ParentAssess (parents with learning needs)", 8, HUB, "2024"),
    ("connected_carer", "Connected carer / special guardianship assessment", 10, HUB, "2024"),
    ("cognitive", "Cognitive assessment", None, "", ""),
    ("psychological", "Psychological assessment", None, "", ""),
    ("psychiatric", "Psychiatric assessment", None, "", ""),
    ("isw", "Independent social worker assessment", None, "", ""),
    ("other", "Other assessment", None, "", ""),
]

# The ten Trailblazer drivers plus Ofsted's adult-services waits.
DELAY_DRIVERS = [
    ("late_family", "Late presentation of family members", TRAILBLAZER),
    ("workforce", "Workforce capacity", TRAILBLAZER),
    ("court_capacity", "Court capacity", TRAILBLAZER),
    ("plo_tracking", "PLO tracking issues", TRAILBLAZER),
    ("assessment_quality", "Low PLO assessment quality", TRAILBLAZER),
    ("external_assessors", "Use of external social work assessors", TRAILBLAZER),
    ("expert_availability", "Availability and frequency of expert assessments", TRAILBLAZER),
    ("trust_la_assessments", "Lack of trust in LA assessments", TRAILBLAZER),
    ("change_of_plan", "Changes in plan", TRAILBLAZER),
    ("information_sharing", "Lack of information sharing among partners", TRAILBLAZER),
    ("adult_services", "Waiting times for adult services", "Ofsted focused visit to Essex, 2025"),
]

# code, label, HMCTS reason group, driver code
DELAY_REASONS = [
    ("cafcass_not_allocated", "Children's guardian not allocated", "Cafcass", "workforce"),
    ("cafcass_poor_analysis", "Poor analysis by the children's guardian", "Cafcass", "assessment_quality"),
    ("expert_late_report", "Expert report late or poor", "Experts", "expert_availability"),
    ("expert_new_assessment", "New expert assessment after a change", "Experts", "change_of_plan"),
    ("agency_medical_records", "Medical records not available", "Other agencies", "information_sharing"),
    ("agency_police_disclosure", "Police disclosure not available", "Other agencies", "information_sharing"),
    ("court_no_courtroom", "No courtroom available", "Court resources", "court_capacity"),
    ("court_special_measures", "Special measures not available", "Court resources", "court_capacity"),
    ("court_interpreter", "Interpreter not available", "Court resources", "court_capacity"),
    ("judiciary_continuity", "Judicial continuity not possible", "Judiciary", "court_capacity"),
    ("judiciary_insufficient_time", "Insufficient time listed", "Judiciary", "court_capacity"),
    ("judiciary_no_judge", "No judge available", "Judiciary", "court_capacity"),
    ("lawyers_parties", "Lawyer or party not available or not ready", "Lawyers and parties", "workforce"),
    ("legal_aid_os", "Legal aid or Official Solicitor delay", "Legal aid / Official Solicitor", "workforce"),
    ("la_poor_pre_proceedings", "Poor pre-proceedings preparation", "Local authority", "plo_tracking"),
    ("la_no_family_identified", "No family or friends identified", "Local authority", "late_family"),
    ("la_poor_kinship", "Poor kinship assessment", "Local authority", "assessment_quality"),
    ("la_no_expert", "No expert instructed", "Local authority", "expert_availability"),
    ("la_poor_late_sw_assessment", "Poor or late social work assessment", "Local authority", "assessment_quality"),
    ("la_new_assessment", "New assessment after a change", "Local authority", "change_of_plan"),
    ("la_no_timetable", "No timetable for the child", "Local authority", "plo_tracking"),
    ("la_new_care_plan", "New care plan", "Local authority", "change_of_plan"),
    ("la_placement_order_delay", "Placement order application delayed", "Local authority", "plo_tracking"),
    ("la_poor_placement_evidence", "Poor placement evidence", "Local authority", "assessment_quality"),
    ("la_no_threshold_document", "No threshold document", "Local authority", "plo_tracking"),
    ("la_isw_instructed", "Independent social worker instructed", "Local authority", "external_assessors"),
    (
        "la_assessment_challenged",
        "LA assessment challenged; second opinion sought",
        "Local authority",
        "trust_la_assessments",
    ),
    ("other_new_baby", "New baby or pregnancy", "Other", "late_family"),
    ("other_new_party", "New party joined", "Other", "late_family"),
    ("other_international", "International element", "Other", "information_sharing"),
    ("adult_mental_health", "Waiting for adult mental health services", "Adult services", "adult_services"),
    ("adult_probation", "Waiting for a probation programme", "Adult services", "adult_services"),
    ("adult_housing", "Waiting for housing", "Adult services", "adult_services"),
]

THRESHOLDS = [
    # code, label, value, unit, statutory, source, vintage
    ("s31_limit_weeks", "Care proceedings time limit", 26, "weeks", True, "Children Act 1989 s.32(1)(a)", "2014"),
    ("extension_max_weeks", "Longest single extension", 8, "weeks", True, "Children Act 1989 s.32(8)", "2014"),
    ("cmh_earliest_day", "Case management hearing, earliest day", 12, "days", False, "PD12A (PLO)", "2023"),
    ("cmh_latest_day", "Case management hearing, latest day", 18, "days", False, "PD12A (PLO)", "2023"),
    (
        "irh_by_week",
        "Issues resolution hearing listed by week",
        20,
        "weeks",
        False,
        "Local practice, Essex & Suffolk",
        "2024",
    ),
    ("final_by_week", "Final hearing by week", 26, "weeks", True, "Children Act 1989 s.32(1)(a)", "2014"),
    (
        "pp_threshold_weeks",
        "Pre-proceedings expected length",
        16,
        "weeks",
        False,
        "Local policy (widely quoted; not statutory)",
        "2024",
    ),
    ("pp_review_interval_weeks", "Pre-proceedings review meeting interval", 6, "weeks", False, "Local policy", "2024"),
    ("pp_initial_meeting_days", "Initial pre-proceedings meeting after LBP", 10, "days", False, "Local policy", "2024"),
    (
        "pre_birth_plan_week",
        "Pre-birth plan shared by week of pregnancy",
        35,
        "weeks",
        False,
        "Cambridgeshire & Peterborough good practice",
        "2023",
    ),
    (
        "cmh_late_day",
        "HMCTS progress flag: CMH after day",
        24,
        "days",
        False,
        "HMCTS public law progress report",
        "2024",
    ),
    (
        "irh_late_day",
        "HMCTS progress flag: IRH after day",
        140,
        "days",
        False,
        "HMCTS public law progress report",
        "2024",
    ),
    (
        "final_late_day",
        "HMCTS progress flag: final hearing after day",
        182,
        "days",
        False,
        "HMCTS public law progress report",
        "2024",
    ),
    ("fgdm_by_weeks", "Family network meeting held within weeks of start", 6, "weeks", False, "Local policy", "2024"),
    (
        "s31_band_long_weeks",
        "Cafcass duration band: 30 weeks or more from",
        30,
        "weeks",
        False,
        "Cafcass public law statistics (bands 26 or less, 27-29, 30 or more)",
        "2024",
    ),
    ("full_term_weeks", "Length of a full-term pregnancy", 40, "weeks", False, "NHS: pregnancy week by week", "2024"),
]

# What each comparator is decides where it may be shown: only national figures (England) go under
# "National"; the region's own baseline, a local authority's own figure (its label names the LA) and
# good-practice exemplars are labelled as what they are (REFERENCE.md section 4, "Comparators").
NATIONAL = ComparatorKind.NATIONAL
BASELINE = ComparatorKind.REGIONAL_BASELINE
LA_FIGURE = ComparatorKind.LA_FIGURE
EXEMPLAR = ComparatorKind.EXEMPLAR
TRI_BOROUGH = "Tri-borough care proceedings pilot"
COMPARATORS = [
    # metric, kind, label, value, unit, source, vintage, uncertain
    (
        "s31_duration_mean",
        NATIONAL,
        "Cafcass national average",
        "44",
        "weeks",
        "Cafcass statistics via Trailblazer card",
        "2023-24",
        False,
    ),
    (
        "s31_duration_mean",
        BASELINE,
        "Essex & Suffolk",
        "55",
        "weeks",
        "Trailblazer card (Cafcass statistics)",
        "2023-24",
        False,
    ),
    (
        "s31_duration_mean",
        NATIONAL,
        "MoJ national average",
        "40",
        "weeks",
        "MoJ Family Court Statistics Quarterly (38-41)",
        "2024-25",
        False,
    ),
    (
        "s31_duration_mean",
        EXEMPLAR,
        "North Somerset",
        "31.8",
        "weeks",
        "Trailblazer good practice guide",
        "2024",
        False,
    ),
    ("s31_duration_mean", EXEMPLAR, "Tri-borough pilot", "27", "weeks", TRI_BOROUGH, "2013", False),
    (
        "s31_within_26_share",
        NATIONAL,
        "MoJ national share within 26 weeks",
        "34",
        "percent",
        "MoJ Family Court Statistics Quarterly (32-36%)",
        "2024-25",
        False,
    ),
    # The card's national rate equals Cafcass's 2013-14 rate, so it may be out of date (REFERENCE.md section 1).
    (
        "s31_application_rate",
        NATIONAL,
        "National application rate",
        "9.2",
        "per 10,000",
        "Trailblazer card; equals Cafcass 2013-14 rate",
        "2023-24",
        True,
    ),
    ("s31_application_rate", BASELINE, "Essex & Suffolk", "7", "per 10,000", "Trailblazer card", "2023-24", False),
    ("hearings_per_case", EXEMPLAR, "Tri-borough pilot, before", "8.8", "hearings", TRI_BOROUGH, "2013", False),
    ("hearings_per_case", EXEMPLAR, "Tri-borough pilot, after", "4", "hearings", TRI_BOROUGH, "2013", False),
    (
        "pp_step_down_rate",
        LA_FIGURE,
        "Essex's own figure",
        "49",
        "percent",
        "Ofsted focused visit to Essex (January 2025)",
        "2024",
        False,
    ),
]

ONS_2020 = "ONS mid-2020 population estimates, ages 0-17"
POPULATION = [
    ("881", 2020, 317043, ONS_2020, "mid-2020"),
    ("935", 2020, 152863, ONS_2020, "mid-2020"),
    ("882", 2020, 39736, ONS_2020, "mid-2020"),
    ("883", 2020, 45381, ONS_2020, "mid-2020"),
    ("883", 2024, 46271, "ONS mid-2024 population estimates, ages 0-17", "mid-2024"),
]


def load(apps) -> None:
    """Insert or update every reference row (idempotent; used by the data migration)."""
    la_model = apps.get_model("cases", "LocalAuthority")
    area_model = apps.get_model("cases", "Area")
    team_model = apps.get_model("cases", "Team")
    las = {}
    for name, short, dfe, ons, system in LOCAL_AUTHORITIES:
        las[dfe], _ = la_model.objects.update_or_create(
            dfe_code=dfe, defaults={"name": name, "short_name": short, "ons_code": ons, "case_system": system}
        )
    for dfe, areas in AREAS_AND_TEAMS.items():
        for area_name, teams in areas.items():
            area, _ = area_model.objects.get_or_create(local_authority=las[dfe], name=area_name)
            for team_name in teams:
                team_model.objects.get_or_create(local_authority=las[dfe], name=team_name, defaults={"area": area})

    def codes(model_name, rows, **columns):
        model = apps.get_model("cases", model_name)
        for order, row in enumerate(rows, start=1):
            values = dict(zip(columns, row[1:], strict=True))
            model.objects.update_or_create(code=row[0], defaults={"sort_order": order, **values})

    codes("Court", COURTS, label=None)
    codes("HearingType", HEARING_TYPES, label=None, description=None)
    codes("OrderOutcome", ORDER_OUTCOMES, label=None, concludes=None)
    assessment_model = apps.get_model("cases", "AssessmentType")
    for order, (code, label, weeks, source, vintage) in enumerate(ASSESSMENT_TYPES, start=1):
        assessment_model.objects.update_or_create(
            code=code,
            defaults={"label": label, "target_weeks": weeks, "source": source, "vintage": vintage, "sort_order": order},
        )
    codes("DelayDriver", DELAY_DRIVERS, label=None, source=None)
    reason_model = apps.get_model("cases", "DelayReason")
    for order, (code, label, category, driver) in enumerate(DELAY_REASONS, start=1):
        reason_model.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "category": category,
                "driver_id": driver,
                "source": HMCTS_CODES if category != "Adult services" else "Ofsted focused visit to Essex, 2025",
                "sort_order": order,
            },
        )
    threshold_model = apps.get_model("cases", "Threshold")
    for code, label, value, unit, statutory, source, vintage in THRESHOLDS:
        threshold_model.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "value": value,
                "unit": unit,
                "statutory": statutory,
                "source": source,
                "vintage": vintage,
            },
        )
    comparator_model = apps.get_model("cases", "NationalComparator")
    # Migrations before 0013 load with the table as it was then, without a kind; 0013 loads them again.
    has_kind = any(f.name == "kind" for f in comparator_model._meta.get_fields())
    for metric, kind, label, value, unit, source, vintage, uncertain in COMPARATORS:
        comparator_model.objects.update_or_create(
            metric=metric,
            label=label,
            vintage=vintage,
            defaults={
                "value": value,
                "unit": unit,
                "source": source,
                "uncertain": uncertain,
                **({"kind": kind} if has_kind else {}),
            },
        )
    population_model = apps.get_model("cases", "ChildPopulation")
    for dfe, year, population, source, vintage in POPULATION:
        population_model.objects.update_or_create(
            local_authority=las[dfe],
            year=year,
            defaults={"population": population, "source": source, "vintage": vintage},
        )
