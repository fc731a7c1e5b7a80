"""Compute every metric of ``reporting.catalogue`` per month and scope, set-based, in PostgreSQL.

Each family of metrics is one ``INSERT ... SELECT``: a facts query gives one row per case (or per
case and month for "as at" figures) with its LA, area and team; ``GROUPING SETS`` aggregate it at
region, LA, area and team level in the same pass. Python only builds the statements.

A run replaces the values of every month in its range inside one transaction, holding a
transaction-level advisory lock: readers see the old values until the commit, two runs never
overlap, and a run that fails leaves the previous values untouched.

Which months a nightly run computes: the trailing 12 months (late entries and corrections), every
month with no snapshot, and every month whose snapshot was taken before the month ended (still
provisional). So a night missed because a worker or Redis was down is caught up on the next run.

Every threshold a figure is measured against (the statutory time limit, the longest extension, the
IRH week, the Cafcass long band, the local pre-proceedings threshold) comes from ``cases.thresholds``
and reaches the SQL as a named parameter (``%(s31_limit_days)s``), never as a number in the text.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from cases import models as m
from cases import thresholds
from plo_tracker.lib import tenancy
from plo_tracker.lib.dates import add_months, month_end, month_start
from reporting.models import MetricRun, MetricValue, PeriodSnapshot

logger = logging.getLogger(__name__)

LOCK_KEY = "plo_tracker.reporting.metrics"
TRAILING_MONTHS = 12


class MetricsLockedError(Exception):
    """Another metrics run holds the lock."""


@dataclass(frozen=True)
class Window:
    """The months a run computes and the date it treats as today."""

    first: dt.date
    last: dt.date
    as_of: dt.date

    @property
    def params(self) -> dict:
        return {"first": self.first, "last": self.last, "last_day": month_end(self.last), "as_of": self.as_of}


# ---------------------------------------------------------------------------
# SQL building blocks
# ---------------------------------------------------------------------------

T = {
    "family": m.Family._meta.db_table,
    "team": m.Team._meta.db_table,
    "proceedings": m.Proceedings._meta.db_table,
    "child_parts": m.ChildProceedings._meta.db_table,
    "extension": m.Extension._meta.db_table,
    "hearing": m.Hearing._meta.db_table,
    "episode": m.PreProceedingsEpisode._meta.db_table,
    "episode_children": m.PreProceedingsEpisode.children.through._meta.db_table,
    "child": m.Child._meta.db_table,
    "assessment": m.Assessment._meta.db_table,
    "assessment_type": m.AssessmentType._meta.db_table,
    "delay": m.DelayEvent._meta.db_table,
    "delay_reason": m.DelayReason._meta.db_table,
    "population": m.ChildPopulation._meta.db_table,
    "la": m.LocalAuthority._meta.db_table,
    "threshold": m.Threshold._meta.db_table,
    "value": MetricValue._meta.db_table,
}

# Months of the window, each with the day figures are "as at": the month's last day, or the
# run's today for the month in progress.
MONTHS = """
months AS (
    SELECT gs::date AS period, LEAST((gs + interval '1 month' - interval '1 day')::date, %(as_of)s::date) AS last_day
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS gs
)"""

# A case counts in its LA, its allocated team and that team's area.
SCOPE_COLUMNS = "f.local_authority_id AS la_id, t.area_id AS area_id, f.team_id AS team_id"
SCOPE_JOIN = f"JOIN {T['family']} f ON f.id = {{alias}}.family_id LEFT JOIN {T['team']} t ON t.id = f.team_id"

OUTPUT = f"""
INSERT INTO {T["value"]}
    (run_id, period, metric, scope_type, scope_id, local_authority_id, dimension, value, numerator, denominator)
SELECT %(run)s, a.period, v.metric,
    CASE a.g WHEN 7 THEN 'region' WHEN 3 THEN 'la' WHEN 1 THEN 'area' ELSE 'team' END,
    CASE a.g WHEN 7 THEN NULL WHEN 3 THEN a.la_id WHEN 1 THEN a.area_id ELSE a.team_id END,
    a.la_id, v.dimension, v.value, v.numerator, v.denominator
