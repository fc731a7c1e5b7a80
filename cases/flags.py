"""The tracker's drift flags: what each means and how severe it is.

When each flag is raised is worked out once, in the tracker facts view (``cases_trackerrow``),
from the case and the thresholds; ``cases.selectors.tracker`` compares the stored dates with today.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    severity: str  # "red" or "amber"
    hint: str
    ends: bool = False  # lowered again on a stored "_until" date (not by a change to the case)


FLAGS: list[Flag] = [
    Flag("s31_past_limit", "Proceedings past 26 weeks and extensions", "red", "Timetable end date has passed."),
    Flag("pp_over_threshold", "Pre-proceedings over the local threshold", "red", "Longer than the local policy."),
    Flag("overdue_action", "Overdue meeting action", "red", "An action agreed at a tracker meeting is overdue."),
    Flag("no_social_worker", "No allocated social worker", "red", "Nobody is allocated to the family."),
    Flag("s31_at_risk", "Proceedings at risk of passing 26 weeks", "amber", "Week 20 with no IRH, or week 26.", True),
    Flag("no_irh_by_20", "No IRH listed by week 20", "amber", "An issues resolution hearing should be listed."),
    Flag("no_review", "No review meeting within the interval", "amber", "Pre-proceedings review is overdue."),
    Flag("overdue_assessment", "Overdue assessment", "amber", "An assessment is past its due date."),
    Flag("no_family_network_meeting", "No family network meeting held", "amber", "No FGC/FGDM held yet."),
    Flag("repeat_episode", "Repeat episode", "amber", "Previous pre-proceedings or care proceedings."),
    Flag("baby_or_unborn", "Baby or unborn child", "amber", "A child is under 1 or not yet born.", True),
]
FLAGS_BY_CODE = {flag.code: flag for flag in FLAGS}
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}

WEEKS_BANDS = {
    "0-12": (0, 12),
    "12-20": (12, 20),
    "20-26": (20, 26),
    "26-40": (26, 40),
    "40+": (40, None),
}


def row_flags(row) -> list[Flag]:
    """The flags raised on an annotated tracker row, most severe first."""
    return [flag for flag in FLAGS if getattr(row, f"flag_{flag.code}", False)]


def row_reason(row) -> str:
    """The RAG status in words."""
    flags = row_flags(row)
    if not flags:
        return "On track: no flags raised."
    return "; ".join(flag.label for flag in flags) + "."
