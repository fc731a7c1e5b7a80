"""Reads of the stored figures for the dashboard, its CSV downloads and the board pack, with the small-number rule.

Everything comes from ``MetricValue`` rows written overnight (and, for the board pack's data-quality
page, aggregate counts), in a fixed number of queries whatever the number of cases.

Small numbers (REFERENCE.md section 4): any figure shown outside the LA's own case workers (board
members, regional analysts, region-wide figures on any dashboard, their CSV downloads, the board
pack) has counts from 1 to the threshold minus one suppressed, and any rate or average built on
fewer cases than the threshold. ``Figures.shown`` is the one place that decides; the dashboard and
the board pack show only what it returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cases import constants as c
from cases import models as m
from cases import permissions
from cases.thresholds import Thresholds
from plo_tracker.lib.dates import add_months, month_start
from reporting import catalogue
from reporting.charts import SUPPRESSED, SUPPRESSED_TEXT, Withheld
from reporting.models import MetricValue, PeriodSnapshot, ScopeType

HEADLINES = [
    "s31_duration_mean",
    "s31_within_26_share",
    "s31_concluded",
    "s31_open",
    "s31_at_risk",
    "s31_past_limit",
    "hearings_per_case",
    "s31_application_rate",
    "pp_open",
    "pp_open_over_threshold",
    "pp_step_down_rate",
    "pp_duration_mean",
]
# The heading of the column or line that holds national figures (England) only.
NATIONAL = "National (England)"
TRENDS = ["s31_duration_mean", "s31_open", "s31_at_risk", "pp_open", "pp_open_over_threshold"]
DRIVERS = "delay_days_by_driver"

# (metric, scope type, scope id, dimension, period)
Key = tuple[str, str, int | None, str, dt.date]
# What a page may show of a figure: its value, None for no data, or SUPPRESSED.
Shown = Decimal | None | Withheld


def small_number_threshold() -> int:
    """The configured threshold (``PLO_SMALL_NUMBER_THRESHOLD``; settings refuse a bad value)."""
    return settings.PLO_SMALL_NUMBER_THRESHOLD


@dataclass(frozen=True)
class Figures:
    """Stored figures for some scopes and months, and the one small-number rule deciding what may be shown.

    ``cases`` holds, for each average or rate, how many cases it is built on. ``exact`` names the
    scopes, as (scope type, scope id), whose figures this viewer sees unsuppressed: an LA's own
    staff looking at their LA, area or team. Everything else is suppressed.
    """

    values: dict[Key, Decimal | None]
    cases: dict[Key, Decimal | None]
    threshold: int
    exact: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)

    def value(self, metric: str, scope_type: str, scope_id: int | None, period: dt.date, dimension: str = ""):
        """The stored figure, not suppressed: for working with, never for showing outside the LA."""
        value = self.values.get((metric, scope_type, scope_id, dimension, period))
        if value is None and dimension == "" and catalogue.get(metric).unit == catalogue.Unit.COUNT:
            return Decimal(0)  # no row written for a count means none were counted
        return value

    def shown(self, metric: str, scope_type: str, scope_id: int | None, period: dt.date, dimension: str = "") -> Shown:
        """The figure as this viewer may see it: its value, None for no data, or SUPPRESSED."""
        value = self.value(metric, scope_type, scope_id, period, dimension)
        if value is None or (scope_type, scope_id) in self.exact:
            return value
        spec = catalogue.get(metric)
        if spec.unit == catalogue.Unit.COUNT and 0 < value < self.threshold:
            return SUPPRESSED
        if spec.cases is not None:
            cases = self.cases.get((metric, scope_type, scope_id, dimension, period))
            # A figure built on no case at all (a rate of 0 from no applications) gives no child away, as a
            # count of 0 does not; withholding it would read as if there were a few.
            if cases is None or 0 < cases < self.threshold:
                return SUPPRESSED
        # Secondary suppression (a later change) belongs here: ``self.values`` holds the figure's
        # neighbours (its metric's other dimensions, the other LAs and the region for the month),
        # so a cell that could be worked out from a total and the others can be withheld too.
        return value


def _read(rows: QuerySet[MetricValue], *, threshold: int, exact: Iterable[tuple[str, int | None]] = ()) -> Figures:
    """Figures from metric value rows (one query)."""
    values, cases = {}, {}
    for metric, scope_type, scope_id, dimension, period, value, numerator, denominator in rows.values_list(
        "metric", "scope_type", "scope_id", "dimension", "period", "value", "numerator", "denominator"
    ):
        key = (metric, scope_type, scope_id, dimension, period)
        values[key] = value
        spec = catalogue.BY_CODE.get(metric)  # a code no longer in the catalogue is never shown
        if spec is not None and spec.cases is not None:
            cases[key] = numerator if spec.cases == catalogue.Cases.NUMERATOR else denominator
    return Figures(values=values, cases=cases, threshold=threshold, exact=frozenset(exact))


# ---------------------------------------------------------------------------
# Comparators
# ---------------------------------------------------------------------------

# National figures first, then the region's baseline, LAs' own figures and exemplars; within a kind, in the
# reference data's order (a pilot's "before" figure before its "after").
_KIND_ORDER = list(c.ComparatorKind)


@dataclass(frozen=True)
class Comparators:
    """The reference comparators by metric, and the one rule for which figure is shown under "National".

    Only a national figure (England) is ever shown under "National": the latest vintage when there
    are several. The region's baseline, an LA's own figure and exemplars are shown only with their
    ``heading``, which says what they are (REFERENCE.md section 4, "Comparators").
    """

    rows: list[m.NationalComparator]

    def national(self, metric: str) -> m.NationalComparator | None:
        """The national figure (England) to show under "National" for a metric, or None."""
        national = [row for row in self.rows if row.metric == metric and row.kind == c.ComparatorKind.NATIONAL]
        return max(national, key=lambda row: (row.vintage, row.label), default=None)

    def for_metric(self, metric: str) -> list[m.NationalComparator]:
        """Every comparator for a metric, national first, each to be shown with its heading."""
        return [row for row in self.rows if row.metric == metric]


def marked(comparator: m.NationalComparator, text: str) -> str:
    """A comparator's value as printed, with "(uncertain)" where the source's figure is doubtful."""
    return f"{text} (uncertain)" if comparator.uncertain else text


def comparators() -> Comparators:
    """Every comparator, by metric and kind (one query)."""
    rows = sorted(m.NationalComparator.objects.all(), key=lambda row: (row.metric, _KIND_ORDER.index(row.kind), row.pk))
    return Comparators(rows=rows)


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    type: str
    id: int | None
    label: str
    local_authority_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id or ''}"


def scopes_for(user) -> list[Scope]:
    """The scopes whose figures the user may see (``permissions.can_see_aggregates``), widest first:
    the region and every LA for regional roles; an LA user's LA, its areas and its teams."""
    if not permissions.SEE_DASHBOARD(user):
        return []
    candidates = [Scope(ScopeType.REGION, None, "Region (all four local authorities)")]
    candidates += [Scope(ScopeType.LA, la.pk, la.name, la.pk) for la in m.LocalAuthority.objects.order_by("name")]
    candidates += [
        Scope(ScopeType.AREA, area.pk, f"{area.name} (area)", area.local_authority_id)
        for area in m.Area.objects.order_by("name")
    ]
    candidates += [
        Scope(ScopeType.TEAM, team.pk, f"{team.name} (team)", team.local_authority_id)
        for team in m.Team.objects.order_by("name")
    ]
    return [
        scope
        for scope in candidates
        if permissions.can_see_aggregates(user, scope_type=scope.type, local_authority_id=scope.local_authority_id)
    ]


