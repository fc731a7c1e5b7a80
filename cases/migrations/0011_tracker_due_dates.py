"""Store every next-due date in the tracker facts, read the thresholds with no defaults, and never overflow.

The case list, the tracker, the meeting pages and the case page all show what is due next from
one engine (``cases.next_due``), which only reads dates stored here: the view works each one out
from the case and the thresholds, so no page does threshold arithmetic of its own.

- Thresholds come from ``cases_threshold`` as they are, with no figures in SQL: a threshold
  missing from the table gives NULL dates (nothing due, no flag), and the pages, which read the
  same table through ``cases.thresholds.current()``, stop with an error naming it.
- Every date the view works out, and every date it copies, goes through
  ``cases_tracker_day(date, days)``, which stops at 0001-01-01 and 9999-12-31 (the dates Python can
  hold), so a due date of 31/12/9999 stored in a case cannot break the tracker, its exports or a
  new meeting's agenda.
- Pre-proceedings dates are set only while the case is in pre-proceedings (no open proceedings),
  proceedings dates only while it is in court. Flag columns keep their meaning exactly.

New columns go at the end of the view and of the table, in the same order, because the refresh
function copies rows with ``SELECT *``. Reversing restores the view of migration 0009.
"""

import importlib

from django.db import migrations, models

DAY_FUNCTION = """
CREATE FUNCTION cases_tracker_day(d date, days integer) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    -- d + days, kept within the dates Python can read. NULL in, NULL out.
    SELECT CASE
        WHEN days > DATE '9999-12-31' - d THEN DATE '9999-12-31'
        WHEN days < DATE '0001-01-01' - d THEN DATE '0001-01-01'
        ELSE d + days
    END
$$;
"""

BASE_SQL = """
SELECT f.id AS family_id, f.local_authority_id,
    ep.episode_id, ep.episode_start, COALESCE(ep.fgdm_held, false) AS fgdm_held,
    pr.proceedings_id, pr.issue_date,
    mt.last_meeting, ext.extended_to, COALESCE(irh.has_irh, false) AS has_irh,
    asm.next_assessment_due, act.next_action_due, COALESCE(rep.repeat_episode, false) AS repeat_episode,
    ch.youngest_dob, COALESCE(ch.has_unborn, false) AS has_unborn,
    f.team_id, f.social_worker_id,
    -- Inputs of the next-due dates (not stored themselves).
    ep.lbp_sent_date, COALESCE(mt.has_initial_meeting, false) AS has_initial_meeting,
    COALESCE(cmh.has_cmh, false) AS has_cmh, ch.first_expected_due
FROM (
    -- Open cases only, found through the partial indexes on open episodes and open proceedings.
    SELECT family_id FROM cases_preproceedingsepisode WHERE start_date IS NOT NULL AND step_decision_date IS NULL
    UNION
    SELECT family_id FROM cases_proceedings WHERE concluded_date IS NULL
) open_family
JOIN cases_family f ON f.id = open_family.family_id
LEFT JOIN LATERAL (
    SELECT e.id AS episode_id, e.start_date AS episode_start, (e.fgdm_held_date IS NOT NULL) AS fgdm_held,
        e.lbp_sent_date
    FROM cases_preproceedingsepisode e
    WHERE e.family_id = f.id AND e.start_date IS NOT NULL AND e.step_decision_date IS NULL
    ORDER BY e.start_date DESC, e.id DESC LIMIT 1
) ep ON true
LEFT JOIN LATERAL (
    SELECT p.id AS proceedings_id, p.issue_date
    FROM cases_proceedings p
    WHERE p.family_id = f.id AND p.concluded_date IS NULL
    ORDER BY p.issue_date DESC, p.id DESC LIMIT 1
) pr ON true
LEFT JOIN LATERAL (
    SELECT max(m.meeting_date) AS last_meeting, bool_or(m.kind = 'initial') AS has_initial_meeting
    FROM cases_preproceedingsmeeting m WHERE m.episode_id = ep.episode_id
) mt ON true
LEFT JOIN LATERAL (
    SELECT max(x.new_end_date) AS extended_to
    FROM cases_extension x JOIN cases_childproceedings cp ON cp.id = x.child_proceedings_id
    WHERE cp.proceedings_id = pr.proceedings_id
) ext ON true
LEFT JOIN LATERAL (
    SELECT true AS has_irh FROM cases_hearing h
    WHERE h.proceedings_id = pr.proceedings_id AND h.hearing_type_id = 'irh'
        AND NOT (h.status = 'vacated' AND h.relisted_date IS NULL)
    LIMIT 1
) irh ON true
LEFT JOIN LATERAL (
    -- A CMH listed, held, adjourned or re-listed; one vacated without a new date does not count.
    SELECT true AS has_cmh FROM cases_hearing h
    WHERE h.proceedings_id = pr.proceedings_id AND h.hearing_type_id = 'cmh'
        AND NOT (h.status = 'vacated' AND h.relisted_date IS NULL)
    LIMIT 1
) cmh ON true
LEFT JOIN LATERAL (
    SELECT min(a.due_date) AS next_assessment_due FROM cases_assessment a
    WHERE a.family_id = f.id AND a.completed_date IS NULL AND a.due_date IS NOT NULL
) asm ON true
LEFT JOIN LATERAL (
    SELECT min(ma.due_date) AS next_action_due FROM cases_meetingaction ma
    WHERE ma.family_id = f.id AND ma.completed_date IS NULL
) act ON true
LEFT JOIN LATERAL (
    SELECT true AS repeat_episode FROM cases_preproceedingsepisode r
    WHERE r.family_id = f.id AND (r.previous_pre_proceedings OR r.previous_care_proceedings)
    LIMIT 1
) rep ON true
LEFT JOIN LATERAL (
    SELECT max(c.date_of_birth) AS youngest_dob, bool_or(c.date_of_birth IS NULL) AS has_unborn,
        min(c.expected_due_date) FILTER (WHERE c.date_of_birth IS NULL) AS first_expected_due
    FROM cases_child c WHERE c.family_id = f.id
) ch ON true
"""

