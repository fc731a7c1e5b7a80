"""The dashboard: headline figures, trends and delay drivers for a scope, from the nightly metrics."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import constants as c
from reporting import catalogue, charts
from reporting.selectors import dashboard_data, latest_period, scopes_for

MONTH = "%b %Y"
CACHE_SECONDS = 6 * 60 * 60


def _charts(data) -> dict[str, charts.Chart]:
    months = [month.strftime(MONTH) for month in data.months]

    def floats(values):
        return [float(v) if v is not None else None for v in values]

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
            reference_line=(26, "26-week limit"),
        ),
        "open": charts.line_chart(
            title="Open care applications and those at risk, at each month's end",
            categories=months,
            series=[
                charts.Series("Open", floats(data.series["s31_open"])),
                charts.Series("At risk", floats(data.series["s31_at_risk"])),
            ],
        ),
        "pre_proceedings": charts.line_chart(
            title="Open pre-proceedings episodes and those over the local threshold",
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


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures for the LA, an area or a team (LA users) or the region and each LA (regional analysts)."""
    user = request.user
    if user.role == c.Role.BOARD_MEMBER and not user.is_superuser:
        raise PermissionDenied("Board members read the monthly board packs.")
    scopes = scopes_for(user)
    if not scopes:
        raise PermissionDenied("Your role has no dashboard.")
    wanted = request.GET.get("s", "")
    scope = next((s for s in scopes if s.key == wanted), None) if wanted else scopes[0]
    if scope is None:
        raise Http404  # not a scope this user may see
    period, version = latest_period(timezone.localdate())
    context = {"scopes": scopes, "scope": scope, "period": period}
    if period is not None:
        # Figures change only when a metrics run replaces the month: cache per scope, month and run.
        key = f"dashboard:{scope.key}:{period:%Y-%m}:{version}"
        cached = cache.get(key)
        if cached is None:
            data = dashboard_data(scope=scope, period=period)
            cached = (data, _charts(data))
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
    return render(request, "reporting/dashboard.html", context)
