"""One worked example for every endpoint of the API, shown in the OpenAPI description and its docs.

Everything here is synthetic: the Fletcher family, its children and its records are made up (names
from the demo data's lists, references in the LAs' style), as are every id, user and date. The
records tell one story, so the ids link up: the Fletcher family (Essex, the Colchester team in the
North East quadrant) goes through pre-proceedings from March 2026, proceedings are issued in July,
at the IRH in November the court makes a special guardianship order for Ruby and adjourns Teddy's
case for a late expert report (re-listed, and his timetable extended), and a tracker meeting
reviews the case.

Each endpoint has, keyed by its viewset:

- ``record``: the response body of one record (every field the serializer outputs), as read with
  ``GET``; drf-spectacular shows it as the one row of a page on a list;
- for writable endpoints, ``create`` (a ``POST`` body) and ``created`` (its 201 answer), and
  ``patch`` (a typical ``PATCH`` body, such as recording an outcome) and ``patched`` (its answer);
- ``actions``: an extra action's request and answer (a hearing's ``outcome``).

``schema.AutoSchema.get_examples`` puts them on each operation; the tests check that each example
is valid against its own schema in the generated document and that the ``POST`` examples create
what they say when sent to the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cases.api import families, imports, meetings, people, pre_proceedings, proceedings, reference, tracker
from cases.imports import columns as import_columns
from reporting import api as reporting_api


@dataclass(frozen=True)
class Example:
    summary: str
    value: Any
    description: str = ""
    media_type: str = "application/json"
    # Statuses besides the usual (200, 201 for a create) that answer with the same body (202 for a queued import).
    other_statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndpointExamples:
    record: Example
    listed: Example | None = None  # a record as a list shows it, when that is shorter than a read
    create: Example | None = None
    created: Example | None = None
    patch: Example | None = None
    patched: Example | None = None
    # An extra action's name: (its request, its answer).
    actions: dict[str, tuple[Example | None, Example]] = field(default_factory=dict)


def _with(record: dict, **changes) -> dict:
    """A copy of ``record`` with ``changes``."""
    return {**record, **changes}


def _ordered(record: dict, serializer_class) -> dict:
    """``record`` with its fields in the order the serializer outputs them (as the API answers)."""
    names = list(serializer_class().fields)
    return dict(sorted(record.items(), key=lambda item: names.index(item[0]) if item[0] in names else len(names)))


# The service account of the examples' writes, and the people of the examples' pages.
SERVICE_ACCOUNT = "svc-881-mosaic-nightly-sync"
SOCIAL_WORKER_ID, SOCIAL_WORKER = 57, "sw.essex"
CHAIR_ID, CHAIR = 61, "chair.essex"
LA_ID, AREA_ID, TEAM_ID = 1, 1, 1  # Essex; North East; Colchester Family Support

FAMILY_ID, RUBY_ID, TEDDY_ID = 412, 1031, 1032
EPISODE_ID, PROCEEDINGS_ID, RUBY_PART_ID, TEDDY_PART_ID = 288, 97, 154, 155
CMH_ID, IRH_ID, RELISTED_IRH_ID = 2210, 2231, 2245


def _who(created_at: str, updated_at: str | None = None, *, by: str = SERVICE_ACCOUNT, updated_by: str | None = None):
    return {
        "created_at": created_at,
        "created_by": by,
        "updated_at": updated_at or created_at,
        "updated_by": updated_by or by,
    }


# -- families and children -------------------------------------------------------------------------

RUBY = {
    "id": RUBY_ID,
    **_who("2026-03-09T14:22:05.118342Z"),
    "la_child_id": "ESX-C-01031",
    "first_name": "Ruby",
    "last_name": "Fletcher",
    "date_of_birth": "2021-06-14",
    "expected_due_date": None,
    "sex": "F",
    "ethnicity": "WBRI",
}
# Unborn when the case was opened (a pre-birth case); his birth was recorded on 19 May 2026.
TEDDY = {
    "id": TEDDY_ID,
    **_who("2026-03-09T14:22:05.402117Z", "2026-05-19T10:12:09.880413+01:00"),
    "la_child_id": "ESX-C-01032",
    "first_name": "Teddy",
    "last_name": "Fletcher",
    "date_of_birth": "2026-05-18",
    "expected_due_date": None,
    "sex": "M",
    "ethnicity": "WBRI",
}
BIRTH = {"first_name": "Teddy", "date_of_birth": "2026-05-18", "expected_due_date": None, "sex": "M"}
FAMILY = {
    "id": FAMILY_ID,
    **_who("2026-03-09T14:21:48.730021Z", "2026-09-14T09:05:31.662904+01:00"),
    "la_reference": "ESX-F-00412",
    "name": "Fletcher",
    "team": TEAM_ID,
    "social_worker": SOCIAL_WORKER_ID,
    "legal_hold": False,
    "children": [RUBY, TEDDY],
}
FAMILY_CREATE = {"la_reference": "ESX-F-00412", "name": "Fletcher", "team": TEAM_ID, "social_worker": 44}

FAMILIES = EndpointExamples(
    record=Example("A family with its two children", FAMILY),
    create=Example(
        "Open a case for a family",
        FAMILY_CREATE,
        "The family (case) with its allocated team and social worker; its children are added at /children/.",
    ),
    created=Example(
        "The new family",
        _with(FAMILY, **FAMILY_CREATE, **_who("2026-03-09T14:21:48.730021Z"), children=[]),
    ),
    patch=Example("Allocate another social worker", {"social_worker": SOCIAL_WORKER_ID}),
    patched=Example("The family, re-allocated", FAMILY),
)

CHILD = {**RUBY, "family": FAMILY_ID}
CHILD_CREATE = {
    "family": FAMILY_ID,
    "la_child_id": "ESX-C-01031",
    "first_name": "Ruby",
    "last_name": "Fletcher",
    "date_of_birth": "2021-06-14",
    "expected_due_date": None,
    "sex": "F",
    "ethnicity": "WBRI",
}
CHILDREN = EndpointExamples(
    record=Example("A child", CHILD),
    create=Example("Add a child to a family", CHILD_CREATE),
    created=Example("The new child", CHILD),
    patch=Example(
        "Record the birth of an unborn child",
        BIRTH,
        "A child recorded before birth with an expected due date gets a first name and a date of birth; "
        "the due date is emptied.",
    ),
    patched=Example("The child, born", {**TEDDY, "family": FAMILY_ID}),
)

# -- the people around the case, case notes and document links -------------------------------------

# Kayleigh Fletcher, the children's mother, is known to the LA from an earlier family.
KAYLEIGH_ID, KAYLEIGH_LINK_ID = 733, 902
PERSON_CREATE = {
    "first_name": "Kayleigh",
    "last_name": "Fletcher",
    "date_of_birth": "1998-10-02",
    "language": "",
    "interpreter_needed": False,
}
PERSON = {"id": KAYLEIGH_ID, **_who("2024-01-15T11:02:40.515337Z"), **PERSON_CREATE}
PEOPLE = EndpointExamples(
    record=Example("A parent known to the LA", PERSON),
    create=Example(
        "Record a parent or carer",
        PERSON_CREATE,
        "Look first with ?last_name=Fletcher&date_of_birth=1998-10-02: a person already known is linked to the "
        "new family at /family-members/, not recorded again.",
    ),
    created=Example("The new person", PERSON),
    patch=Example("Record that an interpreter is needed", {"language": "Romanian", "interpreter_needed": True}),
    patched=Example(
        "The person, with the interpreter need",
        _with(PERSON, language="Romanian", interpreter_needed=True, updated_at="2026-03-10T09:14:02.731144Z"),
    ),
)

MEMBER_CREATE = {"family": FAMILY_ID, "person": KAYLEIGH_ID, "role": "mother"}
MEMBER = {"id": KAYLEIGH_LINK_ID, **_who("2026-03-09T14:23:11.004521Z"), **MEMBER_CREATE}
FAMILY_MEMBERS = EndpointExamples(
    record=Example("The mother of the Fletcher children", MEMBER),
    create=Example(
        "Link a known parent to a new family",
        MEMBER_CREATE,
        "Her earlier family's pre-proceedings and proceedings now show on this case, and the tracker raises "
        "parent_previous_proceedings.",
    ),
    created=Example("The new link", MEMBER),
    patch=Example("Correct the role", {"role": "carer"}),
    patched=Example("The corrected link", _with(MEMBER, role="carer", updated_at="2026-03-11T08:40:19.210771Z")),
)

PROFESSIONAL_CREATE = {
    "family": FAMILY_ID,
    "role": "guardian",
    "name": "Joanne Whitfield",
    "organisation": "Cafcass East",
    "acting_for": "",
    "email": "joanne.whitfield@cafcass.example",
    "phone": "0300 456 4000",
}
PROFESSIONAL = {"id": 515, **_who("2026-07-06T10:31:08.118230Z"), **PROFESSIONAL_CREATE}
PROFESSIONALS = EndpointExamples(
    record=Example("The children's guardian", PROFESSIONAL),
    create=Example("Record the children's guardian", PROFESSIONAL_CREATE),
    created=Example("The new professional", PROFESSIONAL),
    patch=Example("Correct the phone number", {"phone": "0300 456 4011"}),
    patched=Example(
        "The corrected professional",
        _with(PROFESSIONAL, phone="0300 456 4011", updated_at="2026-07-08T15:02:44.871203Z"),
    ),
)

NOTE_CREATE = {
    "family": FAMILY_ID,
    "note_date": "2026-03-16",
    "kind": "visit",
    "text": "Home visit with the health visitor: Ruby seen alone; the home was warm and clean.",
}
NOTE = _ordered(
    {"id": 4077, **_who("2026-03-16T17:45:12.300918Z"), **NOTE_CREATE, "author": SERVICE_ACCOUNT},
    people.CaseNoteSerializer,
)
CASE_NOTES = EndpointExamples(
    record=Example("A home visit", NOTE),
    create=Example("Record a case note", NOTE_CREATE, "The note's author is the account that records it."),
    created=Example("The new case note", NOTE),
    patch=Example("Correct the note's date", {"note_date": "2026-03-13"}),
    patched=Example(
        "The corrected case note", _with(NOTE, note_date="2026-03-13", updated_at="2026-03-17T08:02:51.660217Z")
    ),
)

DOCUMENT_CREATE = {
    "family": FAMILY_ID,
    "label": "Letter before proceedings",
    "kind": "letter",
    "url": "https://docs.essex.example/cases/ESX-F-00412/letter-before-proceedings.pdf",
    "document_date": "2026-03-20",
}
DOCUMENT = {"id": 2609, **_who("2026-03-20T12:00:41.559302Z"), **DOCUMENT_CREATE}
DOCUMENT_LINKS = EndpointExamples(
    record=Example("The letter before proceedings in the LA's document store", DOCUMENT),
    create=Example(
        "Link a document",
        DOCUMENT_CREATE,
        "An http or https address; where the LA names its document store's hosts, one of them.",
    ),
    created=Example("The new document link", DOCUMENT),
    patch=Example("Correct the label", {"label": "Letter before proceedings (both parents)"}),
    patched=Example(
        "The corrected document link",
        _with(DOCUMENT, label="Letter before proceedings (both parents)", updated_at="2026-03-21T09:30:05.004410Z"),
    ),
)

# -- pre-proceedings -------------------------------------------------------------------------------

EPISODE_CREATE = {
    "family": FAMILY_ID,
    "children": [RUBY_ID, TEDDY_ID],
    "gateway_meeting_date": "2026-03-09",
    "gateway_outcome": "start_pre_proceedings",
    "start_date": "2026-03-09",
    "pre_birth": True,
    "previous_pre_proceedings": False,
    "previous_care_proceedings": False,
    "parents_legal_representation": "all",
    "lbp_sent_date": "2026-03-12",
}
EPISODE_OPEN = {
    "id": EPISODE_ID,
    **_who("2026-03-09T15:40:12.008113Z"),
    **EPISODE_CREATE,
    "fgdm_offered": None,
    "fgdm_offered_date": None,
    "fgdm_facilitated": None,
    "fgdm_held_date": None,
    "step_decision_date": None,
    "outcome": "",
    "court_application_date": None,
    "letter_initiating_cp_date": None,
}
EPISODE_DECISION = {"step_decision_date": "2026-06-29", "outcome": "issue", "court_application_date": "2026-07-02"}
EPISODE = _with(
    EPISODE_OPEN,
    **_who("2026-03-09T15:40:12.008113Z", "2026-07-02T16:18:55.301247+01:00"),
    fgdm_offered=True,
    fgdm_offered_date="2026-03-20",
    fgdm_facilitated=True,
    fgdm_held_date="2026-04-07",
    letter_initiating_cp_date="2026-07-02",
    **EPISODE_DECISION,
)
EPISODES = EndpointExamples(
    record=Example("A pre-proceedings episode that ended in an application to court", EPISODE),
    create=Example(
        "Start pre-proceedings after the legal gateway meeting",
        EPISODE_CREATE,
        "The legal gateway decision for a child and an unborn baby, with the letter before proceedings sent "
        "three days later.",
    ),
    created=Example("The new, open episode", EPISODE_OPEN),
    patch=Example(
        "Record the decision to issue proceedings",
        EPISODE_DECISION,
        "The step-down or issue decision closes the episode.",
    ),
    patched=Example("The episode, closed by the decision to issue", EPISODE),
)

PP_MEETING = {
    "id": 615,
    **_who("2026-03-20T17:02:41.551209Z"),
    "episode": EPISODE_ID,
    "kind": "initial",
    "meeting_date": "2026-03-20",
    "note": "Parents attended with their solicitors. Parenting assessment and viability assessment of the "
    "maternal grandmother agreed; family group conference offered.",
}
PP_MEETING_CREATE = {
    "episode": EPISODE_ID,
    "kind": "review",
    "meeting_date": "2026-05-01",
    "note": "Parenting assessment under way; grandmother's viability assessment positive.",
}
PP_MEETING_NOTE = (
    "Parents attended with their solicitors. Parenting assessment agreed; family group conference offered."
)
PP_MEETINGS = EndpointExamples(
    record=Example("An initial pre-proceedings meeting", PP_MEETING),
    create=Example("Record a review meeting", PP_MEETING_CREATE),
    created=Example(
        "The new review meeting", {"id": 642, **_who("2026-05-01T16:47:20.119876+01:00"), **PP_MEETING_CREATE}
    ),
    patch=Example(
        "Correct the meeting's note",
        {"note": PP_MEETING_NOTE},
    ),
    patched=Example(
        "The corrected meeting",
        _with(
            PP_MEETING,
            updated_at="2026-03-23T09:15:02.774310Z",
            note=PP_MEETING_NOTE,
        ),
    ),
)

ASSESSMENT_CREATE = {
    "family": FAMILY_ID,
    "assessment_type": "parenting",
    "provider": "regional_hub",
    "subject": "Mother",
    "instructed_date": "2026-03-25",
}
ASSESSMENT_OPEN = _ordered(
    {
        "id": 733,
        **_who("2026-03-25T12:30:18.402651Z"),
        **ASSESSMENT_CREATE,
        "episode": EPISODE_ID,
        "proceedings": None,
        # Left empty in the request: the parenting assessment's target of 8 weeks.
        "due_date": "2026-05-20",
        "completed_date": None,
        "outcome": "",
    },
    pre_proceedings.AssessmentSerializer,
)
ASSESSMENT_RESULT = {"completed_date": "2026-05-27", "outcome": "negative"}
ASSESSMENT = _with(ASSESSMENT_OPEN, updated_at="2026-05-27T15:51:07.338120+01:00", **ASSESSMENT_RESULT)
ASSESSMENTS = EndpointExamples(
    record=Example("A completed parenting assessment", ASSESSMENT),
    create=Example(
        "Instruct an assessment",
        ASSESSMENT_CREATE,
        "With no due_date, the assessment type's target sets it; the service links it to the current stage.",
    ),
    created=Example("The new assessment, due on the type's target", ASSESSMENT_OPEN),
    patch=Example("Record the assessment's outcome", ASSESSMENT_RESULT),
    patched=Example("The completed assessment", ASSESSMENT),
)

DELAY_CREATE = {
    "family": FAMILY_ID,
    "event_date": "2026-11-13",
    "delayed_item": "hearing",
    "days_lost": 28,
    "reason": "expert_late_report",
    "note": "IRH adjourned: the psychological assessment of the mother was not filed.",
}
DELAY = _ordered(
    {
        "id": 1290,
        **_who("2026-11-13T16:05:33.904417Z"),
        **DELAY_CREATE,
        "episode": None,
        "proceedings": PROCEEDINGS_ID,
    },
    pre_proceedings.DelayEventSerializer,
)
DELAY_EVENTS = EndpointExamples(
    record=Example("Days lost when a hearing was adjourned", DELAY),
    create=Example("Record days lost, with the reason code", DELAY_CREATE),
    created=Example("The new delay event, linked to the open proceedings", DELAY),
    patch=Example("Correct the days lost", {"days_lost": 35}),
    patched=Example(
        "The corrected delay event",
        _with(DELAY, days_lost=35, updated_at="2026-11-16T10:27:45.120004Z"),
    ),
)

# -- proceedings -----------------------------------------------------------------------------------

PROCEEDINGS_CREATE = {
    "family": FAMILY_ID,
    "children": [RUBY_ID, TEDDY_ID],
    "court": "colchester",
    "court_case_number": "CO26C00457",
    "issue_date": "2026-07-03",
    "judge": "Circuit Judge",
    "guardian_allocated_date": "2026-07-08",
    "short_notice": False,
    "short_notice_reason": "",
}
PROCEEDINGS_NEW = _ordered(
    {
        "id": PROCEEDINGS_ID,
        **_who("2026-07-03T11:48:09.275533+01:00"),
        **{name: value for name, value in PROCEEDINGS_CREATE.items() if name != "children"},
        "episode": EPISODE_ID,
        "concluded_date": None,
        "child_parts": [
            {"id": RUBY_PART_ID, "child": RUBY_ID, "final_outcome": None, "final_outcome_date": None},
            {"id": TEDDY_PART_ID, "child": TEDDY_ID, "final_outcome": None, "final_outcome_date": None},
        ],
    },
    proceedings.ProceedingsSerializer,
)
PROCEEDINGS = _with(
    PROCEEDINGS_NEW,
    updated_at="2026-07-10T09:32:51.640028+01:00",
    judge="HHJ (Circuit Judge), Colchester",
    child_parts=[
        {"id": RUBY_PART_ID, "child": RUBY_ID, "final_outcome": "sgo", "final_outcome_date": "2026-11-13"},
        {"id": TEDDY_PART_ID, "child": TEDDY_ID, "final_outcome": None, "final_outcome_date": None},
    ],
)
PROCEEDINGS_EXAMPLES = EndpointExamples(
    record=Example("A care application for two children, one with a final order", PROCEEDINGS),
    create=Example(
        "Issue a care application",
        PROCEEDINGS_CREATE,
        "Every child in the application gets a part of its own (child_parts), with a timetable from the issue date.",
    ),
    created=Example("The new application, linked to the family's episode", PROCEEDINGS_NEW),
    patch=Example("Correct the allocated judge", {"judge": "HHJ (Circuit Judge), Colchester"}),
    patched=Example("The corrected application", PROCEEDINGS),
)

RUBY_PART = {
    "id": RUBY_PART_ID,
    **_who("2026-07-03T11:48:09.275533+01:00", "2026-07-17T15:02:16.009871+01:00"),
    "proceedings": PROCEEDINGS_ID,
    "child": RUBY_ID,
    "interim_plan": "family_or_friends",
    "interim_plan_approved": True,
    "final_plan": "sgo",
    "final_plan_approved": None,
    "final_outcome": None,
    "final_outcome_date": None,
}
FINAL_ORDER = {
    "final_plan": "sgo",
    "final_plan_approved": True,
    "final_outcome": "sgo",
    "final_outcome_date": "2026-11-13",
}
CHILD_PROCEEDINGS = EndpointExamples(
    record=Example("A child's part in an application, with the LA's plans", RUBY_PART),
    patch=Example(
        "Record the child's final order",
        FINAL_ORDER,
        "The court approves the LA's final plan and makes a special guardianship order; the last child's "
        "final order concludes the application.",
    ),
    patched=Example(
        "The child's part, concluded",
        _with(RUBY_PART, updated_at="2026-11-13T16:40:38.517002Z", **FINAL_ORDER),
    ),
)

EXTENSION_CREATE = {
    "child_proceedings": TEDDY_PART_ID,
    "granted_date": "2026-11-20",
    "new_end_date": "2027-02-26",
    "reason": "Psychological assessment of the mother ordered at the IRH; the report is due in January 2027.",
}
EXTENSION = {"id": 88, **_who("2026-11-20T14:12:58.003317Z"), **EXTENSION_CREATE}
EXTENSIONS = EndpointExamples(
    record=Example("An eight-week extension of a child's timetable", EXTENSION),
    create=Example(
        "Record an extension granted by the court",
        EXTENSION_CREATE,
        "Up to eight weeks past the child's current end date (26 weeks from issue: 1 January 2027).",
    ),
    created=Example("The new extension", EXTENSION),
    patch=Example("Correct the new end date", {"new_end_date": "2027-02-19"}),
    patched=Example(
        "The corrected extension",
        _with(EXTENSION, new_end_date="2027-02-19", updated_at="2026-11-23T09:44:10.276195Z"),
    ),
)

HEARING = {
    "id": CMH_ID,
    **_who("2026-07-03T11:52:40.918266+01:00", "2026-07-17T15:02:16.211449+01:00"),
    "proceedings": PROCEEDINGS_ID,
    "hearing_type": "cmh",
    "listed_on": "2026-07-03",
    "listed_date": "2026-07-17",
    "status": "held",
    "vacated_on": None,
    "reason": None,
    "orders_made": ["interim_care", "directions"],
    "note": "Day 15. Interim care orders for both children; IRH and final hearing timetabled.",
    "replaces": None,
    "relisted_as": None,
}
HEARING_CREATE = {
    "proceedings": PROCEEDINGS_ID,
    "hearing_type": "irh",
    "listed_on": "2026-07-17",
    "listed_date": "2026-11-13",
    "note": "Timetabled at the CMH (week 19).",
}
IRH = _ordered(
    {
        "id": IRH_ID,
        **_who("2026-07-17T15:10:02.660185+01:00"),
        **HEARING_CREATE,
        "status": "listed",
        "vacated_on": None,
        "reason": None,
        "orders_made": [],
        "replaces": None,
        "relisted_as": None,
    },
    proceedings.HearingListingSerializer,
)
HEARING_OUTCOME = {
    "status": "adjourned",
    "reason": "expert_late_report",
    "orders_made": ["directions"],
    "note": "Special guardianship order for Ruby. For Teddy, the psychological assessment of the mother "
    "was not filed: adjourned, with directions for its filing.",
    "relisted_for": "2026-12-11",
    "relisted_on": "2026-11-13",
}
RELISTED_IRH = {
    "id": RELISTED_IRH_ID,
    **_who("2026-11-13T16:02:19.447530Z"),
    "proceedings": PROCEEDINGS_ID,
    "hearing_type": "irh",
    "listed_on": "2026-11-13",
    "listed_date": "2026-12-11",
    "status": "listed",
    "vacated_on": None,
    "reason": None,
    "orders_made": [],
    "note": "",
    "replaces": IRH_ID,
    "relisted_as": None,
}
HEARINGS = EndpointExamples(
    record=Example("A case management hearing that was held", HEARING),
    create=Example(
        "List a hearing",
        HEARING_CREATE,
        "What came of it is recorded later with the outcome action (POST /hearings/{id}/outcome/).",
    ),
    created=Example("The new listing", IRH),
    patch=Example(
        "Correct the orders made at a hearing",
        {"orders_made": ["interim_care", "directions"]},
    ),
    patched=Example("The corrected hearing", HEARING),
    actions={
        "outcome": (
            Example(
                "An IRH adjourned on the day and re-listed",
                HEARING_OUTCOME,
                "Adjourned for a late expert report, with directions; the court re-listed it the same day.",
            ),
            Example(
                "The adjourned hearing and the listing that replaces it",
                {
                    "hearing": {
                        **IRH,
                        "updated_at": "2026-11-13T16:02:19.447530Z",
                        **{name: HEARING_OUTCOME[name] for name in ("status", "reason", "orders_made", "note")},
                        "relisted_as": RELISTED_IRH_ID,
                    },
                    "relisting": RELISTED_IRH,
                },
            ),
        )
    },
)

# -- tracker meetings ------------------------------------------------------------------------------

MEETING_CREATE = {"scope": "area", "area": AREA_ID, "team": None, "meeting_date": "2026-11-24"}
MEETING = {
    "id": 64,
    **_who("2026-11-20T10:05:27.731840Z", by=CHAIR),
    **MEETING_CREATE,
    "chair": CHAIR,
    "attendees": [],
    "closed_at": None,
}
MEETING_HELD = _with(
    MEETING,
    attendees=[
        {"user": CHAIR, "name": "Priya Shah", "role": "Quadrant tracker meeting chair"},
        {"user": None, "name": "Tom Reid", "role": "LA solicitor"},
    ],
)
MEETINGS = EndpointExamples(
    record=Example("A North East quadrant tracker meeting, with who attended", MEETING_HELD),
    create=Example(
        "Open a tracker meeting for an area",
        MEETING_CREATE,
        "The caller chairs it; its agenda is every open case in the area, red first, then longest waiting.",
    ),
    created=Example("The new meeting", MEETING),
)

MEETING_DECISION = {
    "decision": "continue",
    "review_date": "2027-01-12",
    "note": "IRH re-listed for 11 December; review after it. Chase the psychological report.",
}
MEETING_ITEM_OPEN = {
    "id": 901,
    **_who("2026-11-20T10:05:27.912004Z", by=CHAIR),
    "meeting": 64,
    "family": FAMILY_ID,
    "position": 1,
    "start_time": "10:20:00",
    "stage": "proceedings",
    "rag": "amber",
    "flags": ["irh_after_week", "baby_or_unborn"],
    "flag_labels": ["IRH listed after week 20", "Baby or unborn child"],
    "decision": "",
    "review_date": None,
    "note": "",
    "decided_at": None,
}
MEETING_ITEM = _with(
    MEETING_ITEM_OPEN,
    updated_at="2026-11-24T10:21:44.083561Z",
    decided_at="2026-11-24T10:21:44.083561Z",
    **MEETING_DECISION,
)
MEETING_ITEMS = EndpointExamples(
    record=Example("A case on a meeting's agenda, with the decision recorded", MEETING_ITEM),
    patch=Example("Record the meeting's decision for a case", MEETING_DECISION),
    patched=Example("The agenda item, decided", MEETING_ITEM),
)

ACTION_CREATE = {
    "item": 901,
    "description": "Chase the expert for the psychological report on the mother before the IRH.",
    "owner": SOCIAL_WORKER_ID,
    "due_date": "2026-12-01",
}
ACTION_OPEN = _ordered(
    {
        "id": 377,
        **_who("2026-11-24T10:23:05.611278Z", by=CHAIR),
        **ACTION_CREATE,
        "owner_note": "",
        "family": FAMILY_ID,
        "completed_date": None,
    },
    meetings.MeetingActionSerializer,
)
ACTION_DONE = {"completed_date": "2026-11-30"}
ACTION = _with(ACTION_OPEN, **ACTION_DONE, updated_at="2026-11-30T13:30:52.004415Z")
MEETING_ACTIONS = EndpointExamples(
    record=Example("An action agreed at a meeting, done", ACTION),
    create=Example("Agree an action for a case at an open meeting", ACTION_CREATE),
    created=Example("The new, open action", ACTION_OPEN),
    patch=Example("Mark an action done", ACTION_DONE),
    patched=Example("The action, done", ACTION),
)

# -- the tracker -----------------------------------------------------------------------------------

TRACKER_ROW = {
    "id": FAMILY_ID,
    "la_reference": "ESX-F-00412",
    "name": "Fletcher",
    "children": [
        {key: RUBY[key] for key in ("id", "first_name", "last_name", "date_of_birth", "expected_due_date")},
        {key: TEDDY[key] for key in ("id", "first_name", "last_name", "date_of_birth", "expected_due_date")},
    ],
    "stage": "proceedings",
    "started_on": "2026-07-03",
    "days_elapsed": 153,
    "weeks": 21,
    "rag": "amber",
    "reason": "IRH listed after week 20; Baby or unborn child.",
    "flags": [
        {
            "code": "irh_after_week",
            "label": "IRH listed after week 20",
            "severity": "amber",
            "hint": "The issues resolution hearing should be by week 20.",
        },
        {
            "code": "baby_or_unborn",
            "label": "Baby or unborn child",
            "severity": "amber",
            "hint": "A child is under 1 or not yet born.",
        },
    ],
    "next_due": {"label": "Next hearing", "date": "2026-12-11", "overdue": False, "detail": "Listed"},
    "next_hearing": "2026-12-11",
    "timetable_end": "2027-02-26",
    "team": {"id": TEAM_ID, "name": "Colchester Family Support"},
    "area": {"id": AREA_ID, "name": "North East"},
    "social_worker": {"id": SOCIAL_WORKER_ID, "name": "Sam Whitfield"},
}
TRACKER = EndpointExamples(
    record=Example("A case in proceedings at week 21, amber for a late IRH (as on 3 December 2026)", TRACKER_ROW)
)

# -- reference data and the data dictionary --------------------------------------------------------

COURTS = EndpointExamples(
    record=Example(
        "A court",
        {
            "code": "colchester",
            "label": "Colchester Magistrates' Court (family)",
            "description": "",
            "sort_order": 4,
            "active": True,
        },
    )
)
HEARING_TYPES = EndpointExamples(
    record=Example(
        "A hearing type",
        {
            "code": "cmh",
            "label": "Case management hearing",
            "description": "First hearing under PD12A, between day 12 and day 18.",
            "sort_order": 2,
            "active": True,
        },
    )
)
ORDER_OUTCOMES = EndpointExamples(
    record=Example(
        "An order outcome",
        {
            "code": "sgo",
            "label": "Special guardianship order",
            "description": "",
            "sort_order": 5,
            "active": True,
            "concludes": True,
        },
    )
)
ASSESSMENT_TYPES = EndpointExamples(
    record=Example(
        "An assessment type with its target",
        {
            "code": "parenting",
            "label": "Parenting assessment",
            "description": "",
            "sort_order": 2,
            "active": True,
            "target_weeks": 8,
            "source": "Cheshire & Merseyside regional assessment hub practice guide",
            "vintage": "2024",
        },
    )
)
DELAY_DRIVERS = EndpointExamples(
    record=Example(
        "A delay driver",
        {
            "code": "expert_availability",
            "label": "Availability and frequency of expert assessments",
            "description": "",
            "sort_order": 7,
            "active": True,
            "source": "DFJ Trailblazer Good Practice Guide (Essex & Suffolk), 2025",
        },
    )
)
DELAY_REASONS = EndpointExamples(
    record=Example(
        "A delay reason and its driver",
        {
            "code": "expert_late_report",
            "label": "Expert report late or poor",
            "description": "",
            "sort_order": 3,
            "active": True,
            "driver": "expert_availability",
            "category": "Experts",
            "source": "HMCTS public law adjournment and vacated hearing reason codes",
        },
    )
)
THRESHOLDS = EndpointExamples(
    record=Example(
        "The statutory time limit",
        {
            "code": "s31_limit_weeks",
            "label": "Care proceedings time limit",
            "value": "26.00",
            "unit": "weeks",
            "statutory": True,
            "source": "Children Act 1989 s.32(1)(a)",
            "vintage": "2014",
        },
    )
)
COMPARATORS = EndpointExamples(
    record=Example(
        "A national comparator",
        {
            "id": 1,
            "metric": "s31_duration_mean",
            "kind": "national",
            "label": "Cafcass national average",
            "heading": "National (England): Cafcass national average",
            "value": "44.00",
            "unit": "weeks",
            "source": "Cafcass statistics via Trailblazer card",
            "vintage": "2023-24",
            "uncertain": False,
        },
    )
)
DATA_DICTIONARY = EndpointExamples(
    record=Example(
        "A kind of record and its fields (two of them here)",
        {
            "name": "Child",
            "label": "Child",
            "description": "A child (or unborn child) known to the LA.",
            "fields": [
                {
                    "name": "la_child_id",
                    "label": "LA child ID",
                    "kind": "Text",
                    "required": True,
                    "description": "The LA's own child reference (CIN LAchildID).",
                    "allowed": [],
                    "cin": "LAchildID",
                    "ssd": "person id",
                    "note": "",
                },
                {
                    "name": "sex",
                    "label": "sex",
                    "kind": "Code",
                    "required": False,
                    "description": "Sex (CIN).",
                    "allowed": ["M - Male", "F - Female", "U - Not known (including unborn)"],
                    "cin": "Sex",
                    "ssd": "person sex",
                    "note": "",
                },
            ],
        },
    )
)

# -- metrics ---------------------------------------------------------------------------------------

ESSEX_SCOPE = {"key": f"la:{LA_ID}", "type": "la", "id": LA_ID, "label": "Essex", "exact": True}
METRICS = EndpointExamples(
    record=Example(
        "An LA's figures for a month, as its own staff see them",
        {
            "period": "2026-11-01",
            "scope": ESSEX_SCOPE,
            "threshold": 5,
            "results": [
                {"metric": "s31_duration_mean", "dimension": "", "unit": "weeks", "value": 51.4, "suppressed": False},
                {"metric": "s31_open", "dimension": "", "unit": "count", "value": 212, "suppressed": False},
                {
                    "metric": "s31_within_26_share",
                    "dimension": "",
                    "unit": "percent",
                    "value": 22.6,
                    "suppressed": False,
                },
            ],
        },
        "A regional analyst reading an LA sees a small count as value null with suppressed true.",
    )
)
METRIC_SCOPES = EndpointExamples(record=Example("A scope the caller may read", ESSEX_SCOPE))
METRIC_DEFINITIONS = EndpointExamples(
    record=Example(
        "A metric's definition",
        {
            "code": "s31_duration_mean",
            "label": "Average duration of care proceedings",
            "unit": "weeks",
            "definition": "Mean of (conclusion date - issue date) / 7 over applications concluded in the month.",
            "dimension": "",
            "higher_is_better": False,
            "share_of": None,
        },
    )
)

# -- tracker imports -------------------------------------------------------------------------------

DATA_TEAM = "svc-881-data-team"
IMPORT_LISTED = {
    "id": 37,
    "file_name": "essex-plo-tracker-2026-11.csv",
    "checksum": "5d1f0c8e2b7a94c3e6f18d2a0b9c7e4f3a6d8b1c2e5f7a9d0c3b6e8f1a4d7c2b",
    "size": 1843,
    "mapping": "Mosaic PLO tracker",
    "status": "checked",
    "dry_run": True,
    "counts": {"rows": 3, "created": 2, "updated": 0, "unchanged": 1, "errors": 0},
    "created_by": DATA_TEAM,
    "created_at": "2026-12-01T09:14:02.551208Z",
    "finished_at": "2026-12-01T09:14:03.120954Z",
}
IMPORT_CHECKED = {
    **IMPORT_LISTED,
    "progress": {"done": 3, "total": 3},
    "waiting_for_queue": False,
    "file_problems": [],
    "notices": ["Column 'Notes' was not imported, as the mapping says."],
    "errors": [],
    "results": [
        {"row": 2, "status": "created", "family": "ESX-F-00412", "child": "ESX-C-01031"},
        {"row": 3, "status": "created", "family": "ESX-F-00412", "child": "ESX-C-01032"},
        {"row": 4, "status": "unchanged", "family": "ESX-F-00398", "child": "ESX-C-00977"},
    ],
}
IMPORT_APPLIED = {
    **IMPORT_CHECKED,
    "status": "applied",
    "dry_run": False,
    "finished_at": "2026-12-01T09:20:41.008317Z",
}
IMPORTS = EndpointExamples(
    record=Example("A checked tracker, ready to apply", IMPORT_CHECKED),
    listed=Example("A checked tracker in the history", IMPORT_LISTED),
    create=Example(
        "Check a tracker with the LA's saved mapping",
        {"file": "essex-plo-tracker-2026-11.csv", "mapping": "Mosaic PLO tracker", "dry_run": True},
        "The file is sent as a multipart file part; dry_run false would apply it in the same request.",
        media_type="multipart/form-data",
    ),
    created=Example(
        "Checked: what would be created, updated and left unchanged (nothing saved)",
        IMPORT_CHECKED,
        "A file with problems is answered the same way with status failed, its file_problems and its errors "
        "(row and column header); a file with more rows than PLO_IMPORT_ASYNC_ROWS is answered 202, status "
        "checking, with Location to follow (if the job queue is down the job waits and starts by itself).",
        other_statuses=("202",),
    ),
    actions={
        "apply": (None, Example("Applied: every row saved, in the change history as the uploader", IMPORT_APPLIED)),
        "template": (
            None,
            Example(
                "The CSV template: the header row",
                ",".join(target.key for target in import_columns.TARGETS) + "\r\n",
                "The xlsx workbook (the default) has the same row and a guide sheet saying what each column holds.",
                media_type="text/csv",
            ),
        ),
    },
)

EXAMPLES: dict[type, EndpointExamples] = {
    families.FamilyViewSet: FAMILIES,
    families.ChildViewSet: CHILDREN,
    people.PersonViewSet: PEOPLE,
    people.FamilyMemberViewSet: FAMILY_MEMBERS,
    people.ProfessionalViewSet: PROFESSIONALS,
    people.CaseNoteViewSet: CASE_NOTES,
    people.DocumentLinkViewSet: DOCUMENT_LINKS,
    pre_proceedings.EpisodeViewSet: EPISODES,
    pre_proceedings.PPMeetingViewSet: PP_MEETINGS,
    pre_proceedings.AssessmentViewSet: ASSESSMENTS,
    pre_proceedings.DelayEventViewSet: DELAY_EVENTS,
    proceedings.ProceedingsViewSet: PROCEEDINGS_EXAMPLES,
    proceedings.ChildProceedingsViewSet: CHILD_PROCEEDINGS,
    proceedings.ExtensionViewSet: EXTENSIONS,
    proceedings.HearingViewSet: HEARINGS,
    meetings.MeetingViewSet: MEETINGS,
    meetings.MeetingItemViewSet: MEETING_ITEMS,
    meetings.MeetingActionViewSet: MEETING_ACTIONS,
    tracker.TrackerViewSet: TRACKER,
    imports.ImportRunViewSet: IMPORTS,
    reference.CourtViewSet: COURTS,
    reference.HearingTypeViewSet: HEARING_TYPES,
    reference.OrderOutcomeViewSet: ORDER_OUTCOMES,
    reference.AssessmentTypeViewSet: ASSESSMENT_TYPES,
    reference.DelayDriverViewSet: DELAY_DRIVERS,
    reference.DelayReasonViewSet: DELAY_REASONS,
    reference.ThresholdViewSet: THRESHOLDS,
    reference.ComparatorViewSet: COMPARATORS,
    reference.DataDictionaryViewSet: DATA_DICTIONARY,
    reporting_api.MetricViewSet: METRICS,
    reporting_api.MetricScopeViewSet: METRIC_SCOPES,
    reporting_api.MetricDefinitionViewSet: METRIC_DEFINITIONS,
}


def for_view(view) -> EndpointExamples | None:
    """The examples of a view (an instance of a viewset above or of a subclass of one)."""
    return next((EXAMPLES[klass] for klass in type(view).__mro__ if klass in EXAMPLES), None)
