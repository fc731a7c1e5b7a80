"""The timetable checks in the live tracker: five new flags, the PLO targets, and listings as they stand.

REFERENCE.md 4, "Timetable checks": the CMH is listed outside days 12-18 of issue; no IRH is
listed by week 20, or the IRH is listed for a date after week 20; the final hearing is listed for
a date after the timetable's end, or none is listed by week 20; a case whose listed dates already
run past its end is "timetabled beyond 26 weeks" and at risk even before week 20.

The rule is ``cases_timetable_checks`` (migration 0015), called once per open case for its open
proceedings, as at 9999-12-31: the listings as they stand (every listing made, none vacated).
The view stops working out "an IRH or a CMH is listed" on its own and takes both from it, so
``has_irh``, ``no_irh_by_20_from``, ``irh_due`` and the CMH window dates count current listings
only, exactly as the checks do. Every other existing column keeps its definition and meaning.

New columns, appended in this order to the view and to ``cases_trackerfacts``:

- ``cmh_window_first``, ``cmh_window_last``, ``irh_by``: the PLO targets while in court (day
  ``cmh_earliest_day`` and day ``cmh_latest_day`` of issue, issue + ``irh_by_week`` weeks), so the
  case page shows them with no threshold arithmetic of its own. The final hearing's target is the
  stored ``timetable_end``.
- ``cmh_outside_window_from``, ``irh_after_week_from``, ``final_after_end_from``,
  ``timetabled_beyond_from``: the listing is the problem, so each is raised from the issue date
  while the listing stands.
- ``no_final_by_20_from``: no final hearing listed, raised from the IRH week (as ``no_irh_by_20``).

``s31_at_risk_from`` is now the issue date when the case is timetabled beyond its end (until the
end passes, as before). This view is now the latest full one: a later migration that changes it
starts from ``VIEW_SQL`` here. Reversing restores the view of migration 0014 and drops the columns.
"""

import importlib

from django.db import migrations, models

THRESHOLDS_SQL = importlib.import_module("cases.migrations.0011_tracker_due_dates").THRESHOLDS_SQL

# Migration 0011's, without its own tests of a listed IRH and CMH (the checks below give them).
BASE_SQL = """
SELECT f.id AS family_id, f.local_authority_id,
    ep.episode_id, ep.episode_start, COALESCE(ep.fgdm_held, false) AS fgdm_held,
    pr.proceedings_id, pr.issue_date,
    mt.last_meeting, ext.extended_to,
    asm.next_assessment_due, act.next_action_due, COALESCE(rep.repeat_episode, false) AS repeat_episode,
    ch.youngest_dob, COALESCE(ch.has_unborn, false) AS has_unborn,
    f.team_id, f.social_worker_id,
    -- Inputs of the next-due dates (not stored themselves).
    ep.lbp_sent_date, COALESCE(mt.has_initial_meeting, false) AS has_initial_meeting, ch.first_expected_due
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

# Columns in table order: migration 0011's, then this migration's (appended). Each flag is raised
# from its "_from" date (inclusive) and, where there is one, until its "_until" date (exclusive).
VIEW_SQL = (
    """