# Every threshold as a whole number of days; NULL when the table does not hold it.
THRESHOLDS_SQL = """
SELECT
    trunc(max(value) FILTER (WHERE code = 'pp_threshold_weeks'))::int * 7 AS pp_days,
    trunc(max(value) FILTER (WHERE code = 'pp_review_interval_weeks'))::int * 7 AS review_days,
    trunc(max(value) FILTER (WHERE code = 'pp_initial_meeting_days'))::int AS initial_meeting_days,
    trunc(max(value) FILTER (WHERE code = 'fgdm_by_weeks'))::int * 7 AS fnm_days,
    trunc(max(value) FILTER (WHERE code = 'irh_by_week'))::int * 7 AS irh_days,
    trunc(max(value) FILTER (WHERE code = 's31_limit_weeks'))::int * 7 AS limit_days,
    -- Day 1 is the issue date, so day n is issue + n - 1.
    trunc(max(value) FILTER (WHERE code = 'cmh_earliest_day'))::int - 1 AS cmh_first_days,
    trunc(max(value) FILTER (WHERE code = 'cmh_latest_day'))::int - 1 AS cmh_last_days,
    -- The plan is shared by week n of a full-term pregnancy: (full term - n) weeks before the due date.
    (trunc(max(value) FILTER (WHERE code = 'full_term_weeks'))::int
        - trunc(max(value) FILTER (WHERE code = 'pre_birth_plan_week'))::int) * 7 AS pre_birth_days
FROM cases_threshold
"""

