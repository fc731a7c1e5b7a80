"""The tracker: every open case in a scope, with drift flags and a red/amber/green status.

A row is a family (case) with an open pre-proceedings episode or open proceedings. The facts a row
needs are stored per family (``TrackerRow``, kept current by triggers); the flags and the RAG
status, which depend on today, are SQL expressions comparing the stored dates with today, so the
list is filtered, sorted, counted and paged in the database, on the narrow facts table alone
(``tracker_facts``), and the family records are loaded only for the rows shown
(``tracker_cases``). The facts view works every date out from the case and the thresholds in the
reference table (``Threshold``); what is due next is ``cases.next_due``, from the same facts.

Past-limit rule for a live case: today is after the child's timetable end (issue + the statutory
limit, moved to the latest extension's new end date). The monthly metric counts the longest
extension per extension granted, as the reference defines it; for one child per application with
full-length extensions the two agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import models
from django.db.models import Case, F, Min, Prefetch, Q, Value, When

from cases import constants as c
from cases import models as m
from cases.flags import (  # noqa: F401 (re-exported)
    FLAGS,
    FLAGS_BY_CODE,
    RAG_ORDER,
    Flag,
    row_flags,
    row_reason,
    weeks_bands,
    worded_flags,
)


class DaysBetween(models.Func):
    """``later - earlier`` in days for two dates (PostgreSQL date subtraction)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()


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
            f"flag_{flag.code}": models.ExpressionWrapper(
                flag_raised(flag, today, row=row), output_field=models.BooleanField()
            )
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


def flag_raised(flag: Flag, today: dt.date, *, row: str = "") -> Q:
    """Whether ``flag`` is raised on ``today``: on or after its start, and before its end if it has one.

    The one test of a stored flag; ``row`` prefixes the facts' fields (``"facts__"`` from a family).
    """
    raised = Q(**{f"{row}{flag.code}_from__lte": today})
    return raised & Q(**{f"{row}{flag.until_fact}__gt": today}) if flag.ends else raised


# Facts copied onto each Family row of the tracker queryset (the template and next-due read them).
FACT_FIELDS = (
    "started_on",
    "timetable_end",
    "episode_id",
    "episode_start",
    "proceedings_id",
    "issue_date",
    "last_meeting",
    "extended_to",
    "has_irh",
    "next_assessment_due",
    "next_action_due",
    # The dates ``cases.next_due`` shows (migration 0011).
    "lbp_due",
    "initial_meeting_due",
    "review_due",
    "fgdm_due",
    "decision_due",
    "pre_birth_plan_due",
    "cmh_window_start",
    "cmh_due",
    "irh_due",
)


def tracker_facts(*, user, today: dt.date) -> models.QuerySet:
    """The open cases visible to ``user`` as annotated facts rows (``TrackerRow``), nothing joined.

    For choosing, counting and ordering a list of open cases cheaply: an LA's rows come by index
    from one narrow table. ``tracker_cases`` then loads the family records of the rows it shows.
    """
    return _annotate(m.TrackerRow.objects.visible_to(user), "", today=today)


def tracker_queryset(*, user, today: dt.date, include_closed: bool = False) -> models.QuerySet:
    """Open cases visible to ``user`` (families) with stage, weeks, next-due inputs, every flag and RAG.

    The per-case facts come from the stored ``cases_trackerfacts`` rows (one join); the flags are
    comparisons of their stored start and end dates with ``today``. With ``include_closed``, the
    closed families too (a search): they have no facts row, ``closed`` is true and every fact None.
    """
    queryset = m.Family.objects.visible_to(user)
    if not include_closed:
        queryset = queryset.filter(tracker_row__isnull=False, tracker_row__local_authority_id=user.local_authority_id)
    queryset = queryset.select_related("team__area", "social_worker").prefetch_related(_children_prefetch())
    queryset = _annotate(queryset, "tracker_row__", today=today)
    return queryset.annotate(
        closed=models.ExpressionWrapper(Q(tracker_row__family_id__isnull=True), output_field=models.BooleanField())
    )


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
    """Set ``next_hearing`` (the next listed hearing from today) on tracker rows, in one query.

    The one place the next hearing is found: a listing still waiting for its outcome, for today
    or later. A hearing adjourned or vacated and re-listed is found on its new listing's date.
    Rows not in court get None with no query.
    """
    ids = [row.proceedings_id for row in rows if row.proceedings_id]
    dates = (
        dict(
            m.Hearing.objects.filter(proceedings_id__in=ids, status=c.HearingStatus.LISTED, listed_date__gte=today)
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
