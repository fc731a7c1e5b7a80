"""Where the breach forecast is shown: the tracker, the case page, the dashboard and the board pack.

Which model is current and which stored forecasts a user may see are ``reporting.forecast.selectors``
(``current_model``, ``forecasts_for``); this module only puts them on the pages. Every page asks
``forecast_status`` first: when there is no model, or the current model did not beat both baselines
on the backtest (``ForecastModel.shown`` is false), the page says so with the model's ``note`` and
shows no figure at all.

The dashboard and the board pack compare the forecast with the outturn per month: the applications
whose 26-week day (the issue date plus the statutory limit, ``Thresholds.timetable_end``) falls in
the month, the breaches the forecast expected among them (the sum of each one's probability of
concluding after 26 weeks, from its latest forecast made before that day) and, once the month has
passed, how many did pass 26 weeks (not concluded by that day). Outside an LA's own staff these
figures go through ``reporting.selectors.disclosure_control``, the one small-number rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery

from cases import thresholds
from cases.thresholds import Thresholds
from plo_tracker.lib.dates import add_months, month_end, month_start
from reporting.charts import SUPPRESSED, SUPPRESSED_TEXT
from reporting.forecast import selectors
from reporting.models import CaseForecast, ForecastModel, ScopeType
from reporting.selectors import Line, Scope, Shown, Table, disclosure_control, small_number_threshold

BANDS = {"high": "High", "medium": "Medium", "low": "Low"}
# The tracker's band filter: a band, or a case with no forecast (pre-proceedings, or none stored yet).
NO_FORECAST = "none"
BAND_CHOICES = [("high", "High risk"), ("medium", "Medium risk"), ("low", "Low risk"), (NO_FORECAST, "No forecast")]
NO_MODEL = "No forecast model has been trained yet."
# How many past months the dashboard and the board pack compare, and how many months ahead they forecast.
PAST_MONTHS = 6
AHEAD_MONTHS = 3

CASES = "forecast_cases"
EXPECTED = "forecast_expected"
BREACHED = "forecast_breached"
NOT_BREACHED = "forecast_breached.rest"


def percent(probability: float) -> str:
    """A probability as a whole percentage, never 0% or 100% (a forecast is never certain)."""
    value = round(probability * 100)
    return f"{min(max(value, 1), 99)}%"


@dataclass(frozen=True)
class ForecastStatus:
    """The current model and whether its forecast may be shown, with the reason in words when not."""

    model: ForecastModel | None
    month: dt.date | None = None  # the latest month with stored forecasts

    @property
    def shown(self) -> bool:
        return self.model is not None and self.model.shown

    @property
    def reason(self) -> str:
        """Why the forecast is not shown (the model's own note), for every page to say plainly."""
        if self.model is None:
            return NO_MODEL
        return self.model.note or "The forecast did not beat the baselines on the backtest."

    @property
    def accuracy(self) -> list[str]:
        """How accurate the model was on its backtest, in plain words (shown only with the forecast)."""
        model = self.model
        if model is None:
            return []
        lines = [
            f"Model {model.version}, trained on {model.training_cases:,} concluded applications"
            + (
                f" (issued from {model.training_from:%-d %B %Y}, concluded by {model.training_to:%-d %B %Y})."
                if model.training_from and model.training_to
                else "."
            )
        ]
        if model.c_index is not None:
            lines.append(
                f"On a rolling backtest of {model.backtest_cases:,} applications it put the case that concluded "
                f"later first {model.c_index:.0%} of the time (concordance {model.c_index:.2f}; 50% is chance)."
            )
        if model.brier is not None and model.brier_baseline is not None:
            lines.append(
                f"Its Brier score at 26 weeks was {model.brier:.3f}, against {model.brier_baseline:.3f} for the "
                "better baseline (lower is better)."
            )
        if model.calibration_max_gap is not None:
            lines.append(
                f"In every tenth of the cases, from the least to the most likely, the share that passed 26 weeks "
                f"was within {model.calibration_max_gap:.0%} of the forecast."
            )
        return lines


def forecast_status() -> ForecastStatus:
    """The current model (``selectors.current_model``) and, when it is shown, the latest forecast month."""
    model = selectors.current_model()
    if model is None or not model.shown:
        return ForecastStatus(model=model)
    return ForecastStatus(model=model, month=selectors.latest_month())


# ---------------------------------------------------------------------------
# The tracker and the case page
# ---------------------------------------------------------------------------


def with_forecast(facts: QuerySet, status: ForecastStatus) -> QuerySet:
    """Tracker facts rows with their application's forecast band and probability (``forecast_band``,
    ``forecast_p26``), for filtering and sorting in the database; None where there is no forecast.

    A subquery per row, so the list's queries stay the same whatever its length. It reads the rows
    ``selectors.forecasts_for`` returns: the LA's own, of the latest month, of a model that was shown.
    """
    if not status.shown or status.month is None:
        return facts
    rows = CaseForecast.objects.filter(
        proceedings_id=OuterRef("proceedings_id"),
        local_authority_id=OuterRef("local_authority_id"),
        month=status.month,
        model__shown=True,
    )
    return facts.annotate(
        forecast_band=Subquery(rows.values("band")[:1]),
        forecast_p26=Subquery(rows.values("p_breach_26")[:1]),
    )


def filter_band(facts: QuerySet, band: str) -> QuerySet:
    """Rows in a forecast band (``with_forecast``), or with no forecast."""
    if band == NO_FORECAST:
        return facts.filter(forecast_band__isnull=True)
    return facts.filter(forecast_band=band) if band in BANDS else facts


def order_by_probability(facts: QuerySet) -> QuerySet:
    """Most likely to pass 26 weeks first; cases with no forecast last, longest open first."""
    return facts.order_by(F("forecast_p26").desc(nulls_last=True), "started_on", "pk")


def attach_forecasts(cases: Sequence, *, user, status: ForecastStatus) -> Sequence:
    """Set ``forecast`` (a ``CaseForecast`` or None) on each tracker case, in one query."""
    found = {}
    if status.shown and status.month is not None:
        ids = [case.proceedings_id for case in cases if getattr(case, "proceedings_id", None)]
        found = selectors.forecasts_for(user=user, proceedings_ids=ids, month=status.month) if ids else {}
    for case in cases:
        case.forecast = found.get(getattr(case, "proceedings_id", None))
    return cases


def case_forecast(*, user, proceedings_id: int | None, status: ForecastStatus) -> CaseForecast | None:
    """The forecast of a case's open application, when the forecast is shown and there is one."""
    if not status.shown or status.month is None or proceedings_id is None:
        return None
    return selectors.forecasts_for(user=user, proceedings_ids=[proceedings_id], month=status.month).get(proceedings_id)


# ---------------------------------------------------------------------------
# The dashboard and the board pack: forecast against outturn
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutturnMonth:
    """One month: applications reaching 26 weeks in it, breaches expected and (once past) breaches."""

    month: dt.date
    past: bool
    cases: Shown
    expected: Shown
    happened: Shown  # None for a month still to come

    @staticmethod
    def text(value: Shown, *, places: int = 0) -> str:
        if value is SUPPRESSED:
            return SUPPRESSED_TEXT
        if value is None:
            return "\N{EN DASH}"
        return f"{value:,.{places}f}"

    @property
    def cases_text(self) -> str:
        return self.text(self.cases)

    @property
    def expected_text(self) -> str:
        return self.text(self.expected, places=1)

    @property
    def happened_text(self) -> str:
        return self.text(self.happened) if self.past else "Not yet known"


@dataclass(frozen=True)
class Outturn:
    """Forecast against outturn for the scopes asked, month by month, as the viewer may see it."""

    as_at: dt.date
    months: list[dt.date]
    past: frozenset[dt.date]
    values: dict[tuple, Decimal]
    withheld: frozenset
    exact: frozenset[tuple[str, int | None]]
    threshold: int

    def shown(self, code: str, scope_type: str, scope_id: int | None, month: dt.date) -> Shown:
        key = (code, scope_type, scope_id, "", month)
        value = self.values.get(key, Decimal(0) if code != EXPECTED else None)
        if code == EXPECTED and not self.values.get((CASES, scope_type, scope_id, "", month)):
            value = None  # nothing forecast: no figure, not a zero
        if code == BREACHED and month not in self.past:
            return None
        if value is None or (scope_type, scope_id) in self.exact:
            return value
        return SUPPRESSED if key in self.withheld else value

    def rows(self, scope_type: str, scope_id: int | None) -> list[OutturnMonth]:
        return [
            OutturnMonth(
                month=month,
                past=month in self.past,
                cases=self.shown(CASES, scope_type, scope_id, month),
                expected=self.shown(EXPECTED, scope_type, scope_id, month),
                happened=self.shown(BREACHED, scope_type, scope_id, month),
            )
            for month in self.months
        ]

    def any_suppressed(self, scope_type: str, scope_id: int | None) -> bool:
        """Whether a scope's rows show [c] anywhere (the page then explains it)."""
        return any(SUPPRESSED in (row.cases, row.expected, row.happened) for row in self.rows(scope_type, scope_id))


def _forecast_rows(*, first: dt.date, last: dt.date, as_at: dt.date, limits: Thresholds) -> list[dict]:
    """Each application whose 26-week day falls from ``first`` to ``last``, with its latest forecast made
    before that day and on or before ``as_at`` (one query; the forecasts of every LA the connection shows)."""
    issued_from = first - limits.s31_limit
    issued_to = last - limits.s31_limit
    rows = (
        CaseForecast.objects.filter(
            proceedings__issue_date__gte=issued_from, proceedings__issue_date__lte=issued_to, as_of__lte=as_at
        )
        .order_by("proceedings_id", "-as_of", "-pk")
        .values(
            "proceedings_id",
            "local_authority_id",
            "as_of",
            "p_breach_26",
            issue_date=F("proceedings__issue_date"),
            concluded_date=F("proceedings__concluded_date"),
            team_id=F("proceedings__family__team_id"),
            area_id=F("proceedings__family__team__area_id"),
        )
    )
    latest: dict[int, dict] = {}
    for row in rows:
        day = limits.timetable_end(row["issue_date"])
        if row["proceedings_id"] in latest or row["as_of"] >= day:
            continue  # an earlier forecast of the same application is older; one made on the day is too late
        row["day"] = day
        latest[row["proceedings_id"]] = row
    return list(latest.values())


def _scopes_of(row: dict) -> Iterable[tuple[str, int | None]]:
    """The scopes an application counts in: the region, its LA, its family's team and that team's area."""
    yield ScopeType.REGION, None
    yield ScopeType.LA, row["local_authority_id"]
    if row["area_id"] is not None:
        yield ScopeType.AREA, row["area_id"]
    if row["team_id"] is not None:
        yield ScopeType.TEAM, row["team_id"]


def outturn(
    *,
    past: Sequence[dt.date],
    ahead: Sequence[dt.date],
    as_at: dt.date,
    exact: Iterable[tuple[str, int | None]] = (),
    limits: Thresholds | None = None,
) -> Outturn:
    """Forecast against outturn for every scope, for months ``past`` (ended by ``as_at``) and ``ahead``.

    A past month counts every application whose 26-week day fell in it and had a forecast made before
    that day; a month ahead counts those still open at ``as_at`` whose day is after it, with their
    latest forecast. ``exact`` names the scopes the viewer sees unsuppressed (an LA's own staff);
    everything else is the region's and LAs' table through ``disclosure_control``.
    """
    limits = limits or thresholds.current()
    months = sorted({month_start(month) for month in [*past, *ahead]})
    past_months = frozenset(month_start(month) for month in past)
    values: dict[tuple, Decimal] = defaultdict(Decimal)
    rows = _forecast_rows(first=months[0], last=month_end(months[-1]), as_at=as_at, limits=limits) if months else []
    for row in rows:
        month = month_start(row["day"])
        if month not in months:
            continue
        if month in past_months:
            if row["day"] > as_at:
                continue  # not passed yet
            breached = row["concluded_date"] is None or row["concluded_date"] > row["day"]
        else:
            if row["day"] <= as_at or (row["concluded_date"] is not None and row["concluded_date"] <= as_at):
                continue  # already passed or concluded: nothing left to forecast
            breached = None
        for scope_type, scope_id in _scopes_of(row):
            values[CASES, scope_type, scope_id, "", month] += 1
            values[EXPECTED, scope_type, scope_id, "", month] += Decimal(str(row["p_breach_26"]))
            if breached is not None:
                values[BREACHED if breached else NOT_BREACHED, scope_type, scope_id, "", month] += 1
    threshold = small_number_threshold()
    table = _table(values, months=months, past=past_months, threshold=threshold)
    return Outturn(
        as_at=as_at,
        months=months,
        past=past_months,
        values=dict(values),
        withheld=disclosure_control(table, threshold=threshold),
        exact=frozenset(exact),
        threshold=threshold,
    )


def _table(values: dict, *, months: list[dt.date], past: frozenset, threshold: int) -> Table:
    """The region's and LAs' figures as a table for ``disclosure_control``: the applications and breaches
    are counts (the region the sum of its LAs; a month's applications the breaches and the rest); the
    breaches expected are built on the applications, withheld with them or on fewer than the threshold."""
    las = sorted({key[2] for key in values if key[1] == ScopeType.LA})
    scopes = [(ScopeType.REGION, None), *((ScopeType.LA, la) for la in las)]
    counts: dict[tuple, Decimal] = {}
    lines: list[Line] = []
    built_on: dict[tuple, list[tuple]] = {}
    few_cases = set()
    codes = [CASES, BREACHED, NOT_BREACHED]
    for month in months:
        for scope_type, scope_id in scopes:
            for code in codes if month in past else [CASES]:
                counts[code, scope_type, scope_id, "", month] = values.get((code, scope_type, scope_id, "", month), 0)
            cases = (CASES, scope_type, scope_id, "", month)
            expected = (EXPECTED, scope_type, scope_id, "", month)
            built_on[expected] = [cases]
            if 0 < counts[cases] < threshold:
                few_cases.add(expected)
            if month in past:
                parts = ((BREACHED, scope_type, scope_id, "", month), (NOT_BREACHED, scope_type, scope_id, "", month))
                lines.append(Line(cases, parts))
        for code in codes if month in past else [CASES]:
            parts = tuple((code, ScopeType.LA, la, "", month) for la in las)
            lines.append(Line((code, ScopeType.REGION, None, "", month), parts))
    insiders = {la: frozenset(cell for cell in counts if cell[1] == ScopeType.LA and cell[2] == la) for la in las}
    return Table(counts=counts, lines=lines, built_on=built_on, few_cases=frozenset(few_cases), insiders=insiders)


def dashboard_outturn(*, scope: Scope, today: dt.date) -> Outturn:
    """The dashboard's forecast against outturn for an LA's own staff: the six complete months before
    this one, and this month (from today) and the two after it, exactly.

    The forecasts are read through row-level security, so only the user's own LA's count. Regional
    figures are never worked out in a request (that would need every LA's rows): they are in the
    board pack, which is built overnight as the maintenance role.
    """
    this_month = month_start(today)
    past = [add_months(this_month, -n) for n in range(PAST_MONTHS, 0, -1)]
    ahead = [add_months(this_month, n) for n in range(AHEAD_MONTHS)]
    return outturn(past=past, ahead=ahead, as_at=today, exact=[(scope.type, scope.id)])


def pack_outturn(*, month: dt.date) -> Outturn:
    """The board pack's forecast against outturn: the six months to the pack's month, and the three after
    it as forecast at its last day. Nothing is exact: the pack goes to board members."""
    month = month_start(month)
    past = [add_months(month, -n) for n in range(PAST_MONTHS - 1, -1, -1)]
    ahead = [add_months(month, n) for n in range(1, AHEAD_MONTHS + 1)]
    return outturn(past=past, ahead=ahead, as_at=month_end(month))
