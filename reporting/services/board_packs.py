"""The monthly LFJB board pack: regional figures from the nightly metrics, rendered as a PDF.

Aggregates only: the pack reads stored metric values, reference tables and aggregate counts,
never a child's name, reference or date of birth. Every figure it prints comes through
``reporting.selectors.Figures.shown``, the small-number rule. Labels that state a threshold are
worded from the thresholds in force. Rendering happens in a Celery task or a command, never in a
web request.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import thresholds
from cases.thresholds import Thresholds
from plo_tracker.lib import tenancy
from plo_tracker.lib.dates import add_months
from reporting import catalogue, charts
from reporting.forecast import display
from reporting.models import BoardPack, PeriodSnapshot
from reporting.selectors import NATIONAL, Figures, Shown, board_pack_figures, comparators, marked
from reporting.services.pdf import render_pdf

NO_VALUE = charts.NO_VALUE
AREA_NAME = "Essex and Suffolk family court area"
HEADLINES = [
    "s31_duration_mean",
    "s31_duration_median",
    "s31_within_26_share",
    "s31_concluded",
    "s31_open",
    "s31_at_risk",
    "s31_timetabled_beyond",
    "s31_past_limit",
    "hearings_per_case",
    "s31_application_rate",
    "pp_started",
    "pp_open",
    "pp_step_down_rate",
]
PRE_PROCEEDINGS = [
    "pp_started",
    "pp_decided",
    "pp_duration_mean",
    "pp_over_threshold_share",
    "pp_step_down_rate",
    "pp_open",
    "pp_open_duration_mean",
    "pp_open_over_threshold",
    "pp_repeat_open",
    "pp_babies_open",
]
PROCEEDINGS = [
    "s31_issued",
    "s31_concluded",
    "s31_duration_mean",
    "s31_duration_median",
    "s31_within_26_share",
    "s31_open",
    "s31_open_age_mean",
    "s31_at_risk",
    "s31_timetabled_beyond",
    "s31_timetabled_beyond_share",
    "s31_past_limit",
    "hearings_per_case",
    "s31_extensions",
]


# The glossary's order, which the comparators page follows.
METRIC_ORDER = {metric.code: index for index, metric in enumerate(catalogue.METRICS)}


class MetricsMissingError(ValueError):
    """The month has no computed metrics yet."""


def text(spec: catalogue.Metric, shown: Shown) -> str:
    """A figure as printed: [c] when suppressed, an en dash for no data."""
    if shown is charts.SUPPRESSED:
        return charts.SUPPRESSED_TEXT
    if shown is None:
        return NO_VALUE
    return format_value(spec, shown)


def format_value(spec: catalogue.Metric, value: Decimal) -> str:
    if spec.unit in (catalogue.Unit.COUNT, catalogue.Unit.DAYS):
        return f"{value:,.0f}"
    if spec.unit == catalogue.Unit.PERCENT:
        return f"{value:.1f}%"
    if spec.unit == catalogue.Unit.RATIO:
        return f"{value:.1f}"
    return f"{value:,.1f}"


def _data_quality(figures: Figures, *, month: dt.date, las: list, limits: Thresholds) -> list[dict]:
    """Missing or inconsistent data per LA, as (suppressed) counts."""
    return [
        {
            "label": spec.worded(limits).label,
            "counts": [text(spec, figures.shown(spec.code, "la", la.pk, month)) for la in las],
        }
        for spec in catalogue.DATA_QUALITY
    ]


def _trend(figures: Figures, scope_type, scope_id, months, title, label, limits: Thresholds) -> charts.Chart:
    return charts.line_chart(
        title=title,
        categories=[month.strftime("%b %Y") for month in months],
        series=[charts.Series(label, [figures.shown("s31_duration_mean", scope_type, scope_id, m) for m in months])],
        unit="weeks",
        reference_line=(limits.s31_limit_weeks, f"{limits.s31_limit_weeks}-week limit"),
        width=640,
        height=180,
    )


def wide_table(chart: charts.Chart) -> dict:
    """A trend chart's table turned sideways (months across), so a year fits under its chart."""
    headers = [chart.headers[0], *(row[0] for row in chart.rows)]
    rows = [[label, *(row[index] for row in chart.rows)] for index, label in enumerate(chart.headers) if index]
    return {"headers": headers, "rows": rows}