def sees_exact_figures(user, scope: Scope) -> bool:
    """Whether the user sees this scope's figures unsuppressed: only the LA's own staff, for their own LA."""
    return permissions.is_own_la_scope(user, scope_type=scope.type, local_authority_id=scope.local_authority_id)


def latest_period(today: dt.date) -> tuple[dt.date, str] | tuple[None, None]:
    """The latest complete month with stored figures, and a version naming the run that wrote them."""
    row = (
        PeriodSnapshot.objects.filter(period__lt=month_start(today))
        .order_by("-period")
        .values_list("period", "run_id", "run__started_at")
        .first()
    )
    if not row:
        return None, None
    period, run_id, started = row
    return period, f"{run_id}-{started.timestamp():.6f}"


@dataclass
class Headline:
    metric: catalogue.Metric
    value: Shown
    last_month: Shown
    last_year: Shown
    region: Shown
    # The national figure for England (``Comparators.national``), and every comparator for the metric.
    national: m.NationalComparator | None = None
    comparators: list[m.NationalComparator] = field(default_factory=list)

    def format(self, value: Shown) -> str:
        if value is SUPPRESSED:
            return SUPPRESSED_TEXT
        if value is None:
            return "no data"
        unit = self.metric.unit
        number = f"{value:,.0f}" if unit == catalogue.Unit.COUNT else f"{value:,.1f}"
        return {catalogue.Unit.PERCENT: f"{number}%", catalogue.Unit.WEEKS: f"{number} weeks"}.get(unit, number)

    def change(self, other: Shown) -> str:
        """Difference from another figure in words (never colour alone): 'up 2.1', 'down 0.4', 'same'."""
        # Nothing against a suppressed figure: the difference would give it away.
        if self.value is None or other is None or SUPPRESSED in (self.value, other):
            return ""
        difference = self.value - other
        if difference == 0:
            return "same"
        amount = f"{abs(difference):,.0f}" if self.metric.unit == catalogue.Unit.COUNT else f"{abs(difference):,.1f}"
        better = ""
        if self.metric.higher_is_better is not None:
            better = ", better" if (difference > 0) == self.metric.higher_is_better else ", worse"
        return f"{'higher' if difference > 0 else 'lower'} by {amount}{better}"

    @property
    def display(self) -> str:
        return "No data" if self.value is None else self.format(self.value)

    def format_comparator(self, comparator: m.NationalComparator) -> str:
        """A comparator's value in the metric's unit, marked when the figure is doubtful."""
        return marked(comparator, self.format(comparator.value))

    @property
    def comparisons(self) -> list[tuple[str, str, str]]:
        """(what, its value, how this month compares) for last month, last year, region and national (England)."""
        rows = [
            ("Last month", self.last_month),
            ("Same month last year", self.last_year),
            ("Region", self.region),
        ]
        result = [(label, self.format(value), self.change(value)) for label, value in rows]
        if self.national is not None:
            national = self.national
            result.append((NATIONAL, self.format_comparator(national), self.change(national.value)))
        return result

    @property
    def comparator_rows(self) -> list[tuple[str, str, str]]:
        """(what it is, its value, its source and vintage) for every comparator of the metric."""
        return [
            (comparator.heading, self.format_comparator(comparator), comparator.citation)
            for comparator in self.comparators
        ]