CREATE OR REPLACE VIEW cases_trackerrow AS
SELECT b.family_id, b.local_authority_id,
    b.episode_id, cases_tracker_day(b.episode_start, 0) AS episode_start, b.fgdm_held,
    b.proceedings_id, cases_tracker_day(b.issue_date, 0) AS issue_date,
    cases_tracker_day(b.last_meeting, 0) AS last_meeting, cases_tracker_day(b.extended_to, 0) AS extended_to,
    -- An IRH listed (listings as they stand: one vacated does not count).
    tc.has_irh,
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
    -- In court, at risk until the timetable end passes: from the issue date when a hearing is
    -- already listed after the end, else from the IRH week with no IRH listed, else the time limit.
    CASE WHEN t.in_court THEN LEAST(
        CASE WHEN tc.timetabled_beyond THEN cases_tracker_day(b.issue_date, 0) END,
        CASE WHEN NOT tc.has_irh THEN cases_tracker_day(b.issue_date, th.irh_days) END,
        cases_tracker_day(b.issue_date, th.limit_days)
    ) END AS s31_at_risk_from,
    cases_tracker_day(t.timetable_end, 1) AS s31_at_risk_until,
    -- In court, no IRH listed by the IRH week.
    CASE WHEN t.in_court AND NOT tc.has_irh THEN cases_tracker_day(b.issue_date, th.irh_days) END
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
    CASE WHEN t.in_court AND NOT tc.has_cmh THEN cases_tracker_day(b.issue_date, th.cmh_first_days) END
        AS cmh_window_start,
    CASE WHEN t.in_court AND NOT tc.has_cmh THEN cases_tracker_day(b.issue_date, th.cmh_last_days) END AS cmh_due,
    -- Issues resolution hearing listed by the IRH week.
    CASE WHEN t.in_court AND NOT tc.has_irh THEN cases_tracker_day(b.issue_date, th.irh_days) END AS irh_due,
    -- Added by 0016: the PLO targets while in court, whatever is listed.
    CASE WHEN t.in_court THEN cases_tracker_day(b.issue_date, th.cmh_first_days) END AS cmh_window_first,
    CASE WHEN t.in_court THEN cases_tracker_day(b.issue_date, th.cmh_last_days) END AS cmh_window_last,
    CASE WHEN t.in_court THEN cases_tracker_day(b.issue_date, th.irh_days) END AS irh_by,
    -- The timetable checks, while the listing that fails one stands.
    CASE WHEN t.in_court AND tc.cmh_outside_window THEN cases_tracker_day(b.issue_date, 0) END
        AS cmh_outside_window_from,
    CASE WHEN t.in_court AND tc.irh_after_week THEN cases_tracker_day(b.issue_date, 0) END AS irh_after_week_from,
    CASE WHEN t.in_court AND NOT tc.has_final THEN cases_tracker_day(b.issue_date, th.irh_days) END
        AS no_final_by_20_from,
    CASE WHEN t.in_court AND tc.final_after_end THEN cases_tracker_day(b.issue_date, 0) END AS final_after_end_from,
    CASE WHEN t.in_court AND tc.timetabled_beyond THEN cases_tracker_day(b.issue_date, 0) END
        AS timetabled_beyond_from
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
-- The open proceedings' listings as they stand; all false in pre-proceedings (no proceedings).
CROSS JOIN LATERAL cases_timetable_checks(b.proceedings_id, b.issue_date, t.timetable_end, DATE '9999-12-31') tc
"""
)

NEW_COLUMNS = [
    "cmh_window_first",
    "cmh_window_last",
    "irh_by",
    "cmh_outside_window_from",
    "irh_after_week_from",
    "no_final_by_20_from",
    "final_after_end_from",
    "timetabled_beyond_from",
]

REFRESH = """
DELETE FROM cases_trackerfacts;
INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow;
"""

FORWARD = (
    VIEW_SQL
    + ";\nALTER TABLE cases_trackerfacts "
    + ", ".join(f"ADD COLUMN {name} date" for name in NEW_COLUMNS)
    + ";\n"
    + REFRESH
)


def backward_sql() -> str:
    previous = importlib.import_module("cases.migrations.0014_hearing_listings")
    return (
        "DROP VIEW cases_trackerrow;\nALTER TABLE cases_trackerfacts "
        + ", ".join(f"DROP COLUMN {name}" for name in NEW_COLUMNS)
        + ";\n"
        + previous._view(previous.WITH_RELISTED, previous.UNLESS_VACATED)
        + ";\n"
        + REFRESH
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_timetable_checks")]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=backward_sql()),
        *(
            migrations.AddField(model_name="trackerrow", name=name, field=models.DateField(null=True))
            for name in NEW_COLUMNS
        ),
    ]
