"""What is due next on an open case: the one engine behind the case list, the tracker and the case page.

Every date comes from the tracker's stored facts (``TrackerRow``): the facts view (migration
0011) works each one out from the case and the thresholds, and sets it only while the item is due
and the case is at that stage (pre-proceedings items in pre-proceedings, proceedings items in
court; assessments and meeting actions in both). So this module does no threshold arithmetic: it
names the dates, compares them with today and puts them in order. The next listed hearing is not
a fact (it depends on today); callers find it with ``tracker.attach_next_hearings`` and pass it in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DueItem:
    label: str
    date: dt.date
    overdue: bool
    detail: str = ""
    window_start: dt.date | None = None

    @property
    def when(self) -> str:
        """When it is due, in words: a window ("1 Mar 2026 to 8 Mar 2026"), a listed hearing's own
        day ("On 11 Dec 2025": it happens that day, not by it), or a deadline ("By 11 Dec 2025")."""
        day = f"{self.date:%-d %b %Y}"
        if self.window_start is not None:
            return f"{self.window_start:%-d %b %Y} to {day}"
        return f"On {day}" if self.label in ON_THE_DAY else f"By {day}"


@dataclass(frozen=True)
class _Kind:
    fact: str  # the stored fact holding the date
    label: str
    detail: str
    window_start: str = ""  # the stored fact holding the start of its window, if it has one


# In the order items due on the same day are listed: the order they happen in the PLO.
KINDS: tuple[_Kind, ...] = (
    _Kind("lbp_due", "Letter before proceedings", "Sent at the start of pre-proceedings"),
    _Kind("initial_meeting_due", "Initial pre-proceedings meeting", "After the letter before proceedings"),
    _Kind("review_due", "Review meeting", "At the local review interval after the last meeting"),
    _Kind("fgdm_due", "Family group meeting held", "Family group conference or decision-making meeting"),
    _Kind("pre_birth_plan_due", "Pre-birth plan shared with parents", "By the agreed week of pregnancy"),
    _Kind("decision_due", "Step-down or issue decision", "At the local pre-proceedings threshold"),
    _Kind("cmh_due", "Case management hearing", "In the PD12A window", window_start="cmh_window_start"),
    _Kind("irh_due", "Issues resolution hearing listed", "By the local IRH week"),
    _Kind("timetable_end", "Final hearing by timetable end", "The statutory time limit"),
)
NEXT_HEARING = "Next hearing"
# Items that happen on their date rather than by it.
ON_THE_DAY = frozenset({NEXT_HEARING})
ASSESSMENT = _Kind("next_assessment_due", "Assessment report", "The earliest open assessment")
ACTION = _Kind("next_action_due", "Meeting action", "The earliest open tracker meeting action")
EXTENDED = "The time limit, extended by the court"


def due_item(
    label: str, date: dt.date, *, today: dt.date, detail: str = "", window_start: dt.date | None = None
) -> DueItem:
    """One item due on ``date``: overdue once ``today`` is past it (due today is not yet overdue)."""
    return DueItem(label, date, date < today, detail, window_start)


def action_item(action, *, today: dt.date) -> DueItem:
    """One open meeting action as an item, with what must be done as its detail.

    A case's items name only its earliest open action (the ``next_action_due`` fact); My tasks lists
    each open action on its own, from its own due date, with the same rule.
    """
    return due_item(ACTION.label, action.due_date, today=today, detail=action.description)


def due_items(row, *, today: dt.date, next_hearing: dt.date | None = None) -> list[DueItem]:
    """Everything due on a case, earliest first (ties in PLO order), from its stored facts.

    ``row`` is a ``TrackerRow`` or a family annotated with its facts (``tracker_queryset``,
    ``tracker_cases``); ``next_hearing`` is the next listed hearing, shown while in court.
    """
    items: list[tuple[dt.date, int, DueItem]] = []

    def add(order: int, label: str, date: dt.date | None, detail: str, window_start: dt.date | None = None):
        if date is not None:
            items.append((date, order, due_item(label, date, today=today, detail=detail, window_start=window_start)))

    for order, kind in enumerate(KINDS):
        detail = kind.detail
        if kind.fact == "timetable_end" and row.extended_to is not None and row.extended_to == row.timetable_end:
            detail = EXTENDED
        window = getattr(row, kind.window_start) if kind.window_start else None
        add(order, kind.label, getattr(row, kind.fact), detail, window)
    if row.proceedings_id:
        add(len(KINDS), NEXT_HEARING, next_hearing, "Listed")
    for order, kind in enumerate((ASSESSMENT, ACTION), start=len(KINDS) + 1):
        add(order, kind.label, getattr(row, kind.fact), kind.detail)
    items.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _, _, item in items]


def next_due(row, *, today: dt.date, next_hearing: dt.date | None = None) -> DueItem | None:
    """The first thing due on a case (``due_items``' first), or None when nothing is."""
    items = due_items(row, today=today, next_hearing=next_hearing)
    return items[0] if items else None