@dataclass
class DashboardData:
    scope: Scope
    period: dt.date
    months: list[dt.date]
    headlines: list[Headline]
    series: dict[str, list[Shown]]
    region_series: dict[str, list[Shown]]
    drivers: list[tuple[str, Decimal]]
    threshold: int

    @property
    def has_comparators(self) -> bool:
        return any(h.comparators for h in self.headlines)

    @property
    def suppressed(self) -> bool:
        """Whether any figure on the page is suppressed (the page then explains [c])."""
        shown = [value for h in self.headlines for value in (h.value, h.last_month, h.last_year, h.region)]
        shown += [value for values in (*self.series.values(), *self.region_series.values()) for value in values]
        return SUPPRESSED in shown


def dashboard_data(*, scope: Scope, period: dt.date, exact: bool, limits: Thresholds) -> DashboardData:
    """Headline figures with their comparisons, 13-month trends and the delay drivers for a scope.

    ``exact`` (from ``sees_exact_figures``): the scope's own figures unsuppressed; region-wide
    figures are suppressed for everyone.
    """
    first = add_months(period, -12)
    months = [add_months(first, n) for n in range(13)]
    metrics = sorted(set(HEADLINES) | set(TRENDS))
    scope_rows = MetricValue.objects.filter(
        scope_type=scope.type, scope_id=scope.id, period__gte=first, period__lte=period
    ).filter(Q(metric__in=metrics, dimension="") | Q(metric=DRIVERS))
    threshold = small_number_threshold()
    figures = _read(scope_rows, threshold=threshold, exact=[(scope.type, scope.id)] if exact else [])
    region_rows = MetricValue.objects.filter(
        scope_type=ScopeType.REGION, metric__in=metrics, dimension="", period__gte=first, period__lte=period
    )
    region = _read(region_rows, threshold=threshold)
    # Days lost are summed, not counted or averaged: the small-number rule does not apply to them.
    driver_days: dict[str, Decimal] = defaultdict(Decimal)
    for (metric, _, _, dimension, _), value in figures.values.items():
        if metric == DRIVERS and dimension:
            driver_days[dimension] += value or 0
    reference = comparators()

    def scope_figure(code: str, month: dt.date) -> Shown:
        return figures.shown(code, scope.type, scope.id, month)

    def region_figure(code: str, month: dt.date) -> Shown:
        return region.shown(code, ScopeType.REGION, None, month)

    headlines = []
    for code in HEADLINES:
        if code == "s31_application_rate" and scope.type in (ScopeType.AREA, ScopeType.TEAM):
            continue  # population is known per LA only
        headlines.append(
            Headline(
                metric=catalogue.get(code).worded(limits),
                value=scope_figure(code, period),
                last_month=scope_figure(code, add_months(period, -1)),
                last_year=scope_figure(code, add_months(period, -12)),
                region=region_figure(code, period),
                national=reference.national(code),
                comparators=reference.for_metric(code),
            )
        )
    labels = dict(m.DelayDriver.objects.values_list("code", "label"))
    drivers = sorted(((labels.get(code, code), days) for code, days in driver_days.items()), key=lambda x: -x[1])
    return DashboardData(
        scope=scope,
        period=period,
        months=months,
        headlines=headlines,
        series={code: [scope_figure(code, month) for month in months] for code in TRENDS},
        region_series={code: [region_figure(code, month) for month in months] for code in TRENDS},
        drivers=drivers,
        threshold=threshold,
    )