# Columns in table order: migration 0009's, then this migration's (appended). Each flag is raised
# from its "_from" date (inclusive) and, where there is one, until its "_until" date (exclusive).
VIEW_SQL = (
    """
CREATE OR REPLACE VIEW cases_trackerrow AS
SELECT b.family_id, b.local_authority_id,
    b.episode_id, cases_tracker_day(b.episode_start, 0) AS episode_start, b.fgdm_held,
    b.proceedings_id, cases_tracker_day(b.issue_date, 0) AS issue_date,
    cases_tracker_day(b.last_meeting, 0) AS last_meeting, cases_tracker_day(b.extended_to, 0) AS extended_to,
    b.has_irh,
    cases_tracker_day(b.next_assessment_due, 0) AS next_assessment_due,
    cases_tracker_day(b.next_action_due, 0) AS next_action_due,
    b.repeat_episode, cases_tracker_day(b.youngest_dob, 0) AS youngest_dob, b.has_unborn,
    b.team_id, b.social_worker_id,
    cases_tracker_day(CASE WHEN t.in_court THEN b.issue_date ELSE b.episode_start END, 0) AS started_on,
    t.timetable_end,
    -- Proceedings past the time limit and extensions: the day after the timetable end.
    cases_tracker_day(t.timetable_end, 1) AS s31_past_limit_from,
    -- Pre-proceedings longer than the threshold: the day after start + threshold.
    CASE WHEN t.in_pp THEN cases_tracker_day(b.episode_start, th.pp_days + 1) END AS pp_over_threshold_from,
    -- An agreed meeting action past its due date.
    cases_tracker_day(b.next_action_due, 1) AS overdue_action_from,
    -- Nobody allocated.
    CASE WHEN b.social_worker_id IS NULL THEN DATE '0001-01-01' END AS no_social_worker_from,
    -- In court, at risk from the IRH week with no IRH (or the time limit) until the timetable end passes.
    CASE WHEN t.in_court THEN LEAST(
        CASE WHEN NOT b.has_irh THEN cases_tracker_day(b.issue_date, th.irh_days) END,
        cases_tracker_day(b.issue_date, th.limit_days)
    ) END AS s31_at_risk_from,
    cases_tracker_day(t.timetable_end, 1) AS s31_at_risk_until,
    -- In court, no IRH listed by the IRH week.
    CASE WHEN t.in_court AND NOT b.has_irh THEN cases_tracker_day(b.issue_date, th.irh_days) END
        AS no_irh_by_20_from,
    -- Pre-proceedings with no meeting within the review interval of the last one (or the start).
    CASE WHEN t.in_pp THEN cases_tracker_day(COALESCE(b.last_meeting, b.episode_start), th.review_days + 1) END
        AS no_review_from,
    -- An assessment past its due date.
    cases_tracker_day(b.next_assessment_due, 1) AS overdue_assessment_from,
    -- Pre-proceedings past the family network meeting week with none held.
    CASE WHEN t.in_pp AND NOT b.fgdm_held THEN cases_tracker_day(b.episode_start, th.fnm_days + 1) END
        AS no_family_network_meeting_from,
    -- A previous episode or previous proceedings.
    CASE WHEN b.repeat_episode THEN DATE '0001-01-01' END AS repeat_episode_from,
    -- A child under one (until the youngest's first birthday) or unborn (until born).
    CASE WHEN b.has_unborn OR b.youngest_dob IS NOT NULL THEN DATE '0001-01-01' END AS baby_or_unborn_from,
    CASE WHEN b.has_unborn THEN DATE '9999-12-31' ELSE cases_tracker_day(b.youngest_dob, 365) END
        AS baby_or_unborn_until,
    -- Added by 0011: the date each next-due item is due, NULL when it is not due.
    -- Letter before proceedings: at the start, until sent.
    CASE WHEN t.in_pp AND b.lbp_sent_date IS NULL THEN cases_tracker_day(b.episode_start, 0) END AS lbp_due,
    -- Initial meeting: after the letter (or the start, before one is sent), until held.
    CASE WHEN t.in_pp AND NOT b.has_initial_meeting
        THEN cases_tracker_day(COALESCE(b.lbp_sent_date, b.episode_start), th.initial_meeting_days)
    END AS initial_meeting_due,
    -- Review meeting: the review interval after the last meeting, once the initial one is held.
    CASE WHEN t.in_pp AND b.has_initial_meeting THEN cases_tracker_day(b.last_meeting, th.review_days) END
        AS review_due,
    -- Family group meeting: by the family network meeting week, until held.
    CASE WHEN t.in_pp AND NOT b.fgdm_held THEN cases_tracker_day(b.episode_start, th.fnm_days) END AS fgdm_due,
    -- Step-down or issue decision: at the local threshold.
    CASE WHEN t.in_pp THEN cases_tracker_day(b.episode_start, th.pp_days) END AS decision_due,
    -- Pre-birth plan: by the agreed week of the earliest unborn child's pregnancy.
    CASE WHEN t.in_pp THEN cases_tracker_day(b.first_expected_due, -th.pre_birth_days) END AS pre_birth_plan_due,
    -- Case management hearing window, until one is listed or held.
    CASE WHEN t.in_court AND NOT b.has_cmh THEN cases_tracker_day(b.issue_date, th.cmh_first_days) END
        AS cmh_window_start,
    CASE WHEN t.in_court AND NOT b.has_cmh THEN cases_tracker_day(b.issue_date, th.cmh_last_days) END AS cmh_due,
    -- Issues resolution hearing listed by the IRH week.
    CASE WHEN t.in_court AND NOT b.has_irh THEN cases_tracker_day(b.issue_date, th.irh_days) END AS irh_due
FROM ("""
    + BASE_SQL
    + """) b
CROSS JOIN ("""
    + THRESHOLDS_SQL
    + """) th
CROSS JOIN LATERAL (
    SELECT b.proceedings_id IS NOT NULL AS in_court,
        b.proceedings_id IS NULL AND b.episode_id IS NOT NULL AS in_pp,
        -- The time limit, moved to the latest extension's new end date (GREATEST skips NULLs).
        CASE WHEN b.proceedings_id IS NOT NULL
            THEN GREATEST(cases_tracker_day(b.issue_date, th.limit_days), cases_tracker_day(b.extended_to, 0))
        END AS timetable_end
) t
"""
)

