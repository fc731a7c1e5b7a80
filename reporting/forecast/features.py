"""Facts about each application as they were known on a given day: the forecast's inputs, no names.

Everything is read once, set-based, as dated events (a listing put off on a day, an extension
granted on a day, an assessment instructed, due and completed on days...). ``facts_at`` then
counts, for any number of (application, day) pairs at once, only the events that had happened by
that day, so the training rows (each application at every fourth week of its life) and the
forecasts (each open application today) come from the one definition, and nothing known later
leaks into an earlier day: a listing counts from the day it was made (``listed_as_at``), an
adjournment from the day of the hearing, a vacated listing from the day it was vacated, an
extension from the day it was granted, a child from their birth.

Days are proleptic ordinals (``date.toordinal()``) so the counting is integer arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from cases import constants as c
from cases import models as m
from cases import thresholds

# Drivers with a count of their own (the total counts every driver): the ones a chair can act on.
DRIVERS = ("expert_availability", "assessment_quality", "court_capacity", "late_family", "change_of_plan")
# How a reason names each driver's adjournments: "3 adjournments, 2 for expert reports".
DRIVER_WORDS = {
    "expert_availability": "for expert reports",
    "assessment_quality": "for late or poor assessments",
    "court_capacity": "for lack of court time",
    "late_family": "for family members coming forward late",
    "change_of_plan": "for a change of plan",
}
# The numeric facts, in order (court and LA are added as indicators by the model).
NUMERIC = (
    "children",
    "baby",
    "pre_birth",
    "previous_proceedings",
    "short_notice",
    "no_pre_proceedings",
    "pre_proceedings_weeks",
    "adjournments",
    *(f"adjournments_{code}" for code in DRIVERS),
    "extensions",
    "assessments_outstanding",
    "assessments_overdue",
    "irh_not_listed",
    "final_beyond_limit",
)
# A key packs (application, day) into one integer: ordinals stay far below this.
_KEY = 10_000_000
_NEVER = 10**9  # a day that never comes (not vacated, not completed)
_ORDINAL = "((%s - DATE '0001-01-01') + 1)"


def ordinal(column: str) -> str:
    """SQL for a date column as a Python ordinal (NULL stays NULL)."""
    return _ORDINAL % column


@dataclass
class Events:
    """Dated events of one kind: application ids and days, sorted, for counting up to a day."""

    keys: np.ndarray

    @classmethod
    def of(cls, pids, days) -> Events:
        pids = np.asarray(pids, dtype=np.int64)
        days = np.asarray(days, dtype=np.int64)
        return cls(np.sort(pids * _KEY + days))

    def count(self, pids: np.ndarray, days: np.ndarray) -> np.ndarray:
        """How many of each application's events happened on or before its day."""
        return np.searchsorted(self.keys, pids * _KEY + days, "right") - np.searchsorted(self.keys, pids * _KEY, "left")


@dataclass
class CaseFacts:
    """The applications and their dated events, as stored (read once per run)."""

    apps: pd.DataFrame  # indexed by proceedings id
    children: Events  # each child part, from the child's birth
    put_off: Events  # every listing adjourned or vacated, from the day it was put off
    put_off_by_driver: dict[str, Events]
    irh_listed: Events  # IRH listings, from the day each was made
    irh_vacated: Events  # ... and from the day each stopped counting as listed
    final_beyond_listed: Events  # final hearings listed past the time limit, from the day made
    final_beyond_vacated: Events
    extensions: Events  # grant days (one per application and day, whatever the number of children)
    extension_ends: pd.DataFrame  # pid, granted, new_end: the timetable's end as extended
    instructed: Events
    completed: Events
    overdue_from: Events  # assessments, from the day after their due date
    overdue_ended: Events  # ... and from the day an overdue one was completed
    limit_days: int
    court_labels: dict[str, str]
    la_names: dict[int, str]
    driver_labels: dict[str, str]

    def ids(self) -> np.ndarray:
        return self.apps.index.to_numpy(dtype=np.int64)