FROM (
    SELECT period, dim, la_id, area_id, team_id, GROUPING(la_id, area_id, team_id) AS g, {{aggregates}}
    FROM {{source}}
    GROUP BY period, dim, GROUPING SETS ((), (la_id), (la_id, area_id), (la_id, area_id, team_id))
) a
CROSS JOIN LATERAL (VALUES {{values}}) AS v(metric, dimension, value, numerator, denominator)
WHERE v.metric IS NOT NULL AND v.value IS NOT NULL
    AND NOT (a.g = 1 AND a.area_id IS NULL) AND NOT (a.g = 0 AND a.team_id IS NULL)
"""

# Additive figures (counts and sums) are first aggregated once per team, in one hash pass over the
# facts, and only that small result is rolled up to area, LA and region. Medians cannot be rolled
# up, so families with a median aggregate the facts at every level directly.
TWO_STAGE = """
WITH {ctes},
by_team AS (
    SELECT period, dim, la_id, area_id, team_id, {partials}
    FROM facts GROUP BY period, dim, la_id, area_id, team_id
)
"""


def _row(metric: str, value: str, numerator: str = "NULL", denominator: str = "NULL", *, dimension: str = "a.dim"):
    """One output row of the VALUES list (every column cast so the rows share types)."""
    return f"({metric}, {dimension}, ({value})::numeric, ({numerator})::numeric, ({denominator})::numeric)"


def _only_total(metric: str) -> str:
    """The metric code on the all-values row only (breakdown rows give NULL, which is dropped)."""
    return f"CASE WHEN a.dim = '' THEN '{metric}' END"


def _aggregate(cursor, *, ctes: str, aggregates: list[tuple[str, str]], values: list[str], params: dict) -> int:
    """Insert the values of one family: additive aggregates (alias, expression), computed in two stages."""
    head = TWO_STAGE.format(ctes=ctes, partials=", ".join(f"{expr} AS {alias}" for alias, expr in aggregates))
    body = OUTPUT.format(
        aggregates=", ".join(f"sum({alias}) AS {alias}" for alias, _ in aggregates),
        source="by_team",
        values=", ".join(values),
    )
    cursor.execute(head + body, params)
    return cursor.rowcount


def _aggregate_with_medians(cursor, *, ctes: str, aggregates: list[tuple[str, str]], values: list[str], params):
    """Insert the values of one family whose aggregates include a median: one pass per level."""
    body = OUTPUT.format(
        aggregates=", ".join(f"{expr} AS {alias}" for alias, expr in aggregates),
        source="facts",
        values=", ".join(values),
    )
    cursor.execute(f"WITH {ctes} " + body, params)
    return cursor.rowcount


def _pct(part: str, whole: str) -> str:
    return f"100.0 * {part} / NULLIF({whole}, 0)"


# ---------------------------------------------------------------------------
# Metric families
# ---------------------------------------------------------------------------


def _s31_concluded(cursor, params: dict) -> int:
    ctes = f"""
    took_place AS (
        -- Hearings that took place (held, or adjourned on the day) by the application's conclusion, so
        -- by the month's last day; a vacated hearing did not take place (it is counted in _hearings_lost).
        SELECT h.proceedings_id, count(*) AS n
        FROM {T["hearing"]} h JOIN {T["proceedings"]} p ON p.id = h.proceedings_id
        WHERE h.status IN ('held', 'adjourned') AND h.listed_date <= p.concluded_date
            AND p.concluded_date BETWEEN %(first)s AND %(last_day)s
        GROUP BY 1
    ),
    facts AS (
        SELECT date_trunc('month', p.concluded_date)::date AS period, ''::text AS dim, {SCOPE_COLUMNS},
            (p.concluded_date - p.issue_date) AS days, COALESCE(tp.n, 0) AS hearings
        FROM {T["proceedings"]} p {SCOPE_JOIN.format(alias="p")}
        LEFT JOIN took_place tp ON tp.proceedings_id = p.id
        WHERE p.concluded_date BETWEEN %(first)s AND %(last_day)s AND p.concluded_date <= %(as_of)s
    )"""
    aggregates = [
        ("n", "count(*)"),
        ("days", "sum(days)"),
        ("median_days", "percentile_cont(0.5) WITHIN GROUP (ORDER BY days)"),
        # Cafcass bands: within the limit; over it but short of the long band; the long band or more.
        ("within", "count(*) FILTER (WHERE days <= %(s31_limit_days)s)"),
        ("band_27_29", "count(*) FILTER (WHERE days > %(s31_limit_days)s AND days < %(s31_band_long_days)s)"),
        ("band_ge30", "count(*) FILTER (WHERE days >= %(s31_band_long_days)s)"),
        ("hearings", "sum(hearings)"),
    ]
    values = [
        _row("'s31_concluded'", "a.n", "a.n"),
        _row("'s31_duration_mean'", "a.days / 7.0 / a.n", "a.days / 7.0", "a.n"),
        _row("'s31_duration_median'", "a.median_days / 7.0", denominator="a.n"),
        _row("'s31_within_26_share'", _pct("a.within", "a.n"), "a.within", "a.n"),
        _row("'s31_duration_band'", "a.within", "a.within", "a.n", dimension="'le26'"),
        _row("'s31_duration_band'", "a.band_27_29", "a.band_27_29", "a.n", dimension="'27_29'"),
        _row("'s31_duration_band'", "a.band_ge30", "a.band_ge30", "a.n", dimension="'ge30'"),
        _row("'hearings_per_case'", "a.hearings::numeric / a.n", "a.hearings", "a.n"),
    ]
    return _aggregate_with_medians(cursor, ctes=ctes, aggregates=aggregates, values=values, params=params)


def _children_per_application() -> str:
    return f"""children AS (
        SELECT cp.proceedings_id, count(*) AS n FROM {T["child_parts"]} cp GROUP BY 1
    )"""


def _s31_issued(cursor, params: dict) -> int:
    ctes = f"""{_children_per_application()},
    facts AS (
        SELECT date_trunc('month', p.issue_date)::date AS period, ''::text AS dim, {SCOPE_COLUMNS},
            COALESCE(ch.n, 0) AS children
        FROM {T["proceedings"]} p {SCOPE_JOIN.format(alias="p")}
        LEFT JOIN children ch ON ch.proceedings_id = p.id
        WHERE p.issue_date BETWEEN %(first)s AND LEAST(%(last_day)s, %(as_of)s)
    )"""
    values = [_row("'s31_issued'", "a.n", "a.n"), _row("'s31_children_issued'", "a.children", "a.children")]
    return _aggregate(
        cursor, ctes=ctes, aggregates=[("n", "count(*)"), ("children", "sum(children)")], values=values, params=params
    )


def _s31_extensions(cursor, params: dict) -> int:
    ctes = f"""
    facts AS (
        SELECT date_trunc('month', e.granted_date)::date AS period, ''::text AS dim, {SCOPE_COLUMNS}
        FROM {T["extension"]} e
        JOIN {T["child_parts"]} cp ON cp.id = e.child_proceedings_id
        JOIN {T["proceedings"]} p ON p.id = cp.proceedings_id {SCOPE_JOIN.format(alias="p")}
        WHERE e.granted_date BETWEEN %(first)s AND LEAST(%(last_day)s, %(as_of)s)
    )"""
    values = [_row("'s31_extensions'", "a.n", "a.n")]
    return _aggregate(cursor, ctes=ctes, aggregates=[("n", "count(*)")], values=values, params=params)


def _hearings_lost(cursor, params: dict) -> int:
    ctes = f"""
    facts AS (
        SELECT date_trunc('month', h.listed_date)::date AS period, d.dim, {SCOPE_COLUMNS}, h.status
        FROM {T["hearing"]} h
        JOIN {T["proceedings"]} p ON p.id = h.proceedings_id {SCOPE_JOIN.format(alias="p")}
        CROSS JOIN LATERAL (VALUES (COALESCE(h.reason_id, 'not_recorded')), ('')) AS d(dim)
        WHERE h.status IN ('adjourned', 'vacated')
            AND h.listed_date BETWEEN %(first)s AND LEAST(%(last_day)s, %(as_of)s)
    )"""
    aggregates = [
        ("adjourned", "count(*) FILTER (WHERE status = 'adjourned')"),
        ("vacated", "count(*) FILTER (WHERE status = 'vacated')"),
    ]
    values = [
        _row("'hearings_adjourned'", "NULLIF(a.adjourned, 0)", "a.adjourned"),
        _row("'hearings_vacated'", "NULLIF(a.vacated, 0)", "a.vacated"),
    ]
    return _aggregate(cursor, ctes=ctes, aggregates=aggregates, values=values, params=params)


# The months (within the window) in which a record is open at the month's last day, one row each:
# from the month it starts to the month before the one it ends in (it is no longer open at the end
# of that month), or to the window's last month while it is still open. {start} and {end} are
# date columns; the figures are "as at" LAST_DAY.
OPEN_MONTHS = """CROSS JOIN LATERAL generate_series(
            GREATEST(date_trunc('month', {start}), %(first)s::date),
            LEAST(COALESCE(date_trunc('month', {end}) - interval '1 month', %(last)s::date), %(last)s::date),
            interval '1 month') AS gs(month)"""
LAST_DAY = "LEAST((gs.month + interval '1 month' - interval '1 day')::date, %(as_of)s::date)"


def _s31_open(cursor, params: dict) -> int:
    """Open applications at each month's last day, measured only from what was known by that day.

    Extensions count from the day they were granted, hearings from the day their listing was made
    until the day they were vacated (``cases.models.listed_as_at``): a later grant, listing, date
    change or vacation never moves a past month's figure. The timetable checks are the database's
    ``cases_timetable_checks`` (migration 0015), asked as at the last day with the metric's
    timetable end: issue + the time limit + the longest extension for each extension granted by then.
    """
    ctes = f"""
    extensions AS (
        -- Grant dates of every extension of each application (any child), counted per month below.
        SELECT cp.proceedings_id, array_agg(e.granted_date ORDER BY e.granted_date) AS granted
        FROM {T["extension"]} e JOIN {T["child_parts"]} cp ON cp.id = e.child_proceedings_id
        GROUP BY 1
    ),
    open_months AS (
        SELECT gs.month::date AS period, {LAST_DAY} AS last_day, p.id, p.issue_date, p.family_id
        FROM {T["proceedings"]} p
        {OPEN_MONTHS.format(start="p.issue_date", end="p.concluded_date")}
        WHERE p.issue_date <= %(last_day)s AND (p.concluded_date IS NULL OR p.concluded_date > %(first)s)
    ),
    with_extensions AS (
        SELECT o.*, (o.last_day - o.issue_date) AS age_days,
            -- Grant dates are sorted, so the bucket number is how many were granted by the last day.
            COALESCE(width_bucket(o.last_day, x.granted), 0) AS extensions
        FROM open_months o LEFT JOIN extensions x ON x.proceedings_id = o.id
    ),
    as_at AS (
        -- Past the limit: age > limit + longest extension x extensions granted, in days; that is, the last
        -- day is after the timetable's end.
        SELECT o.*, (o.age_days > %(s31_limit_days)s + %(extension_max_days)s * o.extensions) AS past,
            o.issue_date + %(s31_limit_days)s + %(extension_max_days)s * o.extensions AS timetable_end
        FROM with_extensions o
    ),
    facts AS (
        SELECT o.period, ''::text AS dim, {SCOPE_COLUMNS}, o.age_days, o.past,
            COALESCE(tc.has_irh, false) AS has_irh, COALESCE(tc.timetabled_beyond, false) AS timetabled_beyond
        FROM as_at o
        {SCOPE_JOIN.format(alias="o")}
        -- Only a month not past the limit needs the checks. OFFSET 0 keeps the subquery whole, so its
        -- condition on the outer row skips the call rather than filtering its result.
        LEFT JOIN LATERAL (
            SELECT * FROM cases_timetable_checks(o.id, o.issue_date, o.timetable_end, o.last_day)
            WHERE NOT o.past OFFSET 0
        ) tc ON true
    )"""
    # Timetabled beyond: a hearing listed as at the last day for a date after the timetable's end, while
    # that end is still ahead (not past the limit), so at risk even before the IRH week.
    beyond = "NOT past AND timetabled_beyond"
    aggregates = [
        ("n", "count(*)"),
        ("age_days", "sum(age_days)"),
        ("past", "count(*) FILTER (WHERE past)"),
        (
            "at_risk",
            "count(*) FILTER (WHERE NOT past AND ((age_days >= %(irh_by_days)s AND NOT has_irh) "
            "OR age_days >= %(s31_limit_days)s OR timetabled_beyond))",
        ),
        ("beyond", f"count(*) FILTER (WHERE {beyond})"),
    ]
    values = [
        _row("'s31_open'", "a.n", "a.n"),
        _row("'s31_open_age_mean'", "a.age_days / 7.0 / a.n", "a.age_days / 7.0", "a.n"),
        _row("'s31_past_limit'", "a.past", "a.past", "a.n"),
        _row("'s31_at_risk'", "a.at_risk", "a.at_risk", "a.n"),
        _row("'s31_timetabled_beyond'", "a.beyond", "a.beyond", "a.n"),
        _row("'s31_timetabled_beyond_share'", _pct("a.beyond", "a.n"), "a.beyond", "a.n"),
    ]
    return _aggregate(cursor, ctes=ctes, aggregates=aggregates, values=values, params=params)


def _s31_application_rate(cursor, params: dict) -> int:
    """Region and LA only: the child population is known per LA, not per area or team."""
    sql = f"""
    WITH {MONTHS},
    {_children_per_application()},
    population AS (
        SELECT mo.period, la.id AS la_id, COALESCE(
            (SELECT cp.population FROM {T["population"]} cp WHERE cp.local_authority_id = la.id
             AND cp.year <= extract(year FROM mo.last_day) ORDER BY cp.year DESC LIMIT 1),
            (SELECT cp.population FROM {T["population"]} cp WHERE cp.local_authority_id = la.id
             ORDER BY cp.year LIMIT 1)) AS population
        FROM months mo CROSS JOIN {T["la"]} la
    ),
    issued AS (
        -- Applications per LA and month of issue; the 12-month sums below add up 12 of these.
        SELECT date_trunc('month', p.issue_date)::date AS month, p.local_authority_id AS la_id,
            count(*) AS n, sum(COALESCE(ch.n, 0)) AS children
        FROM {T["proceedings"]} p LEFT JOIN children ch ON ch.proceedings_id = p.id
        WHERE p.issue_date <= %(as_of)s
        GROUP BY 1, 2
    ),
    applications AS (
        SELECT mo.period, i.la_id, sum(i.n) AS n, sum(i.children) AS children
        FROM months mo
        JOIN issued i ON i.month > (mo.period - interval '12 months')::date AND i.month <= mo.period
        GROUP BY 1, 2
    )
    INSERT INTO {T["value"]}
        (run_id, period, metric, scope_type, scope_id, local_authority_id, dimension, value, numerator, denominator)
    SELECT %(run)s, a.period, v.metric, CASE WHEN a.g = 1 THEN 'region' ELSE 'la' END, a.la_id, a.la_id, '',
        v.value, v.numerator, v.denominator
    FROM (
        SELECT pop.period, pop.la_id, GROUPING(pop.la_id) AS g, COALESCE(sum(ap.n), 0) AS n,
            COALESCE(sum(ap.children), 0) AS children, sum(pop.population) AS population
        FROM population pop LEFT JOIN applications ap ON ap.period = pop.period AND ap.la_id = pop.la_id
        GROUP BY pop.period, GROUPING SETS ((), (pop.la_id))
    ) a
    CROSS JOIN LATERAL (VALUES
        ('s31_application_rate', (10000.0 * a.n / NULLIF(a.population, 0))::numeric, a.n::numeric,
         a.population::numeric),
        ('s31_children_12m', a.children::numeric, a.children::numeric, NULL::numeric)
    ) AS v(metric, value, numerator, denominator)
    WHERE v.value IS NOT NULL
    """
    cursor.execute(sql, params)
    return cursor.rowcount


def _pp_started(cursor, params: dict) -> int:
    ctes = f"""
    facts AS (
        SELECT date_trunc('month', ep.start_date)::date AS period, ''::text AS dim, {SCOPE_COLUMNS}
        FROM {T["episode"]} ep {SCOPE_JOIN.format(alias="ep")}
        WHERE ep.start_date BETWEEN %(first)s AND LEAST(%(last_day)s, %(as_of)s)
    )"""
    values = [_row("'pp_started'", "a.n", "a.n")]
    return _aggregate(cursor, ctes=ctes, aggregates=[("n", "count(*)")], values=values, params=params)


def _pp_decided(cursor, params: dict) -> int:
    ctes = f"""
    facts AS (
        SELECT date_trunc('month', ep.step_decision_date)::date AS period, d.dim, {SCOPE_COLUMNS},
            ep.outcome, (ep.step_decision_date - ep.start_date) AS days
        FROM {T["episode"]} ep {SCOPE_JOIN.format(alias="ep")}
        CROSS JOIN LATERAL (VALUES (ep.outcome), ('')) AS d(dim)
        WHERE ep.start_date IS NOT NULL
            AND ep.step_decision_date BETWEEN %(first)s AND LEAST(%(last_day)s, %(as_of)s)
    )"""
    aggregates = [
        ("n", "count(*)"),
        ("days", "sum(days)"),
        ("median_days", "percentile_cont(0.5) WITHIN GROUP (ORDER BY days)"),
        ("over", "count(*) FILTER (WHERE days > %(pp_threshold_days)s)"),
        ("stepped_down", "count(*) FILTER (WHERE outcome = 'step_down')"),
        ("step_or_issue", "count(*) FILTER (WHERE outcome IN ('step_down', 'issue'))"),
    ]
    values = [
        _row("'pp_decided'", "a.n", "a.n"),
        _row(_only_total("pp_duration_mean"), "a.days / 7.0 / a.n", "a.days / 7.0", "a.n"),
        _row(_only_total("pp_duration_median"), "a.median_days / 7.0", denominator="a.n"),
        _row(_only_total("pp_over_threshold_share"), _pct("a.over", "a.n"), "a.over", "a.n"),
        _row(
            _only_total("pp_step_down_rate"),
            _pct("a.stepped_down", "a.step_or_issue"),
            "a.stepped_down",
            "a.step_or_issue",
        ),
    ]
    return _aggregate_with_medians(cursor, ctes=ctes, aggregates=aggregates, values=values, params=params)


def _pp_open(cursor, params: dict) -> int:
    ctes = f"""
    youngest AS (
        -- The youngest child of each episode; an unborn child (no date of birth) is youngest of all.
        SELECT ec.preproceedingsepisode_id AS episode_id, max(COALESCE(c.date_of_birth, 'infinity'::date)) AS dob
        FROM {T["episode_children"]} ec JOIN {T["child"]} c ON c.id = ec.child_id
        GROUP BY 1
    ),
    open_months AS (
        SELECT gs.month::date AS period, {LAST_DAY} AS last_day, ep.id, ep.start_date, ep.family_id,
            (ep.previous_pre_proceedings OR ep.previous_care_proceedings) AS repeat
        FROM {T["episode"]} ep
        {OPEN_MONTHS.format(start="ep.start_date", end="ep.step_decision_date")}
        WHERE ep.start_date <= %(last_day)s AND (ep.step_decision_date IS NULL OR ep.step_decision_date > %(first)s)
    ),
    facts AS (
        SELECT o.period, ''::text AS dim, {SCOPE_COLUMNS},
            (o.last_day - o.start_date) AS age_days, o.repeat,
            (y.dob > (o.last_day - interval '1 year')::date) AS baby
        FROM open_months o
        {SCOPE_JOIN.format(alias="o")}
        LEFT JOIN youngest y ON y.episode_id = o.id
    )"""
    aggregates = [
        ("n", "count(*)"),
        ("age_days", "sum(age_days)"),
        ("over", "count(*) FILTER (WHERE age_days > %(pp_threshold_days)s)"),
        ("repeat", "count(*) FILTER (WHERE repeat)"),
        ("babies", "count(*) FILTER (WHERE baby)"),
    ]
    values = [
        _row("'pp_open'", "a.n", "a.n"),
        _row("'pp_open_duration_mean'", "a.age_days / 7.0 / a.n", "a.age_days / 7.0", "a.n"),
        _row("'pp_open_over_threshold'", "a.over", "a.over", "a.n"),
        _row("'pp_repeat_open'", "a.repeat", "a.repeat", "a.n"),
        _row("'pp_babies_open'", "a.babies", "a.babies", "a.n"),
    ]
    return _aggregate(cursor, ctes=ctes, aggregates=aggregates, values=values, params=params)


def _assessments(cursor, params: dict) -> int:
    ctes = f"""
    facts AS (
        SELECT date_trunc('month', s.completed_date)::date AS period, d.dim, {SCOPE_COLUMNS},
            CASE
                WHEN at.target_weeks IS NOT NULL THEN s.completed_date <= s.instructed_date + 7 * at.target_weeks
                WHEN s.due_date IS NOT NULL THEN s.completed_date <= s.due_date
            END AS on_time
        FROM {T["assessment"]} s
        JOIN {T["assessment_type"]} at ON at.code = s.assessment_type_id
        {SCOPE_JOIN.format(alias="s")}
        CROSS JOIN LATERAL (VALUES (s.assessment_type_id), ('')) AS d(dim)
        WHERE s.completed_date BETWEEN %(first)s AND LEAST(%(last_day)s, %(as_of)s)
    )"""
    aggregates = [
        ("n", "count(*)"),
        ("on_time", "count(*) FILTER (WHERE on_time)"),
        ("known", "count(on_time)"),
    ]
    values = [
        _row("'assessments_completed'", "a.n", "a.n"),
        _row("'assessments_on_time_share'", _pct("a.on_time", "a.known"), "a.on_time", "a.known"),
    ]
    return _aggregate(cursor, ctes=ctes, aggregates=aggregates, values=values, params=params)


def _delay(cursor, params: dict, *, by: str) -> int:
    key = "r.driver_id" if by == "driver" else "r.code"
    ctes = f"""
    facts AS (
        SELECT date_trunc('month', de.event_date)::date AS period, d.dim, {SCOPE_COLUMNS}, de.days_lost
        FROM {T["delay"]} de
        JOIN {T["delay_reason"]} r ON r.code = de.reason_id
        {SCOPE_JOIN.format(alias="de")}
        CROSS JOIN LATERAL (VALUES ({key}), ('')) AS d(dim)
        WHERE de.event_date BETWEEN %(first)s AND LEAST(%(last_day)s, %(as_of)s)
    )"""
    aggregates = [("n", "count(*)"), ("days", "sum(days_lost)")]
    if by == "driver":
        values = [
            _row("'delay_days_by_driver'", "a.days", "a.days"),
            _row("'delay_events_by_driver'", "a.n", "a.n"),
        ]
    else:
        values = [_row("CASE WHEN a.dim <> '' THEN 'delay_days_by_reason' END", "a.days", "a.days")]
    return _aggregate(cursor, ctes=ctes, aggregates=aggregates, values=values, params=params)


def _delay_by_driver(cursor, params: dict) -> int:
    return _delay(cursor, params, by="driver")


def _delay_by_reason(cursor, params: dict) -> int:
    return _delay(cursor, params, by="reason")


# Each writes one family of metrics for the window. Order does not matter.
FAMILIES: list[Callable[[object, dict], int]] = [
    _s31_issued,
    _s31_concluded,
    _s31_open,
    _s31_extensions,
    _hearings_lost,
    _s31_application_rate,
    _pp_started,
    _pp_decided,
    _pp_open,
    _assessments,
    _delay_by_driver,
    _delay_by_reason,
]


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------


def data_start() -> dt.date | None:
    """The first month with any case activity (None when there is no case data)."""
    dates = [
        m.Proceedings.objects.aggregate(d=Min("issue_date"))["d"],
        m.PreProceedingsEpisode.objects.aggregate(d=Min("start_date"))["d"],
    ]
    dates = [d for d in dates if d]
    return month_start(min(dates)) if dates else None


def nightly_window(*, as_of: dt.date) -> Window:
    """Trailing months, plus every month with no snapshot or a provisional one (the catch-up)."""
    last = month_start(as_of)
    first = add_months(last, -(TRAILING_MONTHS - 1))
    start = data_start()
    if start is not None and start < first:
        # Final: computed after the month ended. Anything else before the trailing months is redone.
        computed = dict(
            PeriodSnapshot.objects.filter(period__gte=start, period__lt=first).values_list("period", "computed_at")
        )
        month = start
        while month < first:
            at = computed.get(month)
            if at is None or timezone.localdate(at) <= month_end(month):
                first = month
                break
            month = add_months(month, 1)
    return Window(first=first, last=last, as_of=as_of)


def full_window(*, as_of: dt.date) -> Window:
    """Every month from the first case activity to the month of ``as_of``."""
    last = month_start(as_of)
    return Window(first=min(data_start() or last, last), last=last, as_of=as_of)


def metrics_compute(
    *,
    window: Window | None = None,
    trigger: str = MetricRun.Trigger.COMMAND,
    as_of: dt.date | None = None,
) -> MetricRun:
    """Compute every metric for every month of the window (default: the nightly window) atomically."""
    tenancy.require_every_local_authority("The metrics run")
    as_of = as_of or timezone.localdate()
    window = window or nightly_window(as_of=as_of)
    if window.first > window.last:
        raise ValueError("The first month must not be after the last month.")
    run = MetricRun.objects.create(
        trigger=trigger, first_period=window.first, last_period=window.last, as_of=window.as_of
    )
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [LOCK_KEY])
                if not cursor.fetchone()[0]:
                    raise MetricsLockedError
                # Room for the hash aggregates of a national-sized run to stay in memory.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                # Compiling these one-off statements costs more than it saves (about 2 s each).
                cursor.execute("SET LOCAL jit = off")
                # A worker killed mid-run: the server ends its transaction (and the lock) within
                # seconds, instead of finishing the statement for nobody while the retry is skipped.
                cursor.execute("SET LOCAL client_connection_check_interval = '5s'")
                # A run that was killed left its log row 'running' and wrote nothing that stayed.
                MetricRun.objects.filter(status=MetricRun.Status.RUNNING).exclude(pk=run.pk).update(
                    status=MetricRun.Status.FAILED, error="Interrupted before it finished.", finished_at=timezone.now()
                )
                cursor.execute(f"DELETE FROM {T['value']} WHERE period BETWEEN %s AND %s", [window.first, window.last])
                params = {**window.params, **thresholds.current().as_sql_params(), "run": run.pk}
                rows = sum(family(cursor, params) for family in FAMILIES)
            now = timezone.now()
            month = window.first
            while month <= window.last:
                PeriodSnapshot.objects.update_or_create(period=month, defaults={"run": run, "computed_at": now})
                month = add_months(month, 1)
    except MetricsLockedError:
        _finish(run, started, status=MetricRun.Status.SKIPPED, error="Another metrics run held the lock.")
        logger.info("Metrics run %s skipped: another run holds the lock", run.pk)
        return run
    except Exception as error:
        _finish(run, started, status=MetricRun.Status.FAILED, error=f"{type(error).__name__}: {error}")
        logger.exception("Metrics run %s failed", run.pk)
        raise
    _finish(run, started, status=MetricRun.Status.SUCCEEDED, rows=rows)
    logger.info("Metrics run %s wrote %s values for %s to %s", run.pk, rows, window.first, window.last)
    return run


def _finish(run: MetricRun, started: float, *, status: str, rows: int = 0, error: str = "") -> None:
    run.status = status
    run.rows_written = rows
    run.error = error[:2000]
    run.finished_at = timezone.now()
    run.duration_seconds = round(time.perf_counter() - started, 3)
    run.save(update_fields=["status", "rows_written", "error", "finished_at", "duration_seconds"])