NEW_COLUMNS = [
    "lbp_due",
    "initial_meeting_due",
    "review_due",
    "fgdm_due",
    "decision_due",
    "pre_birth_plan_due",
    "cmh_window_start",
    "cmh_due",
    "irh_due",
]

REFRESH = """
DELETE FROM cases_trackerfacts;
INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow;
"""

FORWARD = (
    DAY_FUNCTION
    + VIEW_SQL
    + ";\nALTER TABLE cases_trackerfacts "
    + ", ".join(f"ADD COLUMN {name} date" for name in NEW_COLUMNS)
    + ";\n"
    + REFRESH
)


def backward_sql() -> str:
    previous = importlib.import_module("cases.migrations.0009_tracker_flag_dates")
    return (
        "ALTER TABLE cases_trackerfacts "
        + ", ".join(f"DROP COLUMN {name}" for name in NEW_COLUMNS)
        + ";\nDROP VIEW cases_trackerrow;\n"
        + previous.VIEW_SQL
        + ";\nDROP FUNCTION cases_tracker_day(date, integer);\n"
        + REFRESH
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_thresholds_band_and_term")]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=backward_sql()),
        *(
            migrations.AddField(model_name="trackerrow", name=name, field=models.DateField(null=True))
            for name in NEW_COLUMNS
        ),
        # The limit is a threshold, so the field's description (and its history's) no longer states it.
        *(
            migrations.AlterField(
                model_name=model,
                name="issue_date",
                field=models.DateField(
                    help_text="Date the application was issued: day 1 of the statutory time limit.",
                    verbose_name="issue date",
                ),
            )
            for model in ("proceedings", "proceedingsevent")
        ),
    ]
