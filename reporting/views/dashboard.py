"""The dashboard: headline figures, trends and delay drivers for a scope, from the nightly metrics.

Figures come from ``reporting.selectors`` already suppressed for this viewer (exact only for the
LA's own staff looking at their own LA, area or team); the page, its tables and its CSV downloads
show them as they are.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import thresholds
from cases.permissions import SEE_DASHBOARD, requires
from cases.thresholds import Thresholds
from reporting import catalogue, charts
from reporting.forecast import display
from reporting.selectors import dashboard_data, periods, scopes_for, sees_exact_figures

MONTH = "%b %Y"
CACHE_SECONDS = 6 * 60 * 60
# Part of the cache key: raise it when what is cached changes shape, so no page is built from an
# older release's cached figures.
CACHE_VERSION = 2


def _charts(data, limits: Thresholds) -> dict[str, charts.Chart]:
    months = [month.strftime(MONTH) for month in data.months]

    def floats(values):
        # Numbers as floats; None (no data) and SUPPRESSED go to the chart as they are.
        return [float(v) if isinstance(v, Decimal) else v for v in values]

    scope_label = data.scope.label
    result = {
        "duration": charts.line_chart(
            title="Average duration of care proceedings (weeks), concluded each month",
            categories=months,
            series=[
                charts.Series(scope_label, floats(data.series["s31_duration_mean"])),
                *(
                    [charts.Series("Region", floats(data.region_series["s31_duration_mean"]))]
                    if data.scope.type != "region"
                    else []
                ),
            ],
            unit="weeks",
            reference_line=(limits.s31_limit_weeks, f"{limits.s31_limit_weeks}-week limit"),
        ),
        "open": charts.line_chart(
            title="Open care applications and those at risk, at each month's end",
            categories=months,
            series=[
                charts.Series("Open", floats(data.series["s31_open"])),
                charts.Series("At risk", floats(data.series["s31_at_risk"])),
                charts.Series(
                    f"Timetabled beyond {limits.s31_limit_weeks} weeks", floats(data.series["s31_timetabled_beyond"])
                ),
            ],
        ),
        "pre_proceedings": charts.line_chart(
            title=(
                f"Open pre-proceedings episodes and those over the local threshold ({limits.pp_threshold_weeks} weeks)"
            ),
            categories=months,
            series=[
                charts.Series("Open", floats(data.series["pp_open"])),
                charts.Series("Over threshold", floats(data.series["pp_open_over_threshold"])),
            ],
        ),
        "drivers": charts.bar_chart(
            title="Days lost by delay driver, last 12 months",
            categories=[label for label, _ in data.drivers[:10]],
            values=[float(days) for _, days in data.drivers[:10]],
            unit="days",
            category_label="Delay driver",
            value_label="Days lost",
        ),
    }
    return result


@requires(SEE_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures for the LA, an area or a team (LA users) or the region and each LA (regional analysts)."""
    user = request.user
    scopes = scopes_for(user)
    wanted = request.GET.get("s", "")
    scope = next((s for s in scopes if s.key == wanted), None) if wanted else scopes[0]
    if scope is None:
        raise Http404  # not a scope this user may see
    months = periods(timezone.localdate())
    # The latest month by default; an earlier one from the month picker (a month not offered is not found).
    wanted_month = request.GET.get("period", "")
    chosen = next((m for m in months if f"{m[0]:%Y-%m}" == wanted_month), None) if wanted_month else None
    if wanted_month and chosen is None:
        raise Http404
    period, version = chosen or (months[0] if months else (None, None))
    context = {"scopes": scopes, "scope": scope, "period": period, "periods": [month for month, _ in months]}
    if period is not None:
        exact = sees_exact_figures(user, scope)
        limits = thresholds.current()
        # Figures change only when a metrics run replaces the month: cache per scope, month and run, and
        # apart for exact and suppressed viewers; labels follow the thresholds, so they are in the key too.
        wording = "-".join(str(value) for value in dataclasses.astuple(limits))
        viewer = "exact" if exact else "suppressed"
        key = f"dashboard:v{CACHE_VERSION}:{scope.key}:{viewer}:{period:%Y-%m}:{version}:{wording}"
        cached = cache.get(key)
        if cached is None:
            data = dashboard_data(scope=scope, period=period, exact=exact, limits=limits)
            cached = (data, _charts(data, limits))
            cache.set(key, cached, timeout=CACHE_SECONDS)
        data, chart_set = cached
        download = request.GET.get("csv")
        if download:
            chart = chart_set.get(download)
            if chart is None:
                raise Http404
            response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="plo-{download}-{period:%Y-%m}.csv"'
            return response
        context.update(data=data, charts=chart_set, catalogue=catalogue)
        # The breach forecast against what happened: shown only when the current model beat the baselines.
        forecast = display.forecast_status()
        context["forecast"] = forecast
        # Only an LA's own staff (their LA, area or team): the forecasts are per application, under
        # row-level security; the region's and each LA's figures are in the board pack, built overnight.
        context["forecast_in_pack"] = not exact
        if forecast.shown and exact:
            outturn = display.dashboard_outturn(scope=scope, today=timezone.localdate())
            context["forecast_rows"] = outturn.rows(scope.type, scope.id)
            context["forecast_suppressed"] = outturn.any_suppressed(scope.type, scope.id)
            context["forecast_threshold"] = outturn.threshold
    return render(request, "reporting/dashboard.html", context)
