"""The Children in Need census pre-proceedings module (2026-27) for one LA and census year.

- **Census year** ``Y`` runs from 1 April ``Y`` to 31 March ``Y + 1`` (the 2026-27 census is year 2026).
- **Which episodes**: pre-proceedings episodes open at any point in the year, written once in
  ``in_census_year``: started (``PPStartDate``) on or before 31 March, and not decided (step-down or
  issue, ``StepDecisionDate``) before 1 April.
- **As at the year end**: an item dated after 31 March belongs to the next year's return and is left
  out (a decision after the year end leaves the episode open: no ``StepDecisionDate`` or
  ``PPOutcome``); review meetings are counted up to 31 March.
- **ReviewMeetingsCount**: the dated review meetings when the episode has any; else the count a tracker
  recorded without dates (``recorded_review_count``); else 0 when the initial meeting is dated in PLO
  Tracker (meetings are recorded here, so none dated means none held); else absent.
- **Booleans** (``FGDMMeetingOffer``, ``FGDMMeetingFac``) are coded 1 (yes) and 0 (no); empty when not known.
- One record per child per episode; the XML groups them as one ``Child`` with one ``CINdetails`` per
  episode, each holding its ``PreProceedingsandFGDM`` block. Item names are read from ``cases.mapping``.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases.mapping import mapping_for


def _cin(model: str, field_name: str) -> str:
    """The CIN item a field maps to (``cases.mapping``): the name that starts its entry."""
    match = re.match(r"[A-Za-z]+", mapping_for(model, field_name).cin)
    if match is None:
        raise LookupError(f"{model}.{field_name} has no CIN item in cases.mapping")
    return match.group(0)


# Episode fields and their CIN items, in the module's order; meetings give two more.
EPISODE_ITEMS: dict[str, str] = {
    name: _cin("PreProceedingsEpisode", name)
    for name in (
        "start_date",
        "lbp_sent_date",
        "fgdm_offered",
        "fgdm_facilitated",
        "step_decision_date",
        "outcome",
        "court_application_date",
        "letter_initiating_cp_date",
    )
}
PP_START = EPISODE_ITEMS["start_date"]
LBP_SENT = EPISODE_ITEMS["lbp_sent_date"]
FGDM_OFFER = EPISODE_ITEMS["fgdm_offered"]
FGDM_FAC = EPISODE_ITEMS["fgdm_facilitated"]
STEP_DECISION = EPISODE_ITEMS["step_decision_date"]
PP_OUTCOME = EPISODE_ITEMS["outcome"]
COURT_APP = EPISODE_ITEMS["court_application_date"]
LETTER_INIT_CP = EPISODE_ITEMS["letter_initiating_cp_date"]
INITIAL_MEETING = _cin("PreProceedingsMeeting", "meeting_date")
REVIEW_COUNT = _cin("PreProceedingsEpisode", "recorded_review_count")

ITEMS = (
    PP_START,
    LBP_SENT,
    FGDM_OFFER,
    FGDM_FAC,
    INITIAL_MEETING,
    REVIEW_COUNT,
    STEP_DECISION,
    PP_OUTCOME,
    COURT_APP,
    LETTER_INIT_CP,
)
DATE_ITEMS = (PP_START, LBP_SENT, INITIAL_MEETING, STEP_DECISION, COURT_APP, LETTER_INIT_CP)
BOOLEAN_ITEMS = (FGDM_OFFER, FGDM_FAC)

CHILD_FIELDS = {
    name: _cin("Child", name) for name in ("la_child_id", "date_of_birth", "expected_due_date", "sex", "ethnicity")
}
LA_CHILD_ID = CHILD_FIELDS["la_child_id"]
IDENTIFIERS = tuple(CHILD_FIELDS.values())
# Where the XML puts each child item (the census's ChildIdentifiers and ChildCharacteristics modules).
CHARACTERISTICS = (CHILD_FIELDS["ethnicity"],)

# PPOutcome is sent as the region's shared code (cases.constants.PPOutcome); one place to map it
# should the census publish other codes.
PP_OUTCOME_CODES: dict[str, str] = {choice.value: choice.value for choice in c.PPOutcome}
CSV_HEADERS = [*IDENTIFIERS, *ITEMS]


@dataclass(frozen=True)
class CensusYear:
    """A census year: 1 April ``year`` to 31 March ``year + 1``."""

    year: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @classmethod
    def containing(cls, day: dt.date) -> CensusYear:
        return cls(day.year if day.month >= 4 else day.year - 1)


@dataclass
class CensusRecord:
    """One child in one episode: the child's identifiers and the module's items (None: absent)."""

    episode_id: int
    child: dict[str, object]
    items: dict[str, object] = field(default_factory=dict)

    @property
    def la_child_id(self) -> str:
        return str(self.child.get(LA_CHILD_ID) or "")


def in_census_year(year: CensusYear) -> Q:
    """Episodes open at any point in the year: started by its end, not decided before its start."""
    return Q(start_date__isnull=False, start_date__lte=year.end) & (
        Q(step_decision_date__isnull=True) | Q(step_decision_date__gte=year.start)
    )


def census_episodes(*, local_authority: m.LocalAuthority, year: CensusYear) -> QuerySet[m.PreProceedingsEpisode]:
    """The LA's episodes in the census year with their children and meetings (three queries)."""
    return (
        m.PreProceedingsEpisode.objects.filter(local_authority=local_authority)
        .filter(in_census_year(year))
        .select_related("family")
        .prefetch_related(
            Prefetch("children", queryset=m.Child.objects.order_by("la_child_id")),
            Prefetch("meetings", queryset=m.PreProceedingsMeeting.objects.order_by("meeting_date", "pk")),
        )
        .order_by("start_date", "pk")
    )


