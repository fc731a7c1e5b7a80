"""Reads for the dashboard: headline figures, trends and delay drivers for one scope, from stored metrics.

Everything comes from ``MetricValue`` rows written overnight, in a fixed number of queries
whatever the number of cases: one for the scope's 13 months of figures, one for the region's,
one for comparators, one for driver labels.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from cases import constants as c
from cases import models as m
from reporting import catalogue
from reporting.models import MetricValue, PeriodSnapshot, ScopeType
from reporting.services.metrics import add_months, month_start

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
TRENDS = ["s31_duration_mean", "s31_open", "s31_at_risk", "pp_open", "pp_open_over_threshold"]
DRIVERS = "delay_days_by_driver"


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
    """The scopes a user may choose: their LA and its areas and teams; the region and every LA for analysts."""
    if user.role == c.Role.REGIONAL_ANALYST or user.is_superuser:
        las = list(m.LocalAuthority.objects.order_by("name"))
        return [Scope(ScopeType.REGION, None, "Region (all four local authorities)")] + [
            Scope(ScopeType.LA, la.pk, la.name, la.pk) for la in las
        ]
    if not user.has_la_access:
        return []
    la = user.local_authority
    scopes = [Scope(ScopeType.LA, la.pk, la.name, la.pk)]
    scopes += [
        Scope(ScopeType.AREA, area.pk, f"{area.name} (area)", la.pk)
        for area in m.Area.objects.filter(local_authority=la).order_by("name")
    ]
    scopes += [
        Scope(ScopeType.TEAM, team.pk, f"{team.name} (team)", la.pk)
        for team in m.Team.objects.filter(local_authority=la).order_by("name")
    ]
    return scopes


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
    value: Decimal | None
    last_month: Decimal | None
    last_year: Decimal | None
    region: Decimal | None
    national: Decimal | None
    national_label: str = ""

    def format(self, value: Decimal | None) -> str:
        if value is None:
            return "no data"
        unit = self.metric.unit
        number = f"{value:,.0f}" if unit == catalogue.Unit.COUNT else f"{value:,.1f}"
        return {catalogue.Unit.PERCENT: f"{number}%", catalogue.Unit.WEEKS: f"{number} weeks"}.get(unit, number)

    def change(self, other: Decimal | None) -> str:
        """Difference from another figure in words (never colour alone): 'up 2.1', 'down 0.4', 'same'."""
        if self.value is None or other is None:
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

    @property
    def comparisons(self) -> list[tuple[str, str, str]]:
        """(what, its value, how this month compares) for last month, last year, region and national."""
        rows = [
            ("Last month", self.last_month),
            ("Same month last year", self.last_year),
            ("Region", self.region),
        ]
        result = [(label, self.format(value), self.change(value)) for label, value in rows]
        if self.national is not None:
            result.append((self.national_label, self.format(self.national), self.change(self.national)))
        return result


@dataclass
class DashboardData:
    scope: Scope
    period: dt.date
    months: list[dt.date]
    headlines: list[Headline]
    series: dict[str, list[Decimal | None]]
    region_series: dict[str, list[Decimal | None]]
    drivers: list[tuple[str, Decimal]]


def _value(rows: dict, metric: str, period: dt.date) -> Decimal | None:
    value = rows.get((metric, period))
    if value is None and catalogue.get(metric).unit == catalogue.Unit.COUNT:
        return Decimal(0)  # no row written for a count means none
    return value


def dashboard_data(*, scope: Scope, period: dt.date) -> DashboardData:
    """Headline figures with their comparisons, 13-month trends and the delay drivers for a scope."""
    first = add_months(period, -12)
    months = [add_months(first, n) for n in range(13)]
    metrics = sorted(set(HEADLINES) | set(TRENDS))
    scope_rows = MetricValue.objects.filter(
        scope_type=scope.type, scope_id=scope.id, period__gte=first, period__lte=period
    ).filter(metric__in=[*metrics, DRIVERS])
    values: dict = {}
    driver_days: dict[str, Decimal] = defaultdict(Decimal)
    for row in scope_rows.values_list("metric", "period", "dimension", "value"):
        metric, month, dimension, value = row
        if metric == DRIVERS:
            if dimension:
                driver_days[dimension] += value or 0
        elif dimension == "":
            values[(metric, month)] = value
    region: dict = {}
    region_rows = MetricValue.objects.filter(
        scope_type=ScopeType.REGION, metric__in=metrics, dimension="", period__gte=first, period__lte=period
    )
    for metric, month, value in region_rows.values_list("metric", "period", "value"):
        region[(metric, month)] = value
    comparators = {}
    for comparator in m.NationalComparator.objects.exclude(label__icontains="exemplar").order_by("-vintage"):
        comparators.setdefault(comparator.metric, comparator)
    headlines = []
    for code in HEADLINES:
        if code == "s31_application_rate" and scope.type in (ScopeType.AREA, ScopeType.TEAM):
            continue  # population is known per LA only
        comparator = comparators.get(code)
        headlines.append(
            Headline(
                metric=catalogue.get(code),
                value=_value(values, code, period),
                last_month=_value(values, code, add_months(period, -1)),
                last_year=_value(values, code, add_months(period, -12)),
                region=_value(region, code, period),
                national=comparator.value if comparator else None,
                national_label=f"{comparator.label} ({comparator.vintage})" if comparator else "",
            )
        )
    labels = dict(m.DelayDriver.objects.values_list("code", "label"))
    drivers = sorted(((labels.get(code, code), days) for code, days in driver_days.items()), key=lambda x: -x[1])
    return DashboardData(
        scope=scope,
        period=period,
        months=months,
        headlines=headlines,
        series={code: [values.get((code, month)) for month in months] for code in TRENDS},
        region_series={code: [region.get((code, month)) for month in months] for code in TRENDS},
        drivers=drivers,
    )
