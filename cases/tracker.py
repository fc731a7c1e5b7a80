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
from django.db.models.functions import Coalesce, Greatest

from cases import models as m


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    severity: str  # "red" or "amber"
    hint: str


FLAGS: list[Flag] = [
    Flag("s31_past_limit", "Proceedings past 26 weeks and extensions", "red", "Timetable end date has passed."),
    Flag("pp_over_threshold", "Pre-proceedings over the local threshold", "red", "Longer than the local policy."),
    Flag("overdue_action", "Overdue meeting action", "red", "An action agreed at a tracker meeting is overdue."),
    Flag("no_social_worker", "No allocated social worker", "red", "Nobody is allocated to the family."),
    Flag("s31_at_risk", "Proceedings at risk of passing 26 weeks", "amber", "Week 20 with no IRH, or week 26."),
    Flag("no_irh_by_20", "No IRH listed by week 20", "amber", "An issues resolution hearing should be listed."),
    Flag("no_review", "No review meeting within the interval", "amber", "Pre-proceedings review is overdue."),
    Flag("overdue_assessment", "Overdue assessment", "amber", "An assessment is past its due date."),
    Flag("no_family_network_meeting", "No family network meeting held", "amber", "No FGC/FGDM held yet."),
    Flag("repeat_episode", "Repeat episode", "amber", "Previous pre-proceedings or care proceedings."),
    Flag("baby_or_unborn", "Baby or unborn child", "amber", "A child is under 1 or not yet born."),
]
FLAGS_BY_CODE = {flag.code: flag for flag in FLAGS}
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}

WEEKS_BANDS = {
    "0-12": (0, 12),
    "12-20": (12, 20),
    "20-26": (20, 26),
    "26-40": (26, 40),
    "40+": (40, None),
}


