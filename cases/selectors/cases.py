"""Reads of case data for pages, exports and the API: always scoped to the user's LA.

The case page loads a family and everything on its timeline in a fixed number of queries,
whatever the number of milestones; the case list is the tracker query filtered to the user's
caseload, so it costs the same few queries for any number of cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Prefetch, Q, QuerySet, When
from django.urls import reverse

from cases import constants as c
from cases import models as m
from cases import next_due
from cases.permissions import get_visible
from cases.selectors import tracker

# How a date of birth may be typed into the search: 14/3/2021, 14-3-2021, 14.3.2021, 14 3 2021,
# 2021-03-14, 14 March 2021 or 14 Mar 2021.
SEARCH_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def search_date(query: str) -> dt.date | None:
    """The date a search is for, when it is one (a child's date of birth), else None."""
    text = " ".join(query.split())
    for pattern in SEARCH_DATE_FORMATS:
        try:
            # A calendar date, not a moment: no time zone applies.
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def family_search(*, user, query: str) -> QuerySet:
    """The user's LA's families, open or closed, matching a family name, LA reference, child's name,
    child's date of birth or LA child ID.

    Names match in part and references in full, ignoring case; a date (``search_date``) matches a
    child's date of birth; an empty query matches nothing. The one search: the case list and the
    tracker's name filter both use it.
    """
    query = query.strip()
    if not query:
        return m.Family.objects.none()
    matches = Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(la_child_id__iexact=query)
    born = search_date(query)
    if born is not None:
        matches |= Q(date_of_birth=born)
    children = m.Child.objects.visible_to(user).filter(matches).values("family_id")
    return m.Family.objects.visible_to(user).filter(
        Q(name__icontains=query) | Q(la_reference__iexact=query) | Q(pk__in=children)
    )


def possible_duplicates(*, user, surnames: list[str], date_of_birth: dt.date | None) -> QuerySet:
    """The user's LA's families, open or closed, that a new case may duplicate: a child born on
    ``date_of_birth`` whose last name, or whose family's name, is one of ``surnames`` (ignoring
    case and spaces around). Nothing without a date of birth (an unborn child) or a surname.
    """
    names = Q()
    for surname in {name.strip().lower() for name in surnames if name and name.strip()}:
        names |= Q(last_name__iexact=surname) | Q(family__name__iexact=surname)
    if date_of_birth is None or not names:
        return m.Family.objects.none()
    children = m.Child.objects.visible_to(user).filter(names, date_of_birth=date_of_birth).values("family_id")
    return m.Family.objects.visible_to(user).filter(pk__in=children)


def duplicate_rows(*, user, ids: list[int], today: dt.date) -> QuerySet:
    """The families ``ids`` as the case list shows them (open or closed, with their facts), open first."""
    return (
        tracker.tracker_queryset(user=user, today=today, include_closed=True)
        .filter(pk__in=ids)
        .order_by("closed", "name", "pk")
    )


def case_list(*, user, today: dt.date, search: str = "", scope: str = "mine") -> QuerySet:
    """Open cases for the user: a social worker's own, a team manager's team, else the whole LA.

    With a search, the matching families of that scope, open and closed: open ones first, red and
    amber first, then closed ones (``closed``, no facts) by name.
    """
    searching = bool(search.strip())
    queryset = tracker.tracker_queryset(user=user, today=today, include_closed=searching)
    if scope == "mine":
        if user.role == c.Role.SOCIAL_WORKER:
            queryset = queryset.filter(social_worker=user)
        elif user.role == c.Role.TEAM_MANAGER and user.team_id:
            queryset = queryset.filter(team_id=user.team_id)
    if searching:
        queryset = queryset.filter(pk__in=family_search(user=user, query=search).values("pk"))
        return queryset.order_by("closed", "rag_order", "started_on", Case(When(closed=True, then="name")), "pk")
    return queryset.order_by("rag_order", "started_on", "pk")


def case_get(*, user, case_id: int) -> m.Family:
    """A case with everything its page shows, prefetched (404 for another LA's case)."""
    queryset = m.Family.objects.select_related("team__area", "social_worker", "local_authority").prefetch_related(
        Prefetch("children", queryset=m.Child.objects.order_by("date_of_birth", "pk")),
        Prefetch(
            "episodes",
            queryset=m.PreProceedingsEpisode.objects.order_by("gateway_meeting_date", "pk").prefetch_related(
                Prefetch("meetings", queryset=m.PreProceedingsMeeting.objects.order_by("meeting_date", "pk")),
                "children",
            ),
        ),
        Prefetch(
            "proceedings",
            queryset=m.Proceedings.objects.select_related("court")
            .order_by("issue_date", "pk")
            .prefetch_related(
                Prefetch(
                    "child_parts",
                    queryset=m.ChildProceedings.objects.select_related("child", "final_outcome").prefetch_related(
                        Prefetch("extensions", queryset=m.Extension.objects.order_by("granted_date", "pk"))
                    ),
                ),
                Prefetch(
                    "hearings",
                    queryset=m.Hearing.objects.select_related("hearing_type", "reason").order_by("listed_date", "pk"),
                ),
            ),
        ),
        Prefetch("assessments", queryset=m.Assessment.objects.select_related("assessment_type").order_by("pk")),
        Prefetch("delay_events", queryset=m.DelayEvent.objects.select_related("reason__driver").order_by("pk")),
        Prefetch("actions", queryset=m.MeetingAction.objects.select_related("item__meeting").order_by("due_date")),
        Prefetch(
            "meeting_items",
            queryset=m.MeetingItem.objects.exclude(decision="")
            .select_related("meeting")
            .order_by("meeting__meeting_date", "pk"),
            to_attr="decisions",
        ),
    )
    return get_visible(queryset, user=user, pk=case_id)


# ---------------------------------------------------------------------------
# Stage and timeline of a loaded case (no further queries), and what is due on it
# ---------------------------------------------------------------------------

STAGES = [
    ("gateway", "Legal gateway"),
    ("pre_proceedings", "Pre-proceedings"),
    ("proceedings", "Proceedings"),
    ("ended", "Concluded or stepped down"),
]


@dataclass
class Stage:
    code: str
    label: str
    steps: list[tuple[str, str, str]]  # (code, label, state: done, current or todo)


def case_stage(family: m.Family) -> Stage:
    """Where the case is in the PLO: legal gateway, pre-proceedings, proceedings, concluded or stepped down."""
    episodes = list(family.episodes.all())
    proceedings = list(family.proceedings.all())
    if any(p.is_open for p in proceedings):
        code, label = "proceedings", "In care proceedings"
    elif any(e.is_open for e in episodes):
        code, label = "pre_proceedings", "In pre-proceedings"
    elif (
        episodes
        and episodes[-1].outcome == c.PPOutcome.ISSUE
        and not any(p.issue_date >= episodes[-1].step_decision_date for p in proceedings)
    ):
        code, label = "proceedings", "Decision to issue: record the care application"
    elif proceedings:
        code, label = "ended", "Proceedings concluded"
    elif episodes and episodes[-1].outcome == c.PPOutcome.STEP_DOWN:
        code, label = "ended", "Stepped down"
    elif episodes and episodes[-1].outcome:
        code, label = "ended", episodes[-1].get_outcome_display()
    else:
        code, label = "gateway", "Before the legal gateway decision" if not episodes else "Legal gateway decision made"
    order = [step for step, _ in STAGES]
    current = order.index(code)
    steps = []
    for index, (step, step_label) in enumerate(STAGES):
        if step == "ended":
            step_label = label if code == "ended" else "Concluded or stepped down"
        state = "done" if index < current else "current" if index == current else "todo"
        steps.append((step, step_label, state))
    return Stage(code=code, label=label, steps=steps)


# Progress steps (``cases.views.cases.MILESTONES`` kinds whose record waits for them), by label.
HEARING_STEP = ("hearing-outcome", "Record the outcome")
ASSESSMENT_STEP = ("assessment-completion", "Record the completion")
FGDM_STEP = ("family-meeting-outcome", "Record whether it took place")
NO_STEP = ("", "")


@dataclass
class TimelineEntry:
    date: dt.date
    title: str
    detail: str = ""
    edit_url: str = ""
    kind: str = ""
    order: int = 0
    # A progress step on the entry, e.g. "Record the outcome" of a listed hearing.
    step_url: str = ""
    step_label: str = ""


def case_timeline(
    family: m.Family, *, newest_first: bool = False, extra: Iterable[TimelineEntry] = ()
) -> list[TimelineEntry]:
    """Every milestone, meeting, assessment, hearing, extension, delay, tracker meeting decision and
    meeting action done, in date order (oldest first, or newest first), from a loaded ``case_get``;
    with ``extra`` entries (the case notes and dated documents, ``cases.selectors.people``)."""
    entries: list[TimelineEntry] = list(extra)

    def add(date, title, detail="", url_name="", pk=None, kind="", order=0, step=("", "")):
        if date is None:
            return
        url = reverse("cases:milestone_edit", args=[family.pk, url_name, pk]) if url_name else ""
        step_name, step_label = step
        step_url = reverse("cases:milestone_edit", args=[family.pk, step_name, pk]) if step_name else ""
        entries.append(TimelineEntry(date, title, detail, url, kind, order, step_url, step_label))

    for child in family.children.all():
        if child.date_of_birth:
            add(child.date_of_birth, f"{child} born", kind="child", url_name="child", pk=child.pk, order=-1)
    _episode_entries(family, add)
    _proceedings_entries(family, add)
    _other_entries(family, add)
    _meeting_entries(family, add)
    entries.sort(key=lambda entry: (entry.date, entry.order), reverse=newest_first)
    return entries


def _episode_entries(family: m.Family, add) -> None:
    for episode in family.episodes.all():
        add(
            episode.gateway_meeting_date,
            "Legal gateway meeting",
            episode.get_gateway_outcome_display(),
            "episode",
            episode.pk,
            "pre_proceedings",
        )
        add(episode.start_date, "Pre-proceedings started", "", "episode", episode.pk, "pre_proceedings", 1)
        add(episode.lbp_sent_date, "Letter before proceedings sent", "", "letter", episode.pk, "pre_proceedings", 2)
        if episode.fgdm_offered:
            add(
                episode.fgdm_offered_date,
                "Family group meeting offered",
                "",
                "family-meeting",
                episode.pk,
                step=FGDM_STEP if episode.fgdm_awaiting_outcome else NO_STEP,
            )
        add(episode.fgdm_held_date, "Family group meeting held", "", "family-meeting", episode.pk)
        for meeting in episode.meetings.all():
            add(meeting.meeting_date, meeting.get_kind_display(), meeting.note, "pp-meeting", meeting.pk)
        if episode.step_decision_date:
            add(
                episode.step_decision_date,
                "Decision: " + episode.get_outcome_display(),
                "",
                "decision",
                episode.pk,
                "pre_proceedings",
                3,
            )
        add(episode.court_application_date, "Court application made", "", "decision", episode.pk, order=4)
        add(
            episode.letter_initiating_cp_date, "Letter initiating proceedings sent", "", "decision", episode.pk, order=5
        )


def hearing_detail(hearing: m.Hearing) -> str:
    """A listing in words for the timeline: its status, reason, orders, re-listing and note.

    Reads ``relisting`` and ``replaced``, set from the case's prefetched hearings by ``_link_relistings``.
    """
    parts = [hearing.get_status_display()]
    if hearing.status == c.HearingStatus.VACATED and hearing.vacated_on:
        parts[0] += f" on {hearing.vacated_on:%-d %B %Y}"
    if hearing.reason_id:
        parts[0] += f": {hearing.reason.label}"
    if hearing.orders_made:
        labels = dict(c.HearingOrder.choices)
        parts.append("Orders made: " + ", ".join(labels.get(code, code) for code in hearing.orders_made))
    relisting = getattr(hearing, "relisting", None)
    if relisting is not None:
        parts.append(f"Re-listed for {relisting.listed_date:%-d %B %Y}")
    if getattr(hearing, "replaced", None) is not None:
        parts.append(f"Re-listing of the hearing listed for {hearing.replaced.listed_date:%-d %B %Y}")
    parts.append(f"Listing made {hearing.listed_on:%-d %B %Y}")
    if hearing.note:
        parts.append(hearing.note)
    return ". ".join(parts)


def _link_relistings(hearings) -> None:
    """Set ``relisting`` and ``replaced`` on each of an application's hearings, with no query."""
    by_pk = {hearing.pk: hearing for hearing in hearings}
    for hearing in hearings:
        hearing.relisting = None
        hearing.replaced = by_pk.get(hearing.replaces_id)
    for hearing in hearings:
        if hearing.replaced is not None:
            hearing.replaced.relisting = hearing


def _proceedings_entries(family: m.Family, add) -> None:
    for proceedings in family.proceedings.all():
        names = ", ".join(str(part.child) for part in proceedings.child_parts.all())
        add(
            proceedings.issue_date,
            f"Care application issued ({proceedings.court_case_number})",
            f"{proceedings.court.label}. Children: {names}.",
            "proceedings",
            proceedings.pk,
            "proceedings",
            6,
        )
        add(proceedings.guardian_allocated_date, "Children's guardian allocated", "", "proceedings", proceedings.pk)
        _link_relistings(list(proceedings.hearings.all()))
        for hearing in proceedings.hearings.all():
            add(
                hearing.listed_date,
                hearing.hearing_type.label,
                hearing_detail(hearing),
                "hearing",
                hearing.pk,
                "hearing",
                step=HEARING_STEP if hearing.awaiting_outcome else NO_STEP,
            )
        for part in proceedings.child_parts.all():
            for extension in part.extensions.all():
                add(
                    extension.granted_date,
                    f"Extension for {part.child} to {extension.new_end_date:%-d %B %Y}",
                    extension.reason,
                    "extension",
                    extension.pk,
                    "extension",
                )
            if part.final_outcome_id:
                add(
                    part.final_outcome_date,
                    f"Final order for {part.child}: {part.final_outcome.label}",
                    "",
                    "child-order",
                    part.pk,
                    "order",
                    9,
                )


def _other_entries(family: m.Family, add) -> None:
    for assessment in family.assessments.all():
        label = assessment.assessment_type.label
        who = f" of {assessment.subject}" if assessment.subject else ""
        add(
            assessment.instructed_date,
            f"{label}{who} instructed",
            f"Due {_day(assessment.due_date)}" if assessment.awaiting_outcome and assessment.due_date else "",
            "assessment",
            assessment.pk,
            step=ASSESSMENT_STEP if assessment.awaiting_outcome else NO_STEP,
        )
        add(
            assessment.completed_date,
            f"{label}{who} completed",
            assessment.get_outcome_display() if assessment.outcome else "",
            "assessment",
            assessment.pk,
        )
    for event in family.delay_events.all():
        add(
            event.event_date,
            f"Delay: {event.days_lost} days lost ({event.get_delayed_item_display().lower()})",
            f"{event.reason.label} ({event.reason.driver.label})",
            "delay",
            event.pk,
            "delay",
        )


def _meeting_entries(family: m.Family, add) -> None:
    """Tracker meeting decisions, with their notes, and the meeting actions done (read only here:
    they are meeting records, changed in meeting mode)."""
    for item in family.decisions:
        parts = []
        if item.review_date:
            parts.append(f"Review on {_day(item.review_date)}")
        if item.note:
            parts.append(item.note)
        add(
            item.meeting.meeting_date,
            f"Tracker meeting decision: {item.get_decision_display()}",
            ". ".join(parts),
            kind="meeting",
            order=8,
        )
    for action in family.actions.all():
        if action.completed_date:
            agreed = f"Agreed at the tracker meeting of {_day(action.item.meeting.meeting_date)}" if action.item else ""
            add(action.completed_date, f"Meeting action done: {action.description}", agreed, kind="meeting")


# ---------------------------------------------------------------------------
# Episodes: each pre-proceedings episode and each care application, current and earlier
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeSummary:
    """One pre-proceedings episode or care application of a case, in words, for its page."""

    kind: str  # "pre_proceedings" or "proceedings"
    title: str
    rows: list[tuple[str, str]]  # (label, value)
    current: bool
    repeat: bool = False


@dataclass(frozen=True)
class Episodes:
    current: list[EpisodeSummary]
    earlier: list[EpisodeSummary]  # the latest first


def _names(children) -> str:
    return ", ".join(str(child) for child in children) or "None recorded"


def _episode_summary(episode: m.PreProceedingsEpisode) -> EpisodeSummary:
    if episode.start_date:
        title = f"Pre-proceedings from {_day(episode.start_date)}"
    else:
        title = f"Legal gateway decision of {_day(episode.gateway_meeting_date)}"
    rows = [
        ("Legal gateway", f"{_day(episode.gateway_meeting_date)}: {episode.get_gateway_outcome_display()}"),
        ("Children", _names(episode.children.all())),
    ]
    if episode.start_date:
        rows.append(("Letter before proceedings", _day(episode.lbp_sent_date) if episode.lbp_sent_date else "Not sent"))
        rows.append(("Meetings", str(len(episode.meetings.all()))))
        if episode.step_decision_date:
            rows.append(("Decision", f"{episode.get_outcome_display()}, {_day(episode.step_decision_date)}"))
        else:
            rows.append(("Decision", "None yet"))
    repeat = []
    if episode.previous_pre_proceedings:
        repeat.append("a child had a previous pre-proceedings episode")
    if episode.previous_care_proceedings:
        repeat.append("a child was previously in care proceedings")
    if repeat:
        rows.append(("Repeat episode", "Yes: " + " and ".join(repeat)))
    return EpisodeSummary("pre_proceedings", title, rows, episode.is_open, bool(repeat))


def _proceedings_summary(proceedings: m.Proceedings) -> EpisodeSummary:
    parts = list(proceedings.child_parts.all())
    orders = [
        f"{part.child}: {part.final_outcome.label}, {_day(part.final_outcome_date)}"
        if part.final_outcome_id and part.final_outcome_date
        else f"{part.child}: no final order yet"
        for part in parts
    ]
    rows = [
        ("Issued", f"{_day(proceedings.issue_date)}, {proceedings.court.label}"),
        ("Children", _names(part.child for part in parts)),
        ("Final orders", "; ".join(orders) or "None yet"),
        ("Concluded", _day(proceedings.concluded_date) if proceedings.concluded_date else "Not yet"),
    ]
    title = f"Care proceedings {proceedings.court_case_number}"
    return EpisodeSummary("proceedings", title, rows, proceedings.is_open)


def case_episodes(family: m.Family) -> Episodes:
    """The case's pre-proceedings episodes and care applications, the open ones current and the
    rest earlier (latest first), from a loaded ``case_get`` (no query)."""
    dated = [(episode.gateway_meeting_date, 0, _episode_summary(episode)) for episode in family.episodes.all()]
    dated += [(p.issue_date, 1, _proceedings_summary(p)) for p in family.proceedings.all()]
    dated.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return Episodes(
        current=[summary for _, _, summary in dated if summary.current],
        earlier=[summary for _, _, summary in dated if not summary.current],
    )


def case_due_items(*, family: m.Family, today: dt.date, row=None) -> list[next_due.DueItem]:
    """What is due on a case, earliest first, from its stored tracker facts; none once it is closed.

    Two queries at most: the facts row (unless given, e.g. ``case_status(...).facts``), and the
    next listed hearing while in court.
    """
    if row is None:
        row = m.TrackerRow.objects.filter(family_id=family.pk).first()
    if row is None:
        return []
    tracker.attach_next_hearings([row], today=today)
    return next_due.due_items(row, today=today, next_hearing=row.next_hearing)


# ---------------------------------------------------------------------------
# The case's status and its PLO timetable (REFERENCE.md 4, "Timetable checks")
# ---------------------------------------------------------------------------

# The live tracker's "listed": every listing made and none vacated, as the tracker facts count them.
LISTED_NOW = dt.date.max


@dataclass(frozen=True)
class TimetableHearing:
    """One PLO hearing on the case page: its target, its listings now and the checks it fails."""

    code: str  # the hearing type
    label: str
    target: str
    listings: list  # Hearing records listed now, in date order
    warnings: list  # the raised flags of its checks, worded as on the tracker


@dataclass(frozen=True)
class CaseStatus:
    """An open case's RAG status and reasons (as on the tracker), and its timetable while in court."""

    facts: m.TrackerRow  # annotated with today's flags (``tracker_facts``)
    rag: str
    reason: str
    flags: list
    timetable: list[TimetableHearing]
    warnings: list  # raised flags about the timetable as a whole (timetabled beyond)


# The PLO hearings shown, each with the flags of its timetable checks.
TIMETABLE = (
    ("cmh", "Case management hearing", ("cmh_outside_window",)),
    ("irh", "Issues resolution hearing", ("no_irh_by_20", "irh_after_week")),
    ("final", "Final hearing", ("no_final_by_20", "final_after_end")),
)
TIMETABLE_WHOLE = ("timetabled_beyond",)


def _day(date: dt.date) -> str:
    return f"{date:%-d %B %Y}"


def _targets(row, limits) -> dict[str, str]:
    """Each PLO hearing's target in words, from the dates stored in the facts (no arithmetic here)."""
    if row.extended_to is not None and row.extended_to == row.timetable_end:
        end = f"By {_day(row.timetable_end)} (the timetable end as extended by the court)"
    else:
        end = f"By {_day(row.timetable_end)} ({limits.s31_limit_weeks} weeks from issue)"
    irh = f"{_day(row.irh_by)} ({limits.irh_by_week} weeks from issue)"
    return {
        "cmh": f"Between day {limits.cmh_earliest_day} and day {limits.cmh_latest_day} "
        f"({_day(row.cmh_window_first)} to {_day(row.cmh_window_last)})",
        "irh": f"By {irh}",
        "final": f"{end}, listed by {irh}",
    }


def case_status(*, user, family: m.Family, today: dt.date, limits) -> CaseStatus | None:
    """The RAG status, its reasons and, in court, the PLO timetable of an open case; None once closed.

    The flags are the tracker's (``tracker_facts``, compared with ``today``), so the page says what
    the tracker says; each hearing's warnings are its raised timetable flags. ``limits`` is
    ``thresholds.current()``. Two queries: the facts row and, in court, the hearings listed now.
    """
    row = tracker.tracker_facts(user=user, today=today).filter(pk=family.pk).first()
    if row is None:
        return None
    flags = tracker.worded_flags(limits)
    raised = tracker.row_flags(row, flags)
    by_code = {flag.code: flag for flag in raised}
    timetable: list[TimetableHearing] = []
    warnings = []
    if row.proceedings_id:
        listings = (
            m.Hearing.objects.visible_to(user)
            .filter(m.listed_as_at(LISTED_NOW), proceedings_id=row.proceedings_id)
            .filter(hearing_type_id__in=[code for code, _, _ in TIMETABLE])
            .order_by("listed_date", "pk")
        )
        listed: dict[str, list] = {code: [] for code, _, _ in TIMETABLE}
        for hearing in listings:
            listed[hearing.hearing_type_id].append(hearing)
        targets = _targets(row, limits)
        timetable = [
            TimetableHearing(
                code, label, targets[code], listed[code], [by_code[flag] for flag in checks if flag in by_code]
            )
            for code, label, checks in TIMETABLE
        ]
        warnings = [by_code[flag] for flag in TIMETABLE_WHOLE if flag in by_code]
    return CaseStatus(row, row.rag, tracker.row_reason(row, flags), raised, timetable, warnings)