def _forecast_context(*, month: dt.date, las: list) -> dict:
    """The "Forecast against outturn" page: the region's months, then each LA's, through disclosure control.

    When the current model is not shown the page says why (its note) and prints no figure.
    """
    forecast = display.forecast_status()
    if not forecast.shown:
        return {"forecast": forecast}
    result = display.pack_outturn(month=month)

    def cells(row: display.OutturnMonth) -> dict:
        return {
            "month": row.month,
            "past": row.past,
            "cases": row.cases_text,
            "expected": row.expected_text,
            "happened": row.happened_text if row.past else "not yet",
        }

    by_la = [[cells(row) for row in result.rows("la", la.pk)] for la in las]
    return {
        "forecast": forecast,
        "forecast_region": [cells(row) for row in result.rows("region", None)],
        "forecast_las": [
            {"month": month_row["month"], "past": month_row["past"], "values": [rows[index] for rows in by_la]}
            for index, month_row in enumerate(cells(row) for row in result.rows("region", None))
        ],
    }


def board_pack_context(*, month: dt.date) -> dict:
    """Everything the pack shows, from stored metrics and reference data (aggregates only, suppressed)."""
    limits = thresholds.current()
    today = timezone.localdate()
    figures = board_pack_figures(month=month, today=today, limits=limits)
    las = list(m.LocalAuthority.objects.order_by("name"))
    months = [add_months(month, n) for n in range(-11, 1)]
    last_month, last_year = add_months(month, -1), add_months(month, -12)
    scopes = [("region", None, "Region")] + [("la", la.pk, la.short_name) for la in las]
    reference = comparators()

    def comparator_row(comparator: m.NationalComparator) -> dict:
        spec = catalogue.BY_CODE.get(comparator.metric)
        value = format_value(spec, comparator.value) if spec else f"{comparator.value.normalize():f}"
        if comparator.unit != "percent":  # a percentage already has its sign
            value = f"{value} {comparator.unit}"
        return {
            "figure": spec.worded(limits).label if spec else comparator.metric,
            "kind": comparator.get_kind_display(),
            "label": comparator.label,
            "heading": comparator.heading,
            "value": marked(comparator, value),
            "citation": comparator.citation,
        }

    def national_text(code: str) -> str:
        national = reference.national(code)
        return marked(national, format_value(catalogue.get(code), national.value)) if national else NO_VALUE

    def show(code, scope_type, scope_id, period, dimension=""):
        return text(catalogue.get(code), figures.shown(code, scope_type, scope_id, period, dimension))

    def headline_rows(scope_type, scope_id):
        rows = []
        for code in HEADLINES:
            rows.append(
                {
                    "label": catalogue.get(code).worded(limits).label,
                    "now": show(code, scope_type, scope_id, month),
                    "last_month": show(code, scope_type, scope_id, last_month),
                    "last_year": show(code, scope_type, scope_id, last_year),
                    "national": national_text(code),
                }
            )
        return rows

    def table(codes):
        return [
            {
                "label": catalogue.get(code).worded(limits).label,
                "values": [show(code, t, i, month) for t, i, _ in scopes],
            }
            for code in codes
        ]

    # Delay drivers ranked by days lost (region). Days lost are summed, not counted or averaged: the
    # small-number rule does not apply to them.
    driver_labels = dict(m.DelayDriver.objects.values_list("code", "label"))
    drivers = sorted(
        (
            (driver_labels.get(dimension, dimension), value)
            for (metric, scope_type, _, dimension, period), value in figures.values.items()
            if metric == "delay_days_by_driver" and scope_type == "region" and period == month and dimension
        ),
        key=lambda item: -item[1],
    )
    drivers_12m: dict[str, Decimal] = defaultdict(Decimal)
    for (metric, scope_type, _, dimension, _period), value in figures.values.items():
        if metric == "delay_days_by_driver" and scope_type == "region" and dimension:
            drivers_12m[driver_labels.get(dimension, dimension)] += value
    ranked_12m = sorted(drivers_12m.items(), key=lambda item: -item[1])
    # Hearings lost in the month by reason code (region), most first.
    reason_labels = dict(m.DelayReason.objects.values_list("code", "label"))
    lost = ("hearings_adjourned", "hearings_vacated")
    reasons = {
        dimension
        for (metric, scope_type, _, dimension, period) in figures.values
        if metric in lost and scope_type == "region" and period == month and dimension
    }

    def lost_count(metric, reason):
        # No row for a reason means none were lost that way in the month.
        shown = figures.shown(metric, "region", None, month, reason)
        return text(catalogue.get(metric), Decimal(0) if shown is None else shown)

    def lost_total(reason):
        return sum(figures.value(metric, "region", None, month, reason) or 0 for metric in lost)

    assessment_types = list(m.AssessmentType.objects.order_by("sort_order", "label"))
    return {
        **_forecast_context(month=month, las=las),
        "month": month,
        "produced": today,
        "area_name": AREA_NAME,
        "threshold": figures.threshold,
        "limits": limits,
        "las": las,
        "scopes": scopes,
        "summary": headline_rows("region", None),
        "national_heading": NATIONAL,
        # Under every headline table: where each figure under "National" comes from.
        "national_sources": [
            comparator_row(national) for code in HEADLINES if (national := reference.national(code)) is not None
        ],
        # The region's baseline, LAs' own figures and exemplars: shown as what they are, never as national.
        "other_comparators": [
            comparator_row(comparator)
            for code in HEADLINES
            for comparator in reference.for_metric(code)
            if comparator.kind != c.ComparatorKind.NATIONAL
        ],
        "la_pages": [
            {
                "la": la,
                "rows": headline_rows("la", la.pk),
                "chart": _trend(
                    figures,
                    "la",
                    la.pk,
                    months,
                    f"{la.short_name}: average duration (weeks), last 12 months",
                    la.short_name,
                    limits,
                ),
            }
            for la in las
        ],
        "region_chart": _trend(
            figures, "region", None, months, "Region: average duration of care proceedings (weeks)", "Region", limits
        ),
        "pre_proceedings": table(PRE_PROCEEDINGS),
        "proceedings": table(PROCEEDINGS),
        "bands": [
            {"label": label, "values": [show("s31_duration_band", t, i, month, code) for t, i, _ in scopes]}
            for code, label in catalogue.bands(limits)
        ],
        "lost_hearings": [
            {
                "reason": reason_labels.get(reason, reason),
                "adjourned": lost_count("hearings_adjourned", reason),
                "vacated": lost_count("hearings_vacated", reason),
            }
            for reason in sorted(reasons, key=lambda reason: (-lost_total(reason), reason))[:12]
        ],
        "assessment_types": assessment_types,
        "assessments": [
            {
                "label": kind.label,
                "target": f"{kind.target_weeks} weeks" if kind.target_weeks else "Due date",
                "completed": [show("assessments_completed", t, i, month, kind.code) for t, i, _ in scopes],
                "on_time": [show("assessments_on_time_share", t, i, month, kind.code) for t, i, _ in scopes],
            }
            for kind in assessment_types
        ],
        "drivers_chart": charts.bar_chart(
            title=f"Days lost by delay driver, {month:%B %Y} (region)",
            categories=[label for label, _ in drivers],
            values=[float(days) for _, days in drivers],
            unit="days",
            category_label="Delay driver",
            value_label="Days lost",
        ),
        "drivers_12m_chart": charts.bar_chart(
            title="Days lost by delay driver, last 12 months (region)",
            categories=[label for label, _ in ranked_12m],
            values=[float(days) for _, days in ranked_12m],
            unit="days",
            category_label="Delay driver",
            value_label="Days lost",
        ),
        "data_quality": _data_quality(figures, month=month, las=las, limits=limits),
        "glossary": [metric.worded(limits) for metric in catalogue.METRICS],
        "comparators": [
            comparator_row(comparator)
            for comparator in sorted(reference.rows, key=lambda row: METRIC_ORDER.get(row.metric, len(METRIC_ORDER)))
        ],
    }