class DaysBetween(models.Func):
    """``later - earlier`` in days for two dates (PostgreSQL date subtraction)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()


class DatePlusDays(models.Func):
    """``date + days`` as a date (PostgreSQL date + integer)."""

    template = "(%(expressions)s)"
    arg_joiner = " + "
    output_field = models.DateField()


def thresholds() -> dict[str, Decimal]:
    """Threshold values by code (one query)."""
    return dict(m.Threshold.objects.values_list("code", "value"))


def _weeks(values: dict[str, Decimal], code: str, default: int) -> int:
    return int(values.get(code, default))


def _annotate(queryset: models.QuerySet, row: str, *, today: dt.date, limits: dict[str, Decimal]) -> models.QuerySet:
    """Stage, weeks, timetable end, every flag and RAG as expressions on the tracker facts.

    ``row`` is the lookup prefix of the facts: ``""`` on ``TrackerRow`` itself and
    ``"tracker_row__"`` on ``Family``. Both querysets get the same expressions, so a page chosen on
    the facts table shows exactly the flags it was chosen by.
    """
    pp_weeks = _weeks(limits, "pp_threshold_weeks", 16)
    review_weeks = _weeks(limits, "pp_review_interval_weeks", 6)
    fnm_weeks = _weeks(limits, "fgdm_by_weeks", 6)
    irh_week = _weeks(limits, "irh_by_week", 20)
    limit_week = _weeks(limits, "s31_limit_weeks", 26)
    today_value = Value(today, output_field=models.DateField())
    if row:
        queryset = queryset.annotate(**{name: F(row + name) for name in FACT_FIELDS})
    queryset = queryset.annotate(
        timetable_end=Greatest(
            DatePlusDays(F(row + "issue_date"), Value(limit_week * 7)),
            Coalesce(F(row + "extended_to"), DatePlusDays(F(row + "issue_date"), Value(limit_week * 7))),
            output_field=models.DateField(),
        ),
        stage=Case(
            When(**{row + "proceedings_id__isnull": False}, then=Value("proceedings")),
            default=Value("pre_proceedings"),
            output_field=models.CharField(),
        ),
        days_elapsed=Case(
            When(
                **{row + "proceedings_id__isnull": False},
                then=DaysBetween(today_value, F(row + "issue_date")),
            ),
            default=DaysBetween(today_value, F(row + "episode_start")),
            output_field=models.IntegerField(),
        ),
    )
    in_court = Q(**{row + "proceedings_id__isnull": False})
    in_pp = Q(**{row + "proceedings_id__isnull": True, row + "episode_id__isnull": False})
    issued_by = {f"{row}issue_date__lte": today - dt.timedelta(weeks=irh_week)}
    no_irh_by_20 = in_court & Q(**issued_by, **{row + "has_irh": False})
    flag_conditions = {
        "s31_past_limit": in_court & Q(timetable_end__lt=today),
        "pp_over_threshold": in_pp & Q(**{row + "episode_start__lt": today - dt.timedelta(weeks=pp_weeks)}),
        "overdue_action": Q(**{row + "next_action_due__lt": today}),
        "no_social_worker": Q(social_worker__isnull=True),
        "s31_at_risk": in_court
        & Q(timetable_end__gte=today)
        & (no_irh_by_20 | Q(**{row + "issue_date__lte": today - dt.timedelta(weeks=limit_week)})),
        "no_irh_by_20": no_irh_by_20,
        "no_review": in_pp
        & (
            Q(**{row + "last_meeting__lt": today - dt.timedelta(weeks=review_weeks)})
            | Q(
                **{
                    row + "last_meeting__isnull": True,
                    row + "episode_start__lt": today - dt.timedelta(weeks=review_weeks),
                }
            )
        ),
        "overdue_assessment": Q(**{row + "next_assessment_due__lt": today}),
        "no_family_network_meeting": in_pp
        & Q(**{row + "episode_start__lt": today - dt.timedelta(weeks=fnm_weeks), row + "fgdm_held": False}),
        "repeat_episode": Q(**{row + "repeat_episode": True}),
        "baby_or_unborn": Q(**{row + "has_unborn": True})
        | Q(**{row + "youngest_dob__gt": today - dt.timedelta(days=365)}),
    }
    queryset = queryset.annotate(
        **{
            f"flag_{code}": models.ExpressionWrapper(condition, output_field=models.BooleanField())
            for code, condition in flag_conditions.items()
        }
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


# Values computed on every tracker row besides the flags.
ROW_ANNOTATIONS = ("timetable_end", "stage", "days_elapsed", "rag", "rag_order")

# Facts copied onto each Family row of the tracker queryset (the template and next-due read them).
FACT_FIELDS = (
    "episode_id",
    "episode_start",
    "proceedings_id",
    "issue_date",
    "last_meeting",
    "has_irh",
    "next_assessment_due",
    "next_action_due",
)


def tracker_facts(*, user, today: dt.date, limits: dict[str, Decimal] | None = None) -> models.QuerySet:
    """The open cases visible to ``user`` as annotated facts rows (``TrackerRow``), nothing joined.

    For choosing, counting and ordering a list of open cases cheaply: an LA's rows come by index
    from one narrow table. ``tracker_cases`` then loads the family records of the rows it shows.
    """
    limits = thresholds() if limits is None else limits
    queryset = m.TrackerRow.objects.visible_to(user)
    return _annotate(queryset, "", today=today, limits=limits)


def tracker_queryset(*, user, today: dt.date, limits: dict[str, Decimal] | None = None) -> models.QuerySet:
    """Open cases visible to ``user`` (families) with stage, weeks, next-due inputs, every flag and RAG.

    The per-case facts come from the stored ``cases_trackerfacts`` rows (one join); only the flags,
    which depend on ``today`` and the thresholds, are computed here, as plain expressions on them.
    """
    limits = thresholds() if limits is None else limits
    queryset = (
        m.Family.objects.visible_to(user)
        .filter(tracker_row__isnull=False, tracker_row__local_authority_id=user.local_authority_id)
        .select_related("team__area", "social_worker")
        .prefetch_related(_children_prefetch())
    )
    return _annotate(queryset, "tracker_row__", today=today, limits=limits)


def _children_prefetch() -> Prefetch:
    return Prefetch(
        "children",
        queryset=m.Child.objects.order_by("date_of_birth", "pk").only(
            "pk", "family_id", "first_name", "last_name", "date_of_birth", "expected_due_date"
        ),
    )


def tracker_cases(facts: list, *, chunk: int = 1000) -> Iterator:
    """The families of annotated ``facts`` rows, in the rows' order, carrying the rows' values.

    Each family gets the facts, stage, weeks, flags and RAG its row was chosen by (the attributes
    ``tracker_queryset`` would give it) without computing them again: one query per ``chunk`` rows
    plus the children's prefetch, so a page of 50 costs two.
    """
    copied = [*FACT_FIELDS, *ROW_ANNOTATIONS, *(f"flag_{flag.code}" for flag in FLAGS)]
    for start in range(0, len(facts), chunk):
        rows = facts[start : start + chunk]
        families = (
            m.Family.objects.filter(pk__in=[row.family_id for row in rows])
            .select_related("team__area", "social_worker")
            .prefetch_related(_children_prefetch())
        )
        found = {family.pk: family for family in families}
        for row in rows:
            family = found.get(row.family_id)
            if family is None:  # closed or deleted between the two queries
                continue
            for name in copied:
                setattr(family, name, getattr(row, name))
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


def row_flags(row) -> list[Flag]:
    """The flags raised on an annotated tracker row, most severe first."""
    return [flag for flag in FLAGS if getattr(row, f"flag_{flag.code}", False)]


def row_reason(row) -> str:
    """The RAG status in words."""
    flags = row_flags(row)
    if not flags:
        return "On track: no flags raised."
    return "; ".join(flag.label for flag in flags) + "."


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
