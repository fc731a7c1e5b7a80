"""Every metric the region reports, with its exact definition (REFERENCE.md section 4).

The codes are stored in ``MetricValue.metric``; the definitions are printed in the board pack
glossary and on the dashboard, so what a figure means is written once, here.

A label or definition that states a threshold names it as a ``str.format`` field (``{s31_limit_weeks}``,
the names of ``wording``), never as a number: pages, the board pack and downloads show a metric
through ``Metric.worded(limits)``, so the text follows the ``Threshold`` table. Codes such as
``s31_within_26_share`` are stored identifiers and keep their names whatever the limit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.thresholds import Thresholds


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


class Cases(StrEnum):
    """Which stored column counts the cases an average or rate is built on (the small-number rule)."""

    DENOMINATOR = "denominator"
    NUMERATOR = "numerator"


def wording(limits: Thresholds) -> dict[str, int]:
    """The figures a label or definition may name, from the thresholds in force."""
    words = limits.as_sql_params()
    # The Cafcass middle band in whole weeks and days: over the limit, under the long band.
    words.update(
        band_middle_first_weeks=limits.s31_limit_weeks + 1,
        band_middle_last_weeks=limits.s31_band_long_weeks - 1,
        band_middle_first_days=limits.s31_limit_days + 1,
        band_middle_last_days=limits.s31_band_long_days - 1,
    )
    return words


@dataclass(frozen=True)
class Base:
    """What an average, share or rate is built on: its denominator in words, and the stored counts
    ``(code, dimension)`` that add up to it. A page shows the denominator beside the figure only where
    every one of those counts may be shown too (no count is given away through a denominator). With no
    counts, the figure's own cases are its denominator: a rate per 10,000, whose cases it gives away itself.
    """

    words: str
    counts: tuple[tuple[str, str], ...] = ()


CONCLUDED = Base("applications concluded in the month", (("s31_concluded", ""),))
OPEN = Base("open applications", (("s31_open", ""),))
DECIDED = Base("episodes decided in the month", (("pp_decided", ""),))
OPEN_EPISODES = Base("open episodes", (("pp_open", ""),))


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: Unit
    definition: str
    dimension: Dimension = Dimension.NONE
    # For averages and rates: which stored column counts the cases it is built on (small-number rule).
    cases: Cases | None = None
    # Whether a higher value is better (for the direction of change shown).
    higher_is_better: bool | None = None
    # For a share: the count it is a share of. The share is withheld whenever that count is, since the
    # count could be worked out from the share and its denominator (secondary suppression).
    share_of: str | None = None
    # For averages, shares and rates: what the figure is built on, shown as its denominator.
    base: Base | None = None

    def worded(self, limits: Thresholds) -> Metric:
        """This metric with the thresholds its label and definition name filled in."""
        words = wording(limits)
        return dataclasses.replace(self, label=self.label.format(**words), definition=self.definition.format(**words))


# Dimension codes of s31_duration_band (stored identifiers) and their labels.
S31_BANDS = [
    ("le26", "{s31_limit_weeks} weeks or less"),
    ("27_29", "{band_middle_first_weeks} to {band_middle_last_weeks} weeks"),
    ("ge30", "{s31_band_long_weeks} weeks or more"),
]


def bands(limits: Thresholds) -> list[tuple[str, str]]:
    """The Cafcass duration bands, (code, label), labelled from the thresholds in force."""
    words = wording(limits)
    return [(code, label.format(**words)) for code, label in S31_BANDS]


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
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=CONCLUDED,
    ),
    Metric(
        "s31_duration_median",
        "Median duration of care proceedings",
        Unit.WEEKS,
        "Median of (conclusion date - issue date) / 7 over applications concluded in the month.",
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=CONCLUDED,
    ),
    Metric(
        "s31_duration_band",
        "Concluded applications by Cafcass duration band",
        Unit.COUNT,
        "Applications concluded in the month by duration: {s31_limit_weeks} weeks or less ({s31_limit_days} days "
        "or fewer), {band_middle_first_weeks} to {band_middle_last_weeks} weeks ({band_middle_first_days} to "
        "{band_middle_last_days} days), {s31_band_long_weeks} weeks or more ({s31_band_long_days} days or more).",
        dimension=Dimension.BAND,
    ),
    Metric(
        "s31_within_26_share",
        "Concluded within {s31_limit_weeks} weeks",
        Unit.PERCENT,
        "Share of applications concluded in the month whose duration was {s31_limit_days} days or fewer.",
        cases=Cases.DENOMINATOR,
        higher_is_better=True,
        base=CONCLUDED,
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
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=OPEN,
    ),
    Metric(
        "s31_past_limit",
        "Open applications past the time limit",
        Unit.COUNT,
        "Open applications older than {s31_limit_weeks} weeks plus {extension_max_weeks} weeks for each extension "
        "granted (to any child of the application) on or before the month's last day.",
        higher_is_better=False,
    ),
    Metric(
        "s31_at_risk",
        "Open applications at risk",
        Unit.COUNT,
        "Open applications not past the limit that, at the month's last day, are {irh_by_week} weeks or older with "
        "no issues resolution hearing listed, or {s31_limit_weeks} weeks or older, or (at any age) already "
        "timetabled beyond {s31_limit_weeks} weeks: a hearing listed for a date after the end of their timetable. "
        "A hearing counts as listed from the day the listing was made until the day it was vacated, whatever date "
        "it is listed for; held and adjourned hearings still count. Listings made, hearings vacated and extensions "
        "granted after the month's last day do not change the month's figure.",
        higher_is_better=False,
    ),
    Metric(
        "s31_timetabled_beyond",
        "Open applications timetabled beyond {s31_limit_weeks} weeks",
        Unit.COUNT,
        "Open applications not past the limit with a hearing listed at the month's last day (the listing made on or "
        "before that day and not vacated on or before it) for a date after the end of their timetable: the issue "
        "date plus {s31_limit_days} days, plus {extension_max_days} days for each extension granted (to any child "
        "of the application) on or before the month's last day. They are already timetabled to run past the end "
        "before it is reached.",
        higher_is_better=False,
    ),
    Metric(
        "s31_timetabled_beyond_share",
        "Share of open applications timetabled beyond {s31_limit_weeks} weeks",
        Unit.PERCENT,
        "Open applications timetabled beyond {s31_limit_weeks} weeks as a share of all open applications at the "
        "month's last day: not past the limit, with a hearing listed at that day for a date after the end of their "
        "timetable (the issue date plus {s31_limit_days} days, plus {extension_max_days} days for each extension "
        "granted on or before that day).",
        cases=Cases.DENOMINATOR,
        share_of="s31_timetabled_beyond",
        higher_is_better=False,
        base=OPEN,
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
        "Hearings that took place (held, or adjourned on the day) on or before the conclusion of applications "
        "concluded in the month, divided by the number of those applications. Vacated hearings (cancelled before "
        "the day) are not counted; they are reported separately with their reasons.",
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=CONCLUDED,
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
        cases=Cases.NUMERATOR,
        base=Base("applications issued in the 12 months"),
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
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=DECIDED,
    ),
    Metric(
        "pp_duration_median",
        "Median pre-proceedings duration (decided)",
        Unit.WEEKS,
        "Median of (step decision date - start date) / 7 over episodes decided in the month.",
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=DECIDED,
    ),
    Metric(
        "pp_over_threshold_share",
        "Decided episodes over the local threshold",
        Unit.PERCENT,
        "Share of episodes decided in the month that lasted longer than the local pre-proceedings threshold "
        "({pp_threshold_weeks} weeks).",
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=DECIDED,
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
        cases=Cases.DENOMINATOR,
        higher_is_better=False,
        base=OPEN_EPISODES,
    ),
    Metric(
        "pp_open_over_threshold",
        "Open episodes over the local threshold",
        Unit.COUNT,
        "Open episodes whose age at the month's last day is over the local pre-proceedings threshold "
        "({pp_threshold_weeks} weeks).",
        higher_is_better=False,
    ),
    Metric(
        "pp_step_down_rate",
        "Step-down rate",
        Unit.PERCENT,
        "Among episodes with a step decision in the month: stepped down / (stepped down + issued). "
        "Episodes ending otherwise are not in the rate.",
        cases=Cases.DENOMINATOR,
        base=Base("episodes stepped down or issued", (("pp_decided", "step_down"), ("pp_decided", "issue"))),
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
        "Share of assessments completed in the month no later than the instructed date plus the target for their "
        "type (assessment types reference data), or, for a type with no target, by their due date; by type.",
        dimension=Dimension.ASSESSMENT_TYPE,
        cases=Cases.DENOMINATOR,
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

# The board pack's data-quality checks: live counts, per LA, of records for data teams to look at.
# Not performance figures, but counts shown outside the LA all the same, so the small-number rule applies.
DATA_QUALITY: list[Metric] = [
    Metric(
        "dq_open_no_hearing",
        "Open applications with no hearing recorded",
        Unit.COUNT,
        "Open care applications with no hearing of any kind recorded.",
    ),
    Metric(
        "dq_open_past_limit_no_extension",
        "Open applications older than {s31_limit_weeks} weeks with no extension",
        Unit.COUNT,
        "Open care applications issued more than {s31_limit_weeks} weeks ago with no extension recorded for any child.",
    ),
    Metric(
        "dq_lost_hearing_no_reason",
        "Adjourned or vacated hearings with no reason",
        Unit.COUNT,
        "Hearings adjourned or vacated with no reason code recorded.",
    ),
    Metric(
        "dq_episode_no_initial_meeting",
        "Open episodes with no initial meeting",
        Unit.COUNT,
        "Open pre-proceedings episodes with no initial meeting recorded.",
    ),
    Metric(
        "dq_assessment_no_due_or_target",
        "Assessments with neither a due date nor a target",
        Unit.COUNT,
        "Assessments with no due date whose type has no target.",
    ),
    Metric(
        "dq_family_no_social_worker",
        "Families in proceedings or pre-proceedings with no social worker",
        Unit.COUNT,
        "Families with open care proceedings or an open pre-proceedings episode and no allocated social worker.",
    ),
]

BY_CODE: dict[str, Metric] = {m.code: m for m in [*METRICS, *DATA_QUALITY]}


def get(code: str) -> Metric:
    """The metric with this code (KeyError for an unknown code)."""
    return BY_CODE[code]