def board_pack_render(*, month: dt.date):
    """The pack's PDF for a month (not stored)."""
    html = render_to_string("reporting/board_pack.html", board_pack_context(month=month))
    return render_pdf(
        html=html,
        title=f"PLO Tracker board pack, {month:%B %Y}",
        subject=f"Local Family Justice Board pack for the {AREA_NAME}, {month:%B %Y}",
        keywords=["PLO", "care proceedings", "LFJB", f"{month:%Y-%m}"],
    )


def board_pack_generate(*, month: dt.date, user_id: int | None = None) -> BoardPack:
    """Render and store the pack for a month, replacing an earlier one, with its metrics run and checksum."""
    tenancy.require_every_local_authority("A board pack")
    month = month.replace(day=1)
    snapshot = PeriodSnapshot.objects.filter(period=month).first()
    if snapshot is None:
        raise MetricsMissingError(f"Metrics for {month:%B %Y} have not been computed yet.")
    rendered = board_pack_render(month=month)
    new_file = None
    try:
        with transaction.atomic():
            pack = BoardPack.objects.select_for_update().filter(month=month).first() or BoardPack(month=month)
            old_file = pack.file.name if pack.pk else None
            pack.metric_run = snapshot.run
            pack.sha256 = rendered.sha256
            pack.size_bytes = len(rendered.content)
            pack.page_count = rendered.page_count
            pack.generated_at = timezone.now()
            pack.generated_by_id = user_id
            pack.render_seconds = round(rendered.seconds, 3)
            # Stored whole or not at all (plo_tracker.storage); the row points at it only on commit.
            pack.file.save(f"{month:%Y-%m}-{rendered.sha256[:8]}.pdf", ContentFile(rendered.content), save=False)
            new_file = pack.file.name
            pack.save()
    except BaseException:
        # The row was not saved: a file stored for it would belong to nothing.
        if new_file and new_file != old_file:
            pack.file.storage.delete(new_file)
        raise
    if old_file and old_file != pack.file.name:
        pack.file.storage.delete(old_file)
    return pack
