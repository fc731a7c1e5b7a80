"""The tracker list: every open case in the user's LA with flags, filters, sorting and export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import exports, tracker
from cases.filters import TrackerFilter
from cases.permissions import la_user_required

PAGE_SIZE = 50


def tracker_rows(cases, *, today, limits):
    cases = tracker.attach_next_hearings(list(cases), today=today)
    for case in cases:
        yield {
            "case": case,
            "flags": tracker.row_flags(case),
            "reason": tracker.row_reason(case),
            "next_due": tracker.row_next_due(case, today=today, limits=limits),
            "weeks": case.days_elapsed // 7,
        }


class _CountedRows:
    """One page of rows that already carry the total, so the paginator asks no separate count."""

    def __init__(self, rows: list, total: int):
        self.rows, self.total = rows, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return self.rows


def counted_page(queryset, number):
    """The page and the total in one query (a window count), since the tracker sorts every open case.

    ``queryset`` is the filtered, ordered facts queryset; the page holds its rows.
    """
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(total_rows=Window(Count("pk")))
    rows = list(counted[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    if not rows and number > 1:
        total = queryset.count()
        number = max(1, -(-total // PAGE_SIZE))
        rows = list(counted[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    total = rows[0].total_rows if rows else 0
    return Paginator(_CountedRows(rows, total), PAGE_SIZE).get_page(number)


@la_user_required
def tracker_list(request: HttpRequest) -> HttpResponse:
    """Open pre-proceedings episodes and proceedings in scope, with drift flags and RAG status."""
    today = timezone.localdate()
    limits = tracker.thresholds()
    # Filter, sort, count and page on the stored facts; load families only for the rows shown.
    facts = tracker.tracker_facts(user=request.user, today=today, limits=limits)
    filters = TrackerFilter(request.GET or None, queryset=facts, user=request.user)

    def cases(rows):
        return tracker.tracker_cases(list(rows), user=request.user, today=today, limits=limits)

    export = request.GET.get("export")
    stamp = f"plo-tracker-{request.user.local_authority.short_name.lower().replace(' ', '-')}-{today:%Y-%m-%d}"
    if export in ("csv", "xlsx"):
        rows = exports.tracker_rows(tracker_rows(cases(filters.qs.only("pk")), today=today, limits=limits))
        if export == "csv":
            return exports.csv_response(rows, filename=stamp)
        return exports.xlsx_response(rows, filename=stamp, title="Tracker")
    page = counted_page(filters.qs, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "cases/tracker.html",
        {
            "filters": filters,
            "page": page,
            "rows": list(tracker_rows(cases(page.object_list), today=today, limits=limits)),
            "flags": tracker.FLAGS,
            "query": query.urlencode(),
            "today": today,
        },
    )