# ---------------------------------------------------------------------------
# Board pack
# ---------------------------------------------------------------------------


def _data_quality_checks(*, today: dt.date, limits: Thresholds) -> dict[str, QuerySet]:
    """Each data-quality check of ``catalogue.DATA_QUALITY`` as a queryset of the records it counts."""
    open_proceedings = m.Proceedings.objects.open()
    open_episodes = m.PreProceedingsEpisode.objects.open()
    return {
        "dq_open_no_hearing": open_proceedings.filter(~Exists(m.Hearing.objects.filter(proceedings=OuterRef("pk")))),
        "dq_open_past_limit_no_extension": open_proceedings.filter(issue_date__lt=today - limits.s31_limit).filter(
            ~Exists(m.Extension.objects.filter(child_proceedings__proceedings=OuterRef("pk")))
        ),
        "dq_lost_hearing_no_reason": m.Hearing.objects.filter(
            status__in=[c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED], reason__isnull=True
        ),
        "dq_episode_no_initial_meeting": open_episodes.filter(
            ~Exists(m.PreProceedingsMeeting.objects.filter(episode=OuterRef("pk"), kind="initial"))
        ),
        "dq_assessment_no_due_or_target": m.Assessment.objects.filter(
            due_date__isnull=True, assessment_type__target_weeks__isnull=True
        ),
        "dq_family_no_social_worker": m.Family.objects.filter(social_worker__isnull=True).filter(
            Q(pk__in=open_proceedings.values("family_id")) | Q(pk__in=open_episodes.values("family_id"))
        ),
    }


def board_pack_figures(*, month: dt.date, today: dt.date, limits: Thresholds) -> Figures:
    """The region's and each LA's figures for the pack's 13 months, plus the month's data-quality counts.

    Nothing in the pack is exact: it goes to board members, so every figure is suppressed as needed.
    """
    rows = MetricValue.objects.filter(
        scope_type__in=[ScopeType.REGION, ScopeType.LA], period__gte=add_months(month, -12), period__lte=month
    )
    figures = _read(rows, threshold=small_number_threshold())
    # Live counts of records for data teams, as at today, held as the pack month's figures per LA.
    counted = {}
    for code, queryset in _data_quality_checks(today=today, limits=limits).items():
        counts = queryset.values("local_authority_id").annotate(n=Count("pk")).values_list("local_authority_id", "n")
        counted.update({(code, ScopeType.LA, la_id, "", month): Decimal(n) for la_id, n in counts})
    return dataclasses.replace(figures, values={**figures.values, **counted})
