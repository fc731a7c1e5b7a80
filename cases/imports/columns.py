"""What a tracker's columns can hold: each import target, its template name and the header words
LAs use for it, and the words LAs use for each shared code.

The template's column names are the data dictionary's: the CIN census item where there is one
(``cases.mapping``), otherwise the model's field name (``cases.dictionary``). The header variants
and code words are suggestions only: the mapping page shows them and the LA can change them.
Which values a field accepts is the model's own rule (its choices and validation), not this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cases import constants as c
from cases import models as m
from cases.mapping import mapping_for

# Kinds of value a column holds: how a cell is read before the model validates it.
TEXT, ID, DATE, DATES, CODE, BOOL, COUNT, LA, TEAM, REF, HEARING = (
    "text",
    "id",
    "date",
    "dates",
    "code",
    "bool",
    "count",
    "la",
    "team",
    "ref",  # a code of a reference list (court, final order), by its code or label
    "hearing",  # the date a hearing of ``hearing_type`` is listed for
)
IGNORE = "-"  # a column the LA chose not to import (shown as "Do not import")


@dataclass(frozen=True)
class Target:
    """Something a tracker column can be imported as."""

    key: str  # the template's column name
    model: type | None  # the model the value is stored on (None: read to place another value)
    field: str  # the model field (or "" for a helper column)
    kind: str
    label: str
    variants: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    words: dict[str, str] = field(default_factory=dict)  # LA words -> shared code
    ref: type | None = None  # the reference list of a REF column
    hearing_type: str = ""  # the hearing type of a HEARING column


def _cin(model: type, name: str, fallback: str) -> str:
    """The CIN census item of a field where there is one (its first word), else ``fallback``."""
    cin = mapping_for(model.__name__, name).cin
    return cin if re.fullmatch(r"[A-Za-z]+", cin) else fallback


def _label(model: type, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _choices(model: type, name: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in model._meta.get_field(name).choices)


SEX_WORDS = {"male": "M", "boy": "M", "1": "M", "female": "F", "girl": "F", "2": "F"}
SEX_WORDS |= {"unknown": "U", "not known": "U", "unborn": "U", "0": "U", "9": "U", "n/k": "U"}
ETHNICITY_WORDS = {
    "white - british": "WBRI",
    "white british": "WBRI",
    "british": "WBRI",
    "white - irish": "WIRI",
    "irish": "WIRI",
    "white other": "WOTH",
    "white - other": "WOTH",
    "any other white background": "WOTH",
    "gypsy roma": "WROM",
    "roma": "WROM",
    "mixed white and black caribbean": "MWBC",
    "mixed - white and black caribbean": "MWBC",
    "mixed white and black african": "MWBA",
    "mixed white and asian": "MWAS",
    "mixed other": "MOTH",
    "asian indian": "AIND",
    "asian - indian": "AIND",
    "asian pakistani": "APKN",
    "asian bangladeshi": "ABAN",
    "asian other": "AOTH",
    "black caribbean": "BCRB",
    "black - caribbean": "BCRB",
    "black african": "BAFR",
    "black - african": "BAFR",
    "black other": "BOTH",
    "other": "OOTH",
    "other ethnic group": "OOTH",
    "refused": "REFU",
    "declined": "REFU",
    "not known": "NOBT",
    "not yet obtained": "NOBT",
    "not recorded": "NOBT",
    "unknown": "NOBT",
}
GATEWAY_WORDS = {
    "start plo": c.GatewayOutcome.START_PRE_PROCEEDINGS,
    "plo": c.GatewayOutcome.START_PRE_PROCEEDINGS,
    "pre-proceedings": c.GatewayOutcome.START_PRE_PROCEEDINGS,
    "pre proceedings": c.GatewayOutcome.START_PRE_PROCEEDINGS,
    "enter plo": c.GatewayOutcome.START_PRE_PROCEEDINGS,
    "issue": c.GatewayOutcome.ISSUE_PROCEEDINGS,
    "issue proceedings": c.GatewayOutcome.ISSUE_PROCEEDINGS,
    "threshold met - issue": c.GatewayOutcome.ISSUE_PROCEEDINGS,
    "continue plan": c.GatewayOutcome.CONTINUE_PLAN,
    "continue current plan": c.GatewayOutcome.CONTINUE_PLAN,
    "no plo": c.GatewayOutcome.CONTINUE_PLAN,
}
OUTCOME_WORDS = {
    "step down": c.PPOutcome.STEP_DOWN,
    "stepped down": c.PPOutcome.STEP_DOWN,
    "step down to cp": c.PPOutcome.STEP_DOWN,
    "step down to cin": c.PPOutcome.STEP_DOWN,
    "stepped down to cp": c.PPOutcome.STEP_DOWN,
    "stepped down to cin": c.PPOutcome.STEP_DOWN,
    "cp": c.PPOutcome.STEP_DOWN,
    "cin": c.PPOutcome.STEP_DOWN,
    "issued": c.PPOutcome.ISSUE,
    "issue": c.PPOutcome.ISSUE,
    "proceedings issued": c.PPOutcome.ISSUE,
    "issue proceedings": c.PPOutcome.ISSUE,
    "issue care proceedings": c.PPOutcome.ISSUE,
    "care proceedings": c.PPOutcome.ISSUE,
    "court": c.PPOutcome.ISSUE,
    "moved away": c.PPOutcome.OTHER,
    "moved out of area": c.PPOutcome.OTHER,
    "closed": c.PPOutcome.OTHER,
    "other": c.PPOutcome.OTHER,
}
REPRESENTATION_WORDS = {
    "yes": c.LegalRepresentation.ALL,
    "both": c.LegalRepresentation.ALL,
    "all": c.LegalRepresentation.ALL,
    "partial": c.LegalRepresentation.SOME,
    "one parent": c.LegalRepresentation.SOME,
    "no": c.LegalRepresentation.NONE,
    "not known": c.LegalRepresentation.UNKNOWN,
}
YES = frozenset({"y", "yes", "1", "true", "t", "x", "✓"})
NO = frozenset({"n", "no", "0", "false", "f"})
NOT_KNOWN = frozenset({"not known", "unknown", "n/k", "nk"})

E, C, P, PM = m.PreProceedingsEpisode, m.Child, m.Family, m.PreProceedingsMeeting
PR, CP, H = m.Proceedings, m.ChildProceedings, m.Hearing


def _targets() -> tuple[Target, ...]:
    return (
        Target("la", None, "", LA, "local authority (DfE code)", ("LA", "LA code", "Local authority", "LA number")),
        Target(
            "la_reference",
            P,
            "la_reference",
            ID,
            _label(P, "la_reference"),
            (
                "Family ID",
                "Family ref",
                "Family reference",
                "Case ID",
                "Case ref",
                "Case reference",
                "Case number",
                "Mosaic case ID",
                "Group ID",
                "Family number",
            ),
            required=True,
        ),
        Target(
            "family_name",
            P,
            "name",
            TEXT,
            "family name",
            ("Family name", "Family", "Case name", "Family surname"),
            help="Empty or absent: the child's last name.",
        ),
        Target("team", P, "team", TEAM, "team", ("Team", "Team name", "Allocated team", "SW team")),
        Target(
            _cin(C, "la_child_id", "la_child_id"),
            C,
            "la_child_id",
            ID,
            _label(C, "la_child_id"),
            (
                "Child ID",
                "Child ref",
                "Child reference",
                "Person ID",
                "Mosaic ID",
                "LCS ID",
                "Client ID",
                "Child number",
                "LA child ID",
                "Person reference",
            ),
            required=True,
        ),
        Target(
            "first_name",
            C,
            "first_name",
            TEXT,
            "first name",
            ("First name", "Forename", "Child first name", "Given name", "Child forename"),
        ),
        Target(
            "last_name",
            C,
            "last_name",
            TEXT,
            "last name",
            ("Last name", "Surname", "Child surname", "Child last name"),
            required=True,
        ),
        Target(
            _cin(C, "date_of_birth", "date_of_birth"),
            C,
            "date_of_birth",
            DATE,
            _label(C, "date_of_birth"),
            (
                "DOB",
                "Date of birth",
                "Birth date",
                "D.O.B.",
                "DOB / EDD",
                "DOB or due date",
                "Date of birth or due date",
                "DOB/EDD",
            ),
            help="With an unborn column saying yes, the date here is the expected due date.",
        ),
        Target(
            _cin(C, "expected_due_date", "expected_due_date"),
            C,
            "expected_due_date",
            DATE,
            _label(C, "expected_due_date"),
            ("Due date", "EDD", "Expected due date", "Expected date of birth"),
        ),
        Target(
            "unborn",
            None,
            "",
            BOOL,
            "unborn child",
            ("Unborn", "Unborn?", "Unborn child", "Pre-birth child", "Is unborn"),
            help="Yes: the child is not born yet and the date of birth column holds the expected due date.",
        ),
        Target(
            _cin(C, "sex", "sex"), C, "sex", CODE, "sex", ("Sex", "Gender"), choices=_choices(C, "sex"), words=SEX_WORDS
        ),
        Target(
            _cin(C, "ethnicity", "ethnicity"),
            C,
            "ethnicity",
            CODE,
            "ethnicity",
            ("Ethnicity", "Ethnic origin", "Ethnic group", "Ethnicity code"),
            choices=_choices(C, "ethnicity"),
            words=ETHNICITY_WORDS,
        ),
        Target(
            "gateway_meeting_date",
            E,
            "gateway_meeting_date",
            DATE,
            _label(E, "gateway_meeting_date"),
            (
                "Date of legal gateway",
                "Legal gateway date",
                "Legal gateway meeting",
                "Legal gateway meeting date",
                "LPM date",
                "Legal planning meeting",
                "Legal planning meeting date",
                "Gateway date",
                "LGM date",
            ),
            required=True,
        ),
        Target(
            "gateway_outcome",
            E,
            "gateway_outcome",
            CODE,
            "legal gateway decision",
            ("Legal gateway outcome", "Gateway outcome", "Gateway decision", "LPM outcome", "LPM decision"),
            choices=_choices(E, "gateway_outcome"),
            words=GATEWAY_WORDS,
            help="Absent: 'Start pre-proceedings' for a row with a pre-proceedings start date.",
        ),
        Target(
            _cin(E, "start_date", "start_date"),
            E,
            "start_date",
            DATE,
            _label(E, "start_date"),
            (
                "PLO start",
                "PLO start date",
                "Date PLO started",
                "Pre-proceedings start",
                "Pre-proceedings start date",
                "PLO date",
                "Start of PLO",
            ),
        ),
        Target(
            _cin(E, "lbp_sent_date", "lbp_sent_date"),
            E,
            "lbp_sent_date",
            DATE,
            _label(E, "lbp_sent_date"),
            (
                "LBP sent",
                "LBP date",
                "Date of LBP",
                "Letter before proceedings",
                "Letter before proceedings sent",
                "LBP sent date",
                "Date LBP sent",
            ),
        ),
        Target(
            "InitialPPMeetingDate",
            PM,
            "meeting_date",
            DATE,
            "initial pre-proceedings meeting date",
            (
                "Initial meeting",
                "Initial PLO meeting",
                "PLO meeting date",
                "Initial meeting date",
                "Initial pre-proceedings meeting",
                "First PLO meeting",
            ),
        ),
        Target(
            "review_meeting_dates",
            PM,
            "meeting_date",
            DATES,
            "review meeting dates",
            ("Review meeting dates", "Review dates", "PLO review dates", "Review meetings (dates)"),
            help="A list: several dates in the cell, separated by commas, semicolons or new lines.",
        ),
        Target(
            _cin(E, "recorded_review_count", "recorded_review_count"),
            E,
            "recorded_review_count",
            COUNT,
            _label(E, "recorded_review_count"),
            (
                "Number of reviews",
                "No. of review meetings",
                "No of reviews",
                "Reviews held",
                "Review meetings",
                "Number of review meetings",
                "Reviews",
            ),
            help="The number only; dated review meetings go in review_meeting_dates.",
        ),
        Target(
            _cin(E, "fgdm_offered", "fgdm_offered"),
            E,
            "fgdm_offered",
            BOOL,
            _label(E, "fgdm_offered"),
            ("FGC offered", "FGDM offered", "Family group conference offered", "FGC offered?"),
        ),
        Target(
            "fgdm_offered_date",
            E,
            "fgdm_offered_date",
            DATE,
            _label(E, "fgdm_offered_date"),
            ("FGC offered date", "Date FGC offered", "FGDM offered date"),
        ),
        Target(
            _cin(E, "fgdm_facilitated", "fgdm_facilitated"),
            E,
            "fgdm_facilitated",
            BOOL,
            _label(E, "fgdm_facilitated"),
            ("FGC held", "FGC took place", "FGDM held", "FGC held?"),
        ),
        Target(
            "fgdm_held_date",
            E,
            "fgdm_held_date",
            DATE,
            _label(E, "fgdm_held_date"),
            ("FGC date", "Date of FGC", "FGC held date", "FGDM date"),
        ),
        Target(
            "pre_birth",
            E,
            "pre_birth",
            BOOL,
            "pre-birth episode",
            ("Pre-birth", "Pre birth", "Pre-birth PLO", "Prebirth"),
        ),
        Target(
            "previous_pre_proceedings",
            E,
            "previous_pre_proceedings",
            BOOL,
            "previous pre-proceedings",
            ("Previous PLO", "Previous pre-proceedings", "Repeat PLO", "Prior PLO"),
        ),
        Target(
            "previous_care_proceedings",
            E,
            "previous_care_proceedings",
            BOOL,
            "previous care proceedings",
            ("Previous proceedings", "Previous care proceedings", "Prior proceedings"),
        ),
        Target(
            "parents_legal_representation",
            E,
            "parents_legal_representation",
            CODE,
            "parents' legal representation",
            ("Parents represented", "Parents legally represented", "Legal representation", "Parents' solicitor"),
            choices=_choices(E, "parents_legal_representation"),
            words=REPRESENTATION_WORDS,
        ),
        Target(
            _cin(E, "step_decision_date", "step_decision_date"),
            E,
            "step_decision_date",
            DATE,
            _label(E, "step_decision_date"),
            (
                "Decision date",
                "Date of decision",
                "Step down/issue date",
                "PLO end date",
                "PLO end",
                "Step decision date",
                "Date PLO ended",
            ),
        ),
        Target(
            _cin(E, "outcome", "outcome"),
            E,
            "outcome",
            CODE,
            "pre-proceedings outcome",
            ("Outcome", "PLO outcome", "Pre-proceedings outcome", "End reason", "Outcome of PLO"),
            choices=_choices(E, "outcome"),
            words=OUTCOME_WORDS,
        ),
        Target(
            _cin(E, "court_application_date", "court_application_date"),
            E,
            "court_application_date",
            DATE,
            _label(E, "court_application_date"),
            ("Court application date", "Date issued", "Issue date", "Application date", "Date of application"),
        ),
        Target(
            _cin(E, "letter_initiating_cp_date", "letter_initiating_cp_date"),
            E,
            "letter_initiating_cp_date",
            DATE,
            _label(E, "letter_initiating_cp_date"),
            (
                "Letter of issue",
                "Letter initiating proceedings",
                "Letter initiating care proceedings",
                "Letter of issue date",
            ),
        ),
        *_proceedings_targets(),
    )


def _proceedings_targets() -> tuple[Target, ...]:
    """The care application a row's child is in (keyed by its court case number), the child's final
    order, and the dates its first hearings are listed for."""
    return (
        Target(
            "court_case_number",
            PR,
            "court_case_number",
            ID,
            _label(PR, "court_case_number"),
            ("Court case number", "Court case no", "Court number", "Court reference", "Court ref", "FPL case number"),
        ),
        Target(
            "issue_date",
            PR,
            "issue_date",
            DATE,
            _label(PR, "issue_date"),
            ("Proceedings issue date", "Date proceedings issued", "Proceedings issued", "Date of issue", "Issued"),
        ),
        Target(
            "court",
            PR,
            "court",
            REF,
            "court",
            ("Court", "Court name", "Hearing centre", "Family court", "Court centre"),
            ref=m.Court,
        ),
        Target("judge", PR, "judge", TEXT, _label(PR, "judge"), ("Judge", "Judge / tier", "Allocated judge")),
        Target(
            "guardian_allocated_date",
            PR,
            "guardian_allocated_date",
            DATE,
            _label(PR, "guardian_allocated_date"),
            ("Guardian allocated", "Date guardian allocated", "Guardian allocated date"),
        ),
        Target(
            "short_notice",
            PR,
            "short_notice",
            BOOL,
            "short notice",
            ("Short notice", "Short notice application", "Urgent application"),
        ),
        Target(
            "short_notice_reason",
            PR,
            "short_notice_reason",
            CODE,
            "reason for short notice",
            ("Short notice reason", "Reason for short notice", "Urgency reason"),
            choices=_choices(PR, "short_notice_reason"),
        ),
        Target(
            "final_outcome",
            CP,
            "final_outcome",
            REF,
            "final order or outcome",
            ("Final order", "Final outcome", "Order made", "Outcome of proceedings"),
            ref=m.OrderOutcome,
        ),
        Target(
            "final_outcome_date",
            CP,
            "final_outcome_date",
            DATE,
            _label(CP, "final_outcome_date"),
            ("Final order date", "Date of final order", "Date proceedings concluded", "Proceedings concluded"),
        ),
        Target(
            "cmh_date",
            H,
            "listed_date",
            HEARING,
            "case management hearing date",
            ("CMH date", "CMH", "Case management hearing", "Date of CMH"),
            hearing_type="cmh",
        ),
        Target(
            "irh_date",
            H,
            "listed_date",
            HEARING,
            "issues resolution hearing date",
            ("IRH date", "IRH", "Issues resolution hearing", "Date of IRH"),
            hearing_type="irh",
        ),
        Target(
            "final_hearing_date",
            H,
            "listed_date",
            HEARING,
            "final hearing date",
            ("Final hearing date", "Final hearing", "FH date", "Date of final hearing"),
            hearing_type="final",
        ),
    )


TARGETS: tuple[Target, ...] = _targets()
BY_KEY: dict[str, Target] = {target.key: target for target in TARGETS}
REQUIRED = tuple(target.key for target in TARGETS if target.required)


def normalise(text: str) -> str:
    """A header or word compared loosely: case, spaces, punctuation and underscores ignored."""
    return re.sub(r"[^a-z0-9/]+", " ", str(text).lower().replace("_", " ")).strip()


_VARIANTS: dict[str, str] = {}
for _target in TARGETS:
    for _name in (_target.key, _target.field, _target.label, *_target.variants):
        if _name:
            _VARIANTS.setdefault(normalise(_name), _target.key)
# A model field name shared by several targets is no suggestion on its own.
for _ambiguous in ("meeting date", "name", "listed date"):
    _VARIANTS.pop(_ambiguous, None)


def suggest_target(header: str) -> str:
    """The target a source header most likely means ("" when none is known)."""
    return _VARIANTS.get(normalise(header), "")


def code_for(target: Target, value: str, saved: dict[str, str] | None = None) -> str | None:
    """The shared code a source value means: the LA's saved word, the code itself, its label or a
    known word; None when unknown."""
    text = str(value).strip()
    if saved and text in saved:
        return saved[text]
    key = normalise(text)
    for code, label in target.choices:
        if key in (normalise(code), normalise(label)):
            return code
    return target.words.get(key) or target.words.get(text.lower())
