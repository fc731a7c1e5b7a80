"""The monthly LFJB board pack: regional figures from the nightly metrics, rendered as a PDF.

Aggregates only: the pack reads stored metric values, reference tables and aggregate counts,
never a child's name, reference or date of birth. Counts from 1 to the small-number threshold
minus one, and averages or rates built on fewer cases than the threshold, are suppressed.
Rendering happens in a Celery task or a command, never in a web request.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from cases import constants as c
from cases import models as m
from reporting import catalogue, charts
from reporting.models import BoardPack, MetricValue, PeriodSnapshot
from reporting.services.metrics import add_months
from reporting.services.pdf import render_pdf

SUPPRESSED = "[c]"
NO_VALUE = "\N{EN DASH}"
AREA_NAME = "Essex and Suffolk family court area"
HEADLINES = [
    "s31_duration_mean",
    "s31_duration_median",
    "s31_within_26_share",
    "s31_concluded",
    "s31_open",
    "s31_at_risk",
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
    "s31_past_limit",
    "hearings_per_case",
    "s31_extensions",
]


class MetricsMissingError(ValueError):
    """The month has no computed metrics yet."""


def threshold() -> int:
    return int(getattr(settings, "PLO_SMALL_NUMBER_THRESHOLD", 5))


@dataclass(frozen=True)
class Figures:
    """Stored values for the pack's months: (metric, scope type, scope id, dimension, period) -> value."""

    values: dict

    def get(self, metric, scope_type, scope_id, period, dimension=""):
        value = self.values.get((metric, scope_type, scope_id, dimension, period))
        if value is None and catalogue.get(metric).unit == catalogue.Unit.COUNT and dimension == "":
            return Decimal(0)
        return value

    def show(self, metric, scope_type, scope_id, period, dimension="") -> str:
        """The figure as printed, with the small-number rule applied."""
        spec = catalogue.get(metric)
        value = self.get(metric, scope_type, scope_id, period, dimension)
        limit = threshold()
        if value is None:
            return NO_VALUE
        if spec.unit == catalogue.Unit.COUNT and 0 < value < limit:
            return SUPPRESSED
        if spec.base:
            # An average or rate on fewer cases than the threshold (its base, for the same breakdown).
            base = self.get(spec.base, scope_type, scope_id, period, dimension)
            if base is None or base < limit:
                return SUPPRESSED
        return format_value(spec, value)


def format_value(spec: catalogue.Metric, value: Decimal) -> str:
    if spec.unit in (catalogue.Unit.COUNT, catalogue.Unit.DAYS):
        return f"{value:,.0f}"
    if spec.unit == catalogue.Unit.PERCENT:
        return f"{value:.1f}%"
    if spec.unit == catalogue.Unit.RATIO:
        return f"{value:.1f}"
    return f"{value:,.1f}"


def _figures(month: dt.date) -> Figures:
    first = add_months(month, -12)
    rows = MetricValue.objects.filter(scope_type__in=["region", "la"], period__gte=first, period__lte=month)
    values = {
        (metric, scope_type, scope_id, dimension, period): value
        for metric, scope_type, scope_id, dimension, period, value in rows.values_list(
            "metric", "scope_type", "scope_id", "dimension", "period", "value"
        )
    }
    return Figures(values)


def _data_quality() -> list[dict]:
    """Missing or inconsistent data per LA, as counts (live, aggregate queries only)."""
    open_proceedings = m.Proceedings.objects.filter(concluded_date__isnull=True)
    checks = {
        "Open applications with no hearing recorded": open_proceedings.filter(
            ~Exists(m.Hearing.objects.filter(proceedings=OuterRef("pk")))
        ),
        "Open applications older than 26 weeks with no extension": open_proceedings.filter(
            issue_date__lt=timezone.localdate() - dt.timedelta(weeks=26)
        ).filter(~Exists(m.Extension.objects.filter(child_proceedings__proceedings=OuterRef("pk")))),
        "Adjourned or vacated hearings with no reason": m.Hearing.objects.filter(
            status__in=[c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED], reason__isnull=True
        ),
        "Open episodes with no initial meeting": m.PreProceedingsEpisode.objects.filter(
            start_date__isnull=False, step_decision_date__isnull=True
        ).filter(~Exists(m.PreProceedingsMeeting.objects.filter(episode=OuterRef("pk"), kind="initial"))),
        "Assessments with neither a due date nor a target": m.Assessment.objects.filter(
            due_date__isnull=True, assessment_type__target_weeks__isnull=True
        ),
        "Families in proceedings or pre-proceedings with no social worker": m.Family.objects.filter(
            social_worker__isnull=True
        ).filter(
            Q(pk__in=open_proceedings.values("family_id"))
            | Q(
                pk__in=m.PreProceedingsEpisode.objects.filter(
                    start_date__isnull=False, step_decision_date__isnull=True
                ).values("family_id")
            )
        ),
    }
    las = list(m.LocalAuthority.objects.order_by("name"))
    rows = []
    for label, queryset in checks.items():
        counts = dict(
            queryset.values("local_authority_id").annotate(n=Count("pk")).values_list("local_authority_id", "n")
        )
        rows.append({"label": label, "counts": [counts.get(la.pk, 0) for la in las]})
    return rows


