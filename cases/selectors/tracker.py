"""The tracker: every open case in a scope, with drift flags and a red/amber/green status.

A row is a family (case) with an open pre-proceedings episode or open proceedings. The facts a row
needs are stored per family (``TrackerRow``, kept current by triggers); the flags and the RAG
status, which depend on today and the thresholds, are SQL expressions on those facts, so the list
is filtered, sorted, counted and paged in the database, on the narrow facts table alone
(``tracker_facts``), and the family records are loaded only for the rows shown
(``tracker_cases``). Thresholds come from the reference table (``Threshold``), never from code.

Past-limit rule for a live case: today is after the child's timetable end (issue + 26 weeks,
moved to the latest extension's new end date). The monthly metric counts 8 weeks per extension
granted, as the reference defines it; for one child per application the two agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Case, F, Min, Prefetch, Q, Value, When

from cases import models as m
from cases.flags import FLAGS, FLAGS_BY_CODE, RAG_ORDER, WEEKS_BANDS, Flag, row_flags, row_reason  # noqa: F401 (re-exported)


class DaysBetween(models.Func):
    """``later - earlier`` in days for two dates (PostgreSQL date subtraction)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()


def thresholds() -> dict[str, Decimal]:
    """Threshold values by code (one query)."""
    return dict(m.Threshold.objects.values_list("code", "value"))


def _weeks(values: dict[str, Decimal], code: str, default: int) -> int:
    return int(values.get(code, default))


def _annotate(queryset: models.QuerySet, row: str, *, today: dt.date) -> models.QuerySet:
    """Stage, days elapsed, every flag and RAG as comparisons of the stored facts with ``today``.

    ``row`` is the lookup prefix of the facts: ``""`` on ``TrackerRow`` itself and
    ``"tracker_row__"`` on ``Family``. Both querysets get the same expressions, so a page chosen on
    the facts table shows exactly the flags it was chosen by. When each flag starts and stops is
    worked out once, in the facts (migration 0009), from the case and the thresholds.
    """
    if row:
        queryset = queryset.annotate(**{name: F(row + name) for name in FACT_FIELDS})
    queryset = queryset.annotate(
        stage=Case(
            When(**{row + "proceedings_id__isnull": False}, then=Value("proceedings")),
            default=Value("pre_proceedings"),
            output_field=models.CharField(),
        ),
        days_elapsed=DaysBetween(Value(today, output_field=models.DateField()), F(row + "started_on")),
        **{
            f"flag_{flag.code}": models.ExpressionWrapper(_raised(flag, row, today), output_field=models.BooleanField())
            for flag in FLAGS
        },
    )
    red = Q()
    amber = Q()
    for flag in FLAGS:
        if flag.severity == "red":
            red |= Q(**{f"flag_{flag.code}": True})
        else:
            amber |= Q(**{f"flag_{flag.code}": True})
    return queryset.annotate(
        rag=Case(When(red, then=Value("red")), When(amber, then=Value("amber")), default=Value("green")),
        rag_order=Case(When(red, then=Value(0)), When(amber, then=Value(1)), default=Value(2)),
    )


def _raised(flag: Flag, row: str, today: dt.date) -> Q:
    """Whether ``flag`` is raised on ``today``: on or after its start, and before its end if it has one."""
    raised = Q(**{f"{row}{flag.code}_from__lte": today})
    return raised & Q(**{f"{row}{flag.code}_until__gt": today}) if flag.ends else raised


# Facts copied onto each Family row of the tracker queryset (the template and next-due read them).
FACT_FIELDS = (
    "started_on",
    "timetable_end",
    "episode_id",
    "episode_start",
    "proceedings_id",
    "issue_date",
    "last_meeting",
    "has_irh",
    "next_assessment_due",
    "next_action_due",
)


def tracker_facts(*, user, today: dt.date) -> models.QuerySet:
    """The open cases visible to ``user`` as annotated facts rows (``TrackerRow``), nothing joined.

    For choosing, counting and ordering a list of open cases cheaply: an LA's rows come by index
    from one narrow table. ``tracker_cases`` then loads the family records of the rows it shows.
    """
    return _annotate(m.TrackerRow.objects.visible_to(user), "", today=today)


