"""Every metric the region reports, with its exact definition (REFERENCE.md section 4).

The codes are stored in ``MetricValue.metric``; the definitions are printed in the board pack
glossary and on the dashboard, so what a figure means is written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    COUNT = "count"
    WEEKS = "weeks"
    PERCENT = "percent"
    RATE = "per 10,000"
    RATIO = "ratio"
    DAYS = "days"


class Dimension(StrEnum):
    NONE = ""
    BAND = "Cafcass duration band"
    HEARING_REASON = "adjournment or vacation reason code"
    ASSESSMENT_TYPE = "assessment type code"
    DELAY_REASON = "delay reason code"
    DELAY_DRIVER = "delay driver code"
    PP_OUTCOME = "pre-proceedings outcome"


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: Unit
    definition: str
    dimension: Dimension = Dimension.NONE
    # For averages and rates: the count metric of the cases it is built on (small-number rule).
    base: str | None = None
    # Whether a higher value is better (for the direction of change shown).
    higher_is_better: bool | None = None


S31_BANDS = [("le26", "26 weeks or less"), ("27_29", "27 to 29 weeks"), ("ge30", "30 weeks or more")]

METRICS: list[Metric] = [
    # Section 31 proceedings
    Metric(
        "s31_issued",
        "Care applications issued",
        Unit.COUNT,
        "Applications (one court case number each) with an issue date in the month.",
    ),
    Metric(
        "s31_children_issued",
        "Children in applications issued",
        Unit.COUNT,
        "Children in applications issued in the month.",
    ),
    Metric(
        "s31_concluded",
        "Care applications concluded",
        Unit.COUNT,
        "Applications whose last child's final order (or withdrawal, refusal or no order) was made in the month.",
    ),
    Metric(
        "s31_duration_mean",
        "Average duration of care proceedings",
        Unit.WEEKS,
        "Mean of (conclusion date - issue date) / 7 over applications concluded in the month.",
        base="s31_concluded",
        higher_is_better=False,
    ),
    Metric(
        "s31_duration_median",
        "Median duration of care proceedings",
        Unit.WEEKS,
        "Median of (conclusion date - issue date) / 7 over applications concluded in the month.",
        base="s31_concluded",
        higher_is_better=False,
    ),
    Metric(
        "s31_duration_band",
        "Concluded applications by Cafcass duration band",
        Unit.COUNT,
        "Applications concluded in the month by duration: 26 weeks or less (182 days or fewer), "
        "27 to 29 weeks (183 to 209 days), 30 weeks or more (210 days or more).",
        dimension=Dimension.BAND,
    ),
    Metric(
        "s31_within_26_share",
        "Concluded within 26 weeks",
        Unit.PERCENT,
        "Share of applications concluded in the month whose duration was 182 days or fewer.",
        base="s31_concluded",
        higher_is_better=True,
    ),
    Metric(
        "s31_open",
        "Open care applications",
        Unit.COUNT,
        "Applications issued on or before the month's last day and not concluded by it.",
    ),
    Metric(
        "s31_open_age_mean",
        "Average age of open applications",
        Unit.WEEKS,
        "Mean of (month's last day - issue date) / 7 over open applications.",
        base="s31_open",
        higher_is_better=False,
    ),
    Metric(
        "s31_past_limit",
        "Open applications past the time limit",
        Unit.COUNT,
        "Open applications older than 26 weeks plus 8 weeks for each extension granted (to any child of the "
        "application) on or before the month's last day.",
        higher_is_better=False,
    ),
    Metric(
        "s31_at_risk",
        "Open applications at risk",
        Unit.COUNT,
        "Open applications not past the limit that are 20 weeks or older with no issues resolution hearing "
        "listed, or 26 weeks or older.",
        higher_is_better=False,
    ),
    Metric(
        "s31_extensions",
        "Extensions granted",
        Unit.COUNT,
        "Extensions of a child's timetable granted in the month.",
    ),
    Metric(
        "hearings_per_case",
        "Hearings per concluded application",
        Unit.RATIO,
        "Hearings that took place (held, or adjourned on the day) in applications concluded in the month, "
        "divided by the number of those applications. Vacated hearings are not counted.",
        base="s31_concluded",
        higher_is_better=False,
    ),
    Metric(
        "hearings_adjourned",
        "Hearings adjourned, by reason",
        Unit.COUNT,
        "Hearings listed in the month that were adjourned on the day, by reason code.",
        dimension=Dimension.HEARING_REASON,
        higher_is_better=False,
    ),
    Metric(
        "hearings_vacated",
        "Hearings vacated, by reason",
        Unit.COUNT,
        "Hearings listed in the month that were cancelled before the day, by reason code.",
        dimension=Dimension.HEARING_REASON,
        higher_is_better=False,
    ),
    Metric(
        "s31_application_rate",
        "Care application rate per 10,000 children",
        Unit.RATE,
        "Applications issued in the 12 months ending on the month's last day, divided by the child population "
        "aged 0-17 (latest year on or before the month), times 10,000.",
    ),
    Metric(
        "s31_children_12m",
        "Children in applications issued in the last 12 months",
        Unit.COUNT,
        "Children in applications issued in the 12 months ending on the month's last day.",
    ),
    # Pre-proceedings
    Metric(
        "pp_started",
        "Pre-proceedings episodes started",
        Unit.COUNT,
        "Episodes with a pre-proceedings start date (PPStartDate) in the month.",
    ),
    Metric(
        "pp_decided",
        "Pre-proceedings episodes decided",
        Unit.COUNT,
        "Episodes with a step decision (StepDecisionDate) in the month, by outcome.",
        dimension=Dimension.PP_OUTCOME,
    ),
    Metric(
        "pp_duration_mean",
        "Average pre-proceedings duration (decided)",
        Unit.WEEKS,
        "Mean of (step decision date - start date) / 7 over episodes decided in the month.",
        base="pp_decided",
        higher_is_better=False,
    ),
    Metric(
        "pp_duration_median",
        "Median pre-proceedings duration (decided)",
        Unit.WEEKS,
        "Median of (step decision date - start date) / 7 over episodes decided in the month.",
        base="pp_decided",
        higher_is_better=False,
    ),
    Metric(
        "pp_over_threshold_share",
        "Decided episodes over the local threshold",
        Unit.PERCENT,
        "Share of episodes decided in the month that lasted longer than the local pre-proceedings threshold.",
        base="pp_decided",
        higher_is_better=False,
    ),
    Metric(
        "pp_open",
        "Open pre-proceedings episodes",
        Unit.COUNT,
        "Episodes started on or before the month's last day with no step decision by it.",
    ),
    Metric(
        "pp_open_duration_mean",
        "Average age of open pre-proceedings episodes",
        Unit.WEEKS,
        "Mean of (month's last day - start date) / 7 over open episodes.",
        base="pp_open",
        higher_is_better=False,
    ),
    Metric(
        "pp_open_over_threshold",
        "Open episodes over the local threshold",
        Unit.COUNT,
        "Open episodes whose age at the month's last day is over the local pre-proceedings threshold.",
        higher_is_better=False,
    ),
    Metric(
        "pp_step_down_rate",
        "Step-down rate",
        Unit.PERCENT,
        "Among episodes with a step decision in the month: stepped down / (stepped down + issued). "
        "Episodes ending otherwise are not in the rate.",
        base="pp_decided",
    ),
    Metric(
        "pp_repeat_open",
        "Open episodes with a previous episode or proceedings",
        Unit.COUNT,
        "Open episodes where a child had a previous pre-proceedings episode or care proceedings.",
        higher_is_better=False,
    ),
    Metric(
        "pp_babies_open",
        "Open episodes for a baby or unborn child",
        Unit.COUNT,
        "Open episodes with a child unborn or under 1 at the month's last day.",
    ),
    # Assessments
    Metric(
        "assessments_completed",
        "Assessments completed",
        Unit.COUNT,
        "Assessments completed in the month, by type (all types under an empty key).",
        dimension=Dimension.ASSESSMENT_TYPE,
    ),
    Metric(
        "assessments_on_time_share",
        "Assessments completed on time",
        Unit.PERCENT,
        "Share of assessments completed in the month no later than the instructed date plus the type's target "
        "weeks (viability 2, parenting 8, connected carer 10; other types: their due date), by type.",
        dimension=Dimension.ASSESSMENT_TYPE,
        base="assessments_completed",
        higher_is_better=True,
    ),
    # Delay
    Metric(
        "delay_days_by_driver",
        "Days lost by delay driver",
        Unit.DAYS,
        "Days lost in delay events dated in the month, summed by Trailblazer driver.",
        dimension=Dimension.DELAY_DRIVER,
        higher_is_better=False,
    ),
    Metric(
        "delay_days_by_reason",
        "Days lost by reason code",
        Unit.DAYS,
        "Days lost in delay events dated in the month, summed by reason code.",
        dimension=Dimension.DELAY_REASON,
        higher_is_better=False,
    ),
    Metric(
        "delay_events_by_driver",
        "Delay events by driver",
        Unit.COUNT,
        "Delay events dated in the month, counted by Trailblazer driver.",
        dimension=Dimension.DELAY_DRIVER,
        higher_is_better=False,
    ),
]

BY_CODE: dict[str, Metric] = {m.code: m for m in METRICS}


def get(code: str) -> Metric:
    """The metric with this code (KeyError for an unknown code)."""
    return BY_CODE[code]
