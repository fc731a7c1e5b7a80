"""My tasks: everything due and overdue across a user's caseload, from the one next-due engine.

A user's caseload (``caseload``):

- a social worker: the families allocated to them;
- a team manager: their team's families;
- a quadrant tracker meeting chair: the families on the agendas of their meetings not yet closed;
- anyone else in an LA (an LA administrator, a team manager with no team): the families allocated
  to them, if any.

Each open case of the caseload gives the items ``cases.next_due.due_items`` gives its page and the
tracker, from the same stored facts, except the summary of its meeting actions: those are listed one
by one (``next_due.action_item``), so each shows what must be done and who owns it. The open actions
listed are those the user owns (on any case of their LA), those on the caseload's families and,
for a chair, every open action agreed at a meeting they chaired.

The whole list costs the same few queries for any caseload: the facts rows, the next hearings of
those in court, the open actions and the families shown. Sorting and filtering are on the built
list; the item dates and overdue rule are the engine's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from cases import constants as c
from cases import models as m
from cases import next_due
from cases.selectors import tracker

# What an item is, as a short code for links and filters, named from the engine's kinds (the
# stored fact of each PLO step; the next hearing, assessments and meeting actions).
KINDS: tuple[tuple[str, str], ...] = (
    *((kind.fact, kind.label) for kind in next_due.KINDS),
    ("hearing", next_due.NEXT_HEARING),
    ("assessment", next_due.ASSESSMENT.label),
    ("action", next_due.ACTION.label),
)
KIND_OF_LABEL = {label: code for code, label in KINDS}

SORT_DUE = "due"
SORT_CASE = "case"


@dataclass(frozen=True)
class Task:
    """One item due on a case of the caseload (``item`` is the engine's ``DueItem``)."""

    case: m.Family
    item: next_due.DueItem
    kind: str
    action: m.MeetingAction | None = None

    @property
    def overdue(self) -> bool:
        return self.item.overdue


def _caseload_families(user) -> Q:
    """The families of the user's caseload, as a filter on ``Family``; nothing for a role with none."""
    if user.role == c.Role.TEAM_MANAGER and user.team_id:
        return Q(team_id=user.team_id)
    if user.role == c.Role.QUADRANT_CHAIR:
        agendas = m.MeetingItem.objects.filter(
            meeting__chair=user, meeting__closed_at__isnull=True, meeting__local_authority_id=user.local_authority_id
        ).values("family_id")
        return Q(pk__in=agendas)
    return Q(social_worker=user)


def _actions_for(user) -> Q:
    """The open meeting actions that are this user's to see to, as a filter on ``MeetingAction``:
    those they own, those on their caseload's families and, for a chair, those of their meetings."""
    mine = Q(owner=user) | Q(family__in=m.Family.objects.visible_to(user).filter(_caseload_families(user)))
    if user.role == c.Role.QUADRANT_CHAIR:
        mine |= Q(item__meeting__chair=user)
    return mine


def caseload(user):
    """The user's LA's families in their caseload (open and closed)."""
    return m.Family.objects.visible_to(user).filter(_caseload_families(user))


def task_list(*, user, today: dt.date) -> list[Task]:
    """Every item due on the user's caseload (overdue ones included), earliest first.

    Four queries whatever the caseload: the facts rows of its open cases, their next hearings (none
    when no case is in court), the open actions, and the families shown.
    """
    rows = list(m.TrackerRow.objects.visible_to(user).filter(family__in=caseload(user).values("pk")))
    tracker.attach_next_hearings(rows, today=today)
    actions = list(
        m.MeetingAction.objects.visible_to(user)
        .open()
        .filter(_actions_for(user))
        .select_related("item__meeting", "owner")
        .order_by("due_date", "pk")
    )
    family_ids = {row.family_id for row in rows} | {action.family_id for action in actions}
    families = (
        m.Family.objects.visible_to(user)
        .filter(pk__in=family_ids)
        .select_related("social_worker", "team")
        .only(
            "pk",
            "name",
            "la_reference",
            "local_authority_id",
            "social_worker__first_name",
            "social_worker__last_name",
            "social_worker__username",
            "team__name",
        )
        .in_bulk()
        if family_ids
        else {}
    )
    tasks: list[Task] = []
    for row in rows:
        family = families.get(row.family_id)
        if family is None:  # closed between the two queries
            continue
        for item in next_due.due_items(row, today=today, next_hearing=row.next_hearing):
            if item.label == next_due.ACTION.label:
                continue  # each open action is listed on its own, below
            tasks.append(Task(case=family, item=item, kind=KIND_OF_LABEL[item.label]))
    for action in actions:
        family = families.get(action.family_id)
        if family is not None:
            tasks.append(
                Task(case=family, item=next_due.action_item(action, today=today), kind="action", action=action)
            )
    return sort_tasks(tasks, SORT_DUE)


def _plo_order(task: Task) -> int:
    return [code for code, _ in KINDS].index(task.kind)


def sort_tasks(tasks: list[Task], sort: str) -> list[Task]:
    """By due date (earliest first; on one day by case, then in PLO order), or by case (family name,
    reference) and then due date."""
    if sort == SORT_CASE:
        key = lambda task: (task.case.name.casefold(), task.case.la_reference, task.item.date, _plo_order(task))  # noqa: E731
    else:
        key = lambda task: (task.item.date, task.case.name.casefold(), task.case.la_reference, _plo_order(task))  # noqa: E731
    return sorted(tasks, key=key)


def due_soon(tasks: list[Task], *, today: dt.date, days: int) -> list[Task]:
    """The items overdue or due in the next ``days`` days (today included): what a reminder lists."""
    horizon = today + dt.timedelta(days=days)
    return [task for task in tasks if task.item.overdue or task.item.date <= horizon]


def filter_tasks(tasks: list[Task], *, today: dt.date, show: str = "all", days: int = 7, kind: str = "") -> list[Task]:
    """``show``: "all", "overdue" (only) or "soon" (``due_soon``); ``kind``: one of ``KINDS``' codes."""
    if show == "overdue":
        tasks = [task for task in tasks if task.item.overdue]
    elif show == "soon":
        tasks = due_soon(tasks, today=today, days=days)
    if kind:
        tasks = [task for task in tasks if task.kind == kind]
    return tasks
