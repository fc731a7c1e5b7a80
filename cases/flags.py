"""The tracker's drift flags: what each means and how severe it is.

When each flag is raised is worked out once, in the tracker facts view (``cases_trackerrow``),
from the case and the thresholds; ``cases.selectors.tracker`` compares the stored dates with today.
A flag's words name thresholds as ``{code}`` fields, so a page shows the figures in force:
``worded_flags(thresholds.current())`` fills them in.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from cases import thresholds
from cases.thresholds import Thresholds


@dataclass(frozen=True)
class Flag:
    code: str
    label: str  # may name thresholds as "{code}" fields: shown through ``worded_flags``
    severity: str  # "red" or "amber"
    hint: str
    ends: bool = False  # lowered again on a stored "_until" date (not by a change to the case)
    # The stored date it is lowered on, when not its own "<code>_until" (implies ``ends``).
    until: str = ""

    @property
    def until_fact(self) -> str:
        return self.until or f"{self.code}_until"


# The order is the order flags are shown in: red first.
FLAGS: list[Flag] = [
    Flag(
        "s31_past_limit",
        "Proceedings past {s31_limit_weeks} weeks and extensions",
        "red",
        "Timetable end date has passed.",
    ),
    Flag(
        "pp_over_threshold",
        "Pre-proceedings over the local threshold",
        "red",
        "Longer than the local policy of {pp_threshold_weeks} weeks.",
    ),
    Flag("overdue_action", "Overdue meeting action", "red", "An action agreed at a tracker meeting is overdue."),
    Flag("no_social_worker", "No allocated social worker", "red", "Nobody is allocated to the family."),
    Flag(
        "s31_at_risk",
        "Proceedings at risk of passing {s31_limit_weeks} weeks",
        "amber",
        "Week {irh_by_week} with no IRH, week {s31_limit_weeks}, or timetabled beyond {s31_limit_weeks} weeks.",
        True,
    ),
    # The PLO timetable checks (REFERENCE.md 4), on the hearings listed now (none vacated).
    Flag(
        "timetabled_beyond",
        "Timetabled beyond {s31_limit_weeks} weeks",
        "amber",
        "A hearing is listed for a date after the timetable end ({s31_limit_weeks} weeks and any extensions),"
        " which has not passed yet.",
        True,
        # "Already" beyond its end: once the end has passed, the case is past the limit instead.
        until="s31_at_risk_until",
    ),
    Flag(
        "cmh_outside_window",
        "CMH listed outside days {cmh_earliest_day} to {cmh_latest_day}",
        "amber",
        "The case management hearing should be between day {cmh_earliest_day} and day {cmh_latest_day}"
        " (the issue date is day 1).",
    ),
    Flag(
        "no_irh_by_20",
        "No IRH listed by week {irh_by_week}",
        "amber",
        "An issues resolution hearing should be listed.",
    ),
    Flag(
        "irh_after_week",
        "IRH listed after week {irh_by_week}",
        "amber",
        "The issues resolution hearing should be by week {irh_by_week}.",
    ),
    Flag(
        "no_final_by_20",
        "No final hearing listed by week {irh_by_week}",
        "amber",
        "A final hearing should be listed by week {irh_by_week}.",
    ),
    Flag(
        "final_after_end",
        "Final hearing listed after the timetable end",
        "amber",
        "The final hearing should be by the end of {s31_limit_weeks} weeks and any extensions.",
    ),
    Flag(
        "no_review",
        "No review meeting within the interval",
        "amber",
        "No meeting within {pp_review_interval_weeks} weeks of the last one (or the start).",
    ),
    Flag("overdue_assessment", "Overdue assessment", "amber", "An assessment is past its due date."),
    Flag(
        "no_family_network_meeting",
        "No family network meeting held",
        "amber",
        "No FGC/FGDM held by week {fgdm_by_weeks}.",
    ),
    Flag("repeat_episode", "Repeat episode", "amber", "Previous pre-proceedings or care proceedings."),
    # Ofsted: babies and repeat pregnancies are where drift hides. Raised from the people around the
    # case: one person linked to this family and to another whose episode or proceedings began first.
    Flag(
        "parent_previous_proceedings",
        "Repeat pregnancy or parent with previous proceedings",
        "amber",
        "A parent or carer had pre-proceedings or care proceedings with another family before this case.",
    ),
    Flag("baby_or_unborn", "Baby or unborn child", "amber", "A child is under 1 or not yet born.", True),
]
FLAGS_BY_CODE = {flag.code: flag for flag in FLAGS}
# The flags the PLO timetable checks raise (``cases_timetable_checks``, REFERENCE.md 4).
TIMETABLE_FLAGS = (
    "cmh_outside_window",
    "irh_after_week",
    "no_irh_by_20",
    "no_final_by_20",
    "final_after_end",
    "timetabled_beyond",
)
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


@functools.cache
def worded_flags(limits: Thresholds) -> tuple[Flag, ...]:
    """Every flag, in order, with the thresholds' figures in its label and hint."""
    figures = dataclasses.asdict(limits)
    return tuple(
        dataclasses.replace(flag, label=flag.label.format(**figures), hint=flag.hint.format(**figures))
        for flag in FLAGS
    )


def flag_labels(codes: Sequence[str], flags: Sequence[Flag]) -> list[str]:
    """Stored flag codes in words (an unknown code as itself), with ``flags`` from ``worded_flags``."""
    words = {flag.code: flag.label for flag in flags}
    return [words.get(code, code) for code in codes]


def weeks_bands(limits: Thresholds) -> dict[str, tuple[int, int | None]]:
    """The tracker's weeks filter bands: edges at 12 and 40 weeks and at the IRH week and time limit."""
    edges = sorted({0, 12, limits.irh_by_week, limits.s31_limit_weeks, 40})
    bands: dict[str, tuple[int, int | None]] = {f"{low}-{high}": (low, high) for low, high in itertools.pairwise(edges)}
    bands[f"{edges[-1]}+"] = (edges[-1], None)
    return bands


def row_flag_codes(row) -> list[str]:
    """The codes of the flags raised on an annotated tracker row, most severe first."""
    return [flag.code for flag in FLAGS if getattr(row, f"flag_{flag.code}", False)]


def row_flags(row, flags: Sequence[Flag] | None = None) -> list[Flag]:
    """The flags raised on an annotated tracker row, in words, most severe first.

    Pass ``flags`` (``worded_flags(limits)``) when showing many rows; without it the thresholds are
    read (one query).
    """
    raised = set(row_flag_codes(row))
    if flags is None:
        flags = worded_flags(thresholds.current())
    return [flag for flag in flags if flag.code in raised]


def row_reason(row, flags: Sequence[Flag] | None = None) -> str:
    """The RAG status in words."""
    raised = row_flags(row, flags)
    if not raised:
        return "On track: no flags raised."
    return "; ".join(flag.label for flag in raised) + "."
