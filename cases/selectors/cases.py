"""Reads of case data for pages, exports and the API: always scoped to the user's LA.

The case page loads a family and everything on its timeline in a fixed number of queries,
whatever the number of milestones; the case list is the tracker query filtered to the user's
caseload, so it costs the same few queries for any number of cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from cases import constants as c
from cases import models as m
from cases.permissions import get_visible
from cases.selectors import tracker


def case_list(*, user, today: dt.date, search: str = "", scope: str = "mine") -> QuerySet:
    """Open cases for the user: a social worker's own, a team manager's team, else the whole LA."""
    queryset = tracker.tracker_queryset(user=user, today=today)
    if scope == "mine":
        if user.role == c.Role.SOCIAL_WORKER:
            queryset = queryset.filter(social_worker=user)
        elif user.role == c.Role.TEAM_MANAGER and user.team_id:
            queryset = queryset.filter(team_id=user.team_id)
    search = search.strip()
    if search:
        matching_children = m.Child.objects.filter(
            Q(first_name__icontains=search) | Q(last_name__icontains=search) | Q(la_child_id__iexact=search)
        ).values("family_id")
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(la_reference__iexact=search) | Q(pk__in=matching_children)
        )
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
    )
    return get_visible(queryset, user=user, pk=case_id)


# ---------------------------------------------------------------------------
# Stage, timeline and next-due items of a loaded case (no further queries)
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
    if any(p.concluded_date is None for p in proceedings):
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


@dataclass
class TimelineEntry:
    date: dt.date
    title: str
    detail: str = ""
    edit_url: str = ""
    kind: str = ""
    order: int = 0


def case_timeline(family: m.Family) -> list[TimelineEntry]:
    """Every milestone, meeting, assessment, hearing, extension and delay in date order."""
    entries: list[TimelineEntry] = []

    def add(date, title, detail="", url_name="", pk=None, kind="", order=0):
        if date is None:
            return
        url = reverse("cases:milestone_edit", args=[family.pk, url_name, pk]) if url_name else ""
        entries.append(TimelineEntry(date, title, detail, url, kind, order))

    for child in family.children.all():
        if child.date_of_birth:
            add(child.date_of_birth, f"{child} born", kind="child", url_name="child", pk=child.pk, order=-1)
    _episode_entries(family, add)
    _proceedings_entries(family, add)
    _other_entries(family, add)
    entries.sort(key=lambda entry: (entry.date, entry.order))
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
            add(episode.fgdm_offered_date, "Family group meeting offered", "", "family-meeting", episode.pk)
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
        for hearing in proceedings.hearings.all():
            detail = hearing.get_status_display()
            if hearing.reason_id:
                detail += f": {hearing.reason.label}"
            if hearing.relisted_date:
                detail += f". Re-listed for {hearing.relisted_date:%-d %B %Y}"
            add(hearing.listed_date, hearing.hearing_type.label, detail, "hearing", hearing.pk, "hearing")
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
        add(assessment.instructed_date, f"{label} assessment{who} instructed", "", "assessment", assessment.pk)
        add(
            assessment.completed_date,
            f"{label} assessment{who} completed",
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


@dataclass
class DueItem:
    label: str
    date: dt.date
    overdue: bool
    detail: str = ""
    window_start: dt.date | None = None


@dataclass
class NextDue:
    items: list[DueItem] = field(default_factory=list)

    @property
    def overdue(self) -> list[DueItem]:
        return [item for item in self.items if item.overdue]


def _weeks(limits: dict[str, Decimal], code: str, default: int) -> int:
    return int(limits.get(code, default))


def case_next_due(family: m.Family, *, today: dt.date, limits: dict[str, Decimal]) -> NextDue:
    """What is due next on an open case, from the reference thresholds (no further queries)."""
    items: list[DueItem] = []

    def due(label, date, detail="", window_start=None):
        items.append(DueItem(label, date, date < today, detail, window_start))

    open_proceedings = [p for p in family.proceedings.all() if p.concluded_date is None]
    open_episodes = [e for e in family.episodes.all() if e.is_open]
    for proceedings in open_proceedings:
        _proceedings_due(proceedings, due, items, today=today, limits=limits)
    for episode in open_episodes:
        _episode_due(episode, due, limits=limits)
    if open_proceedings or open_episodes:
        for assessment in family.assessments.all():
            if assessment.completed_date is None and assessment.due_date:
                due(f"{assessment.assessment_type.label} assessment report", assessment.due_date)
    for action in family.actions.all():
        if action.is_open:
            due(f"Action: {action.description}", action.due_date, f"Owner: {action.owner}")
    items.sort(key=lambda item: item.date)
    return NextDue(items=items)


def _proceedings_due(proceedings: m.Proceedings, due, items: list[DueItem], *, today, limits) -> None:
    hearings = list(proceedings.hearings.all())
    happened_or_listed = [h for h in hearings if h.status != c.HearingStatus.VACATED or h.relisted_date]
    issue = proceedings.issue_date
    if not any(h.hearing_type_id == "cmh" for h in happened_or_listed):
        # PD12A: the CMH is between day 12 and day 18, day 1 being the issue date.
        due(
            "Case management hearing",
            issue + dt.timedelta(days=17),
            "Between day 12 and day 18",
            issue + dt.timedelta(days=11),
        )
    if not any(h.hearing_type_id == "irh" for h in happened_or_listed):
        due(
            "Issues resolution hearing listed",
            issue + dt.timedelta(weeks=_weeks(limits, "irh_by_week", 20)),
            "By week 20",
        )
    limit = issue + dt.timedelta(weeks=_weeks(limits, "s31_limit_weeks", 26))
    for part in proceedings.child_parts.all():
        if part.final_outcome_id:
            continue
        end = max([limit, *(extension.new_end_date for extension in part.extensions.all())])
        due(f"Final hearing for {part.child}", end, "Week 26 plus granted extensions" if end != limit else "By week 26")
    for hearing in hearings:
        if hearing.status in (c.HearingStatus.LISTED, c.HearingStatus.RELISTED):
            date = hearing.relisted_date or hearing.listed_date
            if date >= today:
                items.append(DueItem(f"{hearing.hearing_type.label} listed", date, False))


def _episode_due(episode: m.PreProceedingsEpisode, due, *, limits) -> None:
    meetings = list(episode.meetings.all())
    start = episode.start_date
    if not episode.lbp_sent_date:
        due("Letter before proceedings", start, "Sent at the start of pre-proceedings")
    if not any(meeting.kind == c.MeetingKind.INITIAL for meeting in meetings):
        due("Initial pre-proceedings meeting", start + dt.timedelta(weeks=2), "Soon after the letter")
    else:
        last = max(meeting.meeting_date for meeting in meetings)
        due(
            "Review meeting",
            last + dt.timedelta(weeks=_weeks(limits, "pp_review_interval_weeks", 6)),
            "At the local review interval",
        )
    if not episode.fgdm_held_date:
        due("Family group meeting held", start + dt.timedelta(weeks=_weeks(limits, "fgdm_by_weeks", 6)), "FGC/FGDM")
    due(
        "Step-down or issue decision",
        start + dt.timedelta(weeks=_weeks(limits, "pp_threshold_weeks", 16)),
        "At the local pre-proceedings threshold",
    )
    for child in episode.children.all():
        if child.date_of_birth is None and child.expected_due_date:
            # Week 35 of a 40-week pregnancy: five weeks before the expected due date.
            due(
                f"Pre-birth plan shared with parents ({child})",
                child.expected_due_date - dt.timedelta(weeks=5),
                "By week 35 of pregnancy",
            )