def tracker_queryset(*, user, today: dt.date) -> models.QuerySet:
    """Open cases visible to ``user`` (families) with stage, weeks, next-due inputs, every flag and RAG.

    The per-case facts come from the stored ``cases_trackerfacts`` rows (one join); the flags are
    comparisons of their stored start and end dates with ``today``.
    """
    queryset = (
        m.Family.objects.visible_to(user)
        .filter(tracker_row__isnull=False, tracker_row__local_authority_id=user.local_authority_id)
        .select_related("team__area", "social_worker")
        .prefetch_related(_children_prefetch())
    )
    return _annotate(queryset, "tracker_row__", today=today)


def _children_prefetch() -> Prefetch:
    return Prefetch(
        "children",
        queryset=m.Child.objects.order_by("date_of_birth", "pk").only(
            "pk", "family_id", "first_name", "last_name", "date_of_birth", "expected_due_date"
        ),
    )


def tracker_cases(ids: list[int], *, user, today: dt.date, chunk: int = 1000) -> Iterator:
    """The open cases with these family ids, in the order given, as ``tracker_queryset`` would give them.

    The list chooses and orders ids on the facts table alone (``tracker_facts``); this loads the
    ids it shows: their annotated facts rows, and their families with team, social worker and
    children, copying the row's values onto the family. Three queries per ``chunk`` ids, each
    simple (the flags are computed on the facts table, with no joins).
    """
    copied = [*FACT_FIELDS, "stage", "days_elapsed", "rag", "rag_order", *(f"flag_{flag.code}" for flag in FLAGS)]
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = {row.pk: row for row in tracker_facts(user=user, today=today).filter(pk__in=part)}
        families = (
            m.Family.objects.visible_to(user)
            .filter(pk__in=list(rows))
            .select_related("team__area", "social_worker")
            .prefetch_related(_children_prefetch())
            .in_bulk()
        )
        for pk in part:
            if pk in rows and pk in families:  # gone if the case closed between the two queries
                family = families[pk]
                for name in copied:
                    setattr(family, name, getattr(rows[pk], name))
                yield family


def attach_next_hearings(rows: list, *, today: dt.date) -> list:
    """Set ``next_hearing`` (the next listed hearing from today) on tracker rows, in one query."""
    ids = [row.proceedings_id for row in rows if row.proceedings_id]
    dates = (
        dict(
            m.Hearing.objects.filter(proceedings_id__in=ids, status="listed", listed_date__gte=today)
            .values("proceedings_id")
            .annotate(first=Min("listed_date"))
            .values_list("proceedings_id", "first")
        )
        if ids
        else {}
    )
    for row in rows:
        row.next_hearing = dates.get(row.proceedings_id)
    return rows


@dataclass
class NextDue:
    label: str
    date: dt.date
    overdue: bool


def row_next_due(row, *, today: dt.date, limits: dict[str, Decimal]) -> NextDue | None:
    """The earliest thing due on an annotated row (no extra queries)."""
    candidates: list[NextDue] = []
    if row.proceedings_id:
        irh_by = row.issue_date + dt.timedelta(weeks=_weeks(limits, "irh_by_week", 20))
        if not row.has_irh:
            candidates.append(NextDue("IRH listed by week 20", irh_by, irh_by < today))
        candidates.append(NextDue("Final hearing by timetable end", row.timetable_end, row.timetable_end < today))
        if getattr(row, "next_hearing", None):
            candidates.append(NextDue("Next hearing", row.next_hearing, False))
    elif row.episode_id:
        review_by = (row.last_meeting or row.episode_start) + dt.timedelta(
            weeks=_weeks(limits, "pp_review_interval_weeks", 6)
        )
        candidates.append(NextDue("Review meeting", review_by, review_by < today))
        decide_by = row.episode_start + dt.timedelta(weeks=_weeks(limits, "pp_threshold_weeks", 16))
        candidates.append(NextDue("Step-down or issue decision", decide_by, decide_by < today))
    if row.next_assessment_due:
        candidates.append(NextDue("Assessment report", row.next_assessment_due, row.next_assessment_due < today))
    if row.next_action_due:
        candidates.append(NextDue("Meeting action", row.next_action_due, row.next_action_due < today))
    return min(candidates, key=lambda item: item.date) if candidates else None