def _trend(figures: Figures, scope_type, scope_id, months, title, label) -> charts.Chart:
    values = []
    for month in months:
        shown = figures.show("s31_duration_mean", scope_type, scope_id, month)
        value = figures.get("s31_duration_mean", scope_type, scope_id, month)
        values.append(float(value) if value is not None and shown != SUPPRESSED else None)
    return charts.line_chart(
        title=title,
        categories=[month.strftime("%b %Y") for month in months],
        series=[charts.Series(label, values)],
        unit="weeks",
        reference_line=(26, "26-week limit"),
        width=640,
        height=200,
    )


def wide_table(chart: charts.Chart) -> dict:
    """A trend chart's table turned sideways (months across), so a year fits under its chart."""
    headers = [chart.headers[0], *(row[0] for row in chart.rows)]
    rows = [[label, *(row[index] for row in chart.rows)] for index, label in enumerate(chart.headers) if index]
    return {"headers": headers, "rows": rows}


def board_pack_context(*, month: dt.date) -> dict:
    """Everything the pack shows, from stored metrics and reference data (aggregates only)."""
    figures = _figures(month)
    las = list(m.LocalAuthority.objects.order_by("name"))
    months = [add_months(month, n) for n in range(-11, 1)]
    last_month, last_year = add_months(month, -1), add_months(month, -12)
    scopes = [("region", None, "Region")] + [("la", la.pk, la.short_name) for la in las]
    comparators = {}
    for comparator in m.NationalComparator.objects.exclude(label__icontains="exemplar").order_by("-vintage"):
        comparators.setdefault(comparator.metric, comparator)

    def headline_rows(scope_type, scope_id):
        rows = []
        for code in HEADLINES:
            comparator = comparators.get(code)
            rows.append(
                {
                    "label": catalogue.get(code).label,
                    "now": figures.show(code, scope_type, scope_id, month),
                    "last_month": figures.show(code, scope_type, scope_id, last_month),
                    "last_year": figures.show(code, scope_type, scope_id, last_year),
                    "national": format_value(catalogue.get(code), comparator.value) if comparator else NO_VALUE,
                }
            )
        return rows

    def table(codes):
        return [
            {"label": catalogue.get(code).label, "values": [figures.show(code, t, i, month) for t, i, _ in scopes]}
            for code in codes
        ]

    # Delay drivers ranked by days lost in the month (region).
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
    reason_labels = dict(m.DelayReason.objects.values_list("code", "label"))
    lost_hearings = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for (metric, scope_type, _, dimension, period), value in figures.values.items():
        if (
            scope_type == "region"
            and period == month
            and dimension
            and metric in ("hearings_adjourned", "hearings_vacated")
        ):
            lost_hearings[reason_labels.get(dimension, dimension)][metric == "hearings_vacated"] += value
    limit = threshold()

    def count(value):
        return SUPPRESSED if 0 < value < limit else f"{value:,.0f}"

    assessment_types = list(m.AssessmentType.objects.order_by("sort_order", "label"))
    return {
        "month": month,
        "produced": timezone.localdate(),
        "area_name": AREA_NAME,
        "threshold": limit,
        "las": las,
        "scopes": scopes,
        "summary": headline_rows("region", None),
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
                ),
            }
            for la in las
        ],
        "region_chart": _trend(
            figures, "region", None, months, "Region: average duration of care proceedings (weeks)", "Region"
        ),
        "pre_proceedings": table(PRE_PROCEEDINGS),
        "proceedings": table(PROCEEDINGS),
        "bands": [
            {"label": label, "values": [figures.show("s31_duration_band", t, i, month, code) for t, i, _ in scopes]}
            for code, label in catalogue.S31_BANDS
        ],
        "lost_hearings": [
            {"reason": reason, "adjourned": count(values[0]), "vacated": count(values[1])}
            for reason, values in sorted(lost_hearings.items(), key=lambda item: -(item[1][0] + item[1][1]))[:12]
        ],
        "assessments": [
            {
                "label": kind.label,
                "target": f"{kind.target_weeks} weeks" if kind.target_weeks else "Due date",
                "completed": [figures.show("assessments_completed", t, i, month, kind.code) for t, i, _ in scopes],
                "on_time": [figures.show("assessments_on_time_share", t, i, month, kind.code) for t, i, _ in scopes],
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
        "data_quality": _data_quality(),
        "glossary": catalogue.METRICS,
        "comparators": list(m.NationalComparator.objects.order_by("metric", "label")),
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
    month = month.replace(day=1)
    snapshot = PeriodSnapshot.objects.filter(period=month).first()
    if snapshot is None:
        raise MetricsMissingError(f"Metrics for {month:%B %Y} have not been computed yet.")
    rendered = board_pack_render(month=month)
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
        pack.file.save(f"{month:%Y-%m}-{rendered.sha256[:8]}.pdf", ContentFile(rendered.content), save=False)
        pack.save()
    if old_file and old_file != pack.file.name:
        pack.file.storage.delete(old_file)
    return pack
