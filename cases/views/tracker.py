"""The tracker list: every open case in the user's LA with flags, filters, sorting and export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import audit, exports, presenters, thresholds
from cases.filters import TrackerFilter
from cases.permissions import SEE_IDENTIFIABLE, requires
from cases.selectors import tracker
from reporting.forecast import display

PAGE_SIZE = 50


@requires(SEE_IDENTIFIABLE)
def tracker_list(request: HttpRequest) -> HttpResponse:
    """Open pre-proceedings episodes and proceedings in scope, with drift flags and RAG status."""
    today = timezone.localdate()
    limits = thresholds.current()
    flags = tracker.worded_flags(limits)
    # Filter, count and order on the stored facts (one LA's rows by index, only the sort key worked
    # out for each), then load the cases of the rows shown.
    facts = tracker.tracker_facts(user=request.user, today=today)
    # The breach forecast's band and probability, when it is shown, for its filter and sort.
    forecast = display.forecast_status()
    facts = display.with_forecast(facts, forecast)
    filters = TrackerFilter(
        request.GET or None, queryset=facts, user=request.user, limits=limits, forecast=forecast.shown
    )

    export = request.GET.get("export")
    stamp = f"plo-tracker-{request.user.local_authority.short_name.lower().replace(' ', '-')}-{today:%Y-%m-%d}"
    ids = filters.qs.values_list("pk", flat=True)
    if export in ("csv", "xlsx"):
        family_ids = list(ids)
        audit.record_read(request, kind=audit.EXPORT, families=family_ids)
        cases = tracker.tracker_cases(family_ids, user=request.user, today=today)
        rows = exports.tracker_rows(presenters.case_rows(cases, today=today, flags=flags))
        if export == "csv":
            return exports.csv_response(rows, filename=stamp)
        return exports.xlsx_response(rows, filename=stamp, title="Tracker")
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    cases = display.attach_forecasts(
        list(tracker.tracker_cases(list(page.object_list), user=request.user, today=today)),
        user=request.user,
        status=forecast,
    )
    audit.record_read(request, kind=audit.VIEW, families=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "cases/tracker.html",
        {
            "filters": filters,
            "page": page,
            "rows": list(presenters.case_rows(cases, today=today, flags=flags)),
            "flags": flags,
            "forecast": forecast,
            "query": query.urlencode(),
            "today": today,
        },
    )