def _as_at(value: dt.date | None, year: CensusYear) -> dt.date | None:
    return value if value is not None and value <= year.end else None


def review_meetings_count(episode: m.PreProceedingsEpisode, *, year: CensusYear, initial: dt.date | None) -> int | None:
    """ReviewMeetingsCount as the module docstring says (meetings prefetched)."""
    reviews = [meeting for meeting in episode.meetings.all() if meeting.kind == c.MeetingKind.REVIEW]
    if reviews:
        return sum(1 for meeting in reviews if meeting.meeting_date <= year.end)
    if episode.recorded_review_count is not None:
        return episode.recorded_review_count
    return 0 if initial is not None else None


def episode_items(episode: m.PreProceedingsEpisode, *, year: CensusYear) -> dict[str, object]:
    """The module's items for an episode as at the year end."""
    initial = min(
        (
            meeting.meeting_date
            for meeting in episode.meetings.all()
            if meeting.kind == c.MeetingKind.INITIAL and meeting.meeting_date <= year.end
        ),
        default=None,
    )
    offered_late = episode.fgdm_offered_date is not None and episode.fgdm_offered_date > year.end
    offered = None if offered_late else episode.fgdm_offered
    facilitated = None if offered_late else episode.fgdm_facilitated
    if facilitated and episode.fgdm_held_date is not None and episode.fgdm_held_date > year.end:
        facilitated = False  # it had not taken place by the year end
    decision = _as_at(episode.step_decision_date, year)
    return {
        PP_START: episode.start_date,
        LBP_SENT: _as_at(episode.lbp_sent_date, year),
        FGDM_OFFER: offered,
        FGDM_FAC: facilitated,
        INITIAL_MEETING: initial,
        REVIEW_COUNT: review_meetings_count(episode, year=year, initial=initial),
        STEP_DECISION: decision,
        PP_OUTCOME: PP_OUTCOME_CODES.get(episode.outcome) if decision and episode.outcome else None,
        COURT_APP: _as_at(episode.court_application_date, year),
        LETTER_INIT_CP: _as_at(episode.letter_initiating_cp_date, year),
    }


def child_identifiers(child: m.Child) -> dict[str, object]:
    return {item: getattr(child, name) or None for name, item in CHILD_FIELDS.items()}


def census_records(*, local_authority: m.LocalAuthority, year: CensusYear) -> list[CensusRecord]:
    """One record per child per episode of the LA in the census year, in start date order."""
    records = []
    for episode in census_episodes(local_authority=local_authority, year=year):
        items = episode_items(episode, year=year)
        for child in episode.children.all():
            records.append(CensusRecord(episode_id=episode.pk, child=child_identifiers(child), items=dict(items)))
    return records


def family_ids(*, local_authority: m.LocalAuthority, year: CensusYear) -> list[int]:
    """The families whose children the extract shows (for the read audit)."""
    return sorted(
        set(
            m.PreProceedingsEpisode.objects.filter(local_authority=local_authority)
            .filter(in_census_year(year))
            .values_list("family_id", flat=True)
        )
    )


# ---------------------------------------------------------------------------
# Output: values as the census codes them, XML and CSV
# ---------------------------------------------------------------------------

# Characters XML 1.0 cannot hold: a typed control character must not make the file unreadable.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def coded(value: object) -> str:
    """A value as the census codes it: dates ISO 8601, booleans 1 or 0, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, value: object) -> None:
    text = coded(value)
    if text != "":
        ET.SubElement(parent, tag).text = text


def census_xml(records: Iterable[CensusRecord], *, local_authority: m.LocalAuthority, year: CensusYear) -> bytes:
    """The module as a census Message: a header, then each child with a CINdetails per episode."""
    message = ET.Element("Message")
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", year.year + 1)
    _add(details, "ReferenceDate", year.end)
    source = ET.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", local_authority.dfe_code)
    _add(source, "SoftwareCode", "PLO Tracker")
    _add(source, "SerialNo", 1)
    _add(source, "DateTime", timezone.localtime().replace(microsecond=0).isoformat())
    children = ET.SubElement(message, "Children")
    by_child: dict[str, ET.Element] = {}
    for record in records:
        child = by_child.get(record.la_child_id)
        if child is None:
            child = by_child[record.la_child_id] = ET.SubElement(children, "Child")
            identifiers = ET.SubElement(child, "ChildIdentifiers")
            characteristics = ET.Element("ChildCharacteristics")
            for item in IDENTIFIERS:
                _add(characteristics if item in CHARACTERISTICS else identifiers, item, record.child.get(item))
            child.append(characteristics)
        block = ET.SubElement(ET.SubElement(child, "CINdetails"), "PreProceedingsandFGDM")
        for item in ITEMS:
            _add(block, item, record.items.get(item))
    ET.indent(message)
    return ET.tostring(message, encoding="utf-8", xml_declaration=True)


def census_rows(records: Iterable[CensusRecord]) -> Iterable[list[str]]:
    """One CSV row per child per episode, headed ``CSV_HEADERS``."""
    for record in records:
        yield [coded(record.child.get(item)) for item in IDENTIFIERS] + [coded(record.items.get(i)) for i in ITEMS]