def _rows(query: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def load(*, as_of: dt.date, since: dt.date | None = None) -> CaseFacts:
    """Every application issued from ``since`` up to ``as_of`` with its dated events (five queries).

    Reads every LA: callers run it as the maintenance role.
    """
    limits = thresholds.current()
    params = {"as_of": as_of, "since": since or dt.date(1900, 1, 1)}
    scope = "p.issue_date BETWEEN %(since)s AND %(as_of)s"
    apps = pd.DataFrame(
        _rows(
            f"""
            SELECT p.id, p.local_authority_id, p.court_id, {ordinal("p.issue_date")},
                   {ordinal("p.concluded_date")}, p.short_notice,
                   COALESCE(e.pre_birth, false), COALESCE(e.previous_care_proceedings, false), e.id IS NULL,
                   COALESCE((e.step_decision_date - e.start_date) / 7.0, 0),
                   (SELECT {ordinal("MAX(ch.date_of_birth)")} FROM {m.ChildProceedings._meta.db_table} cp
                    JOIN {m.Child._meta.db_table} ch ON ch.id = cp.child_id
                    WHERE cp.proceedings_id = p.id AND ch.date_of_birth <= p.issue_date)
            FROM {m.Proceedings._meta.db_table} p
            LEFT JOIN {m.PreProceedingsEpisode._meta.db_table} e ON e.id = p.episode_id
            WHERE {scope}
            ORDER BY p.id
            """,  # noqa: S608 - table names from the models, values as parameters
            params,
        ),
        columns=[
            "id",
            "la_id",
            "court_id",
            "issue",
            "concluded",
            "short_notice",
            "pre_birth",
            "previous_proceedings",
            "no_pre_proceedings",
            "pre_proceedings_weeks",
            "youngest_born",
        ],
    ).set_index("id")
    if apps.empty:
        apps = apps.astype({"issue": "int64"})
    apps["concluded"] = apps["concluded"].astype("float64")
    apps["pre_proceedings_weeks"] = apps["pre_proceedings_weeks"].astype("float64").clip(0, 52)
    apps["baby"] = (apps["issue"] - apps["youngest_born"].astype("float64") < 365).astype("float64")
    children = _rows(
        f"""
        SELECT cp.proceedings_id, {ordinal("ch.date_of_birth")}
        FROM {m.ChildProceedings._meta.db_table} cp JOIN {m.Child._meta.db_table} ch ON ch.id = cp.child_id
        JOIN {m.Proceedings._meta.db_table} p ON p.id = cp.proceedings_id
        WHERE {scope} AND ch.date_of_birth IS NOT NULL
        """,  # noqa: S608 - table names from the models, values as parameters
        params,
    )
    hearings = _rows(
        f"""
        SELECT h.proceedings_id, h.hearing_type_id, h.status, {ordinal("h.listed_on")}, {ordinal("h.listed_date")},
               {ordinal("h.vacated_on")}, r.driver_id, {ordinal("p.issue_date")}
        FROM {m.Hearing._meta.db_table} h JOIN {m.Proceedings._meta.db_table} p ON p.id = h.proceedings_id
        LEFT JOIN {m.DelayReason._meta.db_table} r ON r.code = h.reason_id
        WHERE {scope}
        """,  # noqa: S608 - table names from the models, values as parameters
        params,
    )
    extensions = _rows(
        f"""
        SELECT DISTINCT cp.proceedings_id, {ordinal("x.granted_date")}, {ordinal("x.new_end_date")}
        FROM {m.Extension._meta.db_table} x
        JOIN {m.ChildProceedings._meta.db_table} cp ON cp.id = x.child_proceedings_id
        JOIN {m.Proceedings._meta.db_table} p ON p.id = cp.proceedings_id
        WHERE {scope}
        """,  # noqa: S608 - table names from the models, values as parameters
        params,
    )
    # Assessments of the application, or of the pre-proceedings episode that led to it.
    assessments = _rows(
        f"""
        SELECT p.id, {ordinal("a.instructed_date")}, {ordinal("a.due_date")}, {ordinal("a.completed_date")}
        FROM {m.Assessment._meta.db_table} a JOIN {m.Proceedings._meta.db_table} p
          ON p.id = a.proceedings_id OR (a.proceedings_id IS NULL AND a.episode_id = p.episode_id)
        WHERE {scope}
        """,  # noqa: S608 - table names from the models, values as parameters
        params,
    )
    return _facts(apps, children, hearings, extensions, assessments, limits.s31_limit_days)


def _facts(apps, children, hearings, extensions, assessments, limit_days: int) -> CaseFacts:
    """The counting structures from the rows ``load`` read."""
    h = pd.DataFrame(
        hearings, columns=["pid", "type", "status", "listed_on", "listed_date", "vacated_on", "driver", "issue"]
    )
    h["vacated_on"] = h["vacated_on"].astype("float64")
    adjourned = h[h["status"] == c.HearingStatus.ADJOURNED]
    vacated = h[h["status"] == c.HearingStatus.VACATED]
    put_off = pd.concat(
        [
            pd.DataFrame({"pid": adjourned["pid"], "day": adjourned["listed_date"], "driver": adjourned["driver"]}),
            pd.DataFrame({"pid": vacated["pid"], "day": vacated["vacated_on"], "driver": vacated["driver"]}),
        ]
    )
    put_off["day"] = put_off["day"].astype("int64")

    def listed(rows: pd.DataFrame) -> tuple[Events, Events]:
        ended = rows[rows["vacated_on"].notna()]
        return Events.of(rows["pid"], rows["listed_on"]), Events.of(ended["pid"], ended["vacated_on"].astype("int64"))

    irh_listed, irh_vacated = listed(h[h["type"] == "irh"])
    finals = h[(h["type"] == "final") & (h["listed_date"] > h["issue"] + limit_days)]
    final_listed, final_vacated = listed(finals)
    x = pd.DataFrame(extensions, columns=["pid", "granted", "new_end"]).sort_values(["pid", "granted"])
    grants = x.drop_duplicates(["pid", "granted"])
    a = pd.DataFrame(assessments, columns=["pid", "instructed", "due", "completed"]).astype("float64")
    a["completed"] = a["completed"].fillna(_NEVER)
    due = a[a["due"].notna()]
    overdue_ended = due[due["completed"] > due["due"]]
    kids = pd.DataFrame(children, columns=["pid", "born"])
    return CaseFacts(
        apps=apps,
        children=Events.of(kids["pid"], kids["born"]),
        put_off=Events.of(put_off["pid"], put_off["day"]),
        put_off_by_driver={
            code: Events.of(
                put_off.loc[put_off["driver"] == code, "pid"], put_off.loc[put_off["driver"] == code, "day"]
            )
            for code in DRIVERS
        },
        irh_listed=irh_listed,
        irh_vacated=irh_vacated,
        final_beyond_listed=final_listed,
        final_beyond_vacated=final_vacated,
        extensions=Events.of(grants["pid"], grants["granted"]),
        extension_ends=x.reset_index(drop=True),
        instructed=Events.of(a["pid"], a["instructed"]),
        completed=Events.of(a["pid"], a["completed"].clip(upper=_NEVER)),
        overdue_from=Events.of(due["pid"], due["due"] + 1),
        overdue_ended=Events.of(overdue_ended["pid"], overdue_ended["completed"]),
        limit_days=limit_days,
        court_labels=dict(m.Court.objects.values_list("code", "label")),
        la_names=dict(m.LocalAuthority.objects.values_list("pk", "name")),
        driver_labels=dict(m.DelayDriver.objects.values_list("code", "label")),
    )


def facts_at(facts: CaseFacts, pids, days) -> pd.DataFrame:
    """The numeric facts of each application as known on its day (one row per pair, in order).

    Also gives ``la_id``, ``court_id`` and ``timetable_end`` (the latest end as extended by that day).
    """
    pids = np.asarray(pids, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    apps = facts.apps.loc[pids]
    out = pd.DataFrame(index=np.arange(len(pids)))
    out["children"] = np.maximum(facts.children.count(pids, days), 1)
    for name in ("baby", "pre_birth", "previous_proceedings", "short_notice", "no_pre_proceedings"):
        out[name] = apps[name].to_numpy(dtype="float64")
    out["pre_proceedings_weeks"] = apps["pre_proceedings_weeks"].to_numpy(dtype="float64")
    out["adjournments"] = facts.put_off.count(pids, days)
    for code in DRIVERS:
        out[f"adjournments_{code}"] = facts.put_off_by_driver[code].count(pids, days)
    out["extensions"] = facts.extensions.count(pids, days)
    outstanding = facts.instructed.count(pids, days) - facts.completed.count(pids, days)
    out["assessments_outstanding"] = np.maximum(outstanding, 0)
    out["assessments_overdue"] = np.maximum(
        facts.overdue_from.count(pids, days) - facts.overdue_ended.count(pids, days), 0
    )
    irh = facts.irh_listed.count(pids, days) - facts.irh_vacated.count(pids, days)
    out["irh_not_listed"] = (irh <= 0).astype("float64")
    final = facts.final_beyond_listed.count(pids, days) - facts.final_beyond_vacated.count(pids, days)
    out["final_beyond_limit"] = (final > 0).astype("float64")
    out = out.astype("float64")
    out["la_id"] = apps["la_id"].to_numpy()
    out["court_id"] = apps["court_id"].to_numpy()
    out["timetable_end"] = _timetable_end(facts, pids, days, apps["issue"].to_numpy(dtype=np.int64))
    return out


def _timetable_end(facts: CaseFacts, pids: np.ndarray, days: np.ndarray, issues: np.ndarray) -> np.ndarray:
    """Issue + the time limit, moved by each extension granted by the day (the latest end wins)."""
    end = issues + facts.limit_days
    x = facts.extension_ends
    if x.empty:
        return end
    keys = x["pid"].to_numpy(dtype=np.int64) * _KEY + x["granted"].to_numpy(dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    keys, pid_sorted = keys[order], x["pid"].to_numpy(dtype=np.int64)[order]
    new_end = x["new_end"].to_numpy(dtype=np.int64)[order]
    # Running maximum of the new end within each application, in grant order.
    running = pd.Series(new_end).groupby(pid_sorted).cummax().to_numpy()
    last = np.searchsorted(keys, pids * _KEY + days, "right") - 1
    has = (last >= 0) & (pid_sorted[np.clip(last, 0, None)] == pids)
    return np.where(has, np.maximum(end, running[np.clip(last, 0, None)]), end)
