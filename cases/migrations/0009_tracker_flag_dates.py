"""Store when each tracker flag starts (and, for two, stops) in the tracker facts.

Every flag is "today is on or after a date worked out from the case's facts and the thresholds"
(two also end: the 26-week risk when the timetable end passes, the baby flag at the first
birthday). The view now works those dates out, so the one definition of every flag is here and
the list compares stored dates with today: sorting an LA's open cases by urgency no longer
evaluates every rule for every case on every request. ``started_on`` (issue date in court, else
the episode start) and ``timetable_end`` are stored for the same reason.

"Since always" is stored as 0001-01-01 and "never ends" as 9999-12-31 (dates Python can hold);
NULL means the flag cannot be raised. Thresholds come from ``cases_threshold`` (whole weeks, with
the defaults the code used before), and a change to a threshold refreshes every stored row. New
columns go at the end of the view and of the table, in the same order, because the refresh
function copies rows with ``SELECT *``.
"""

from django.db import migrations, models

BASE_SQL = """
SELECT f.id AS family_id, f.local_authority_id,
    ep.episode_id, ep.episode_start, COALESCE(ep.fgdm_held, false) AS fgdm_held,
    pr.proceedings_id, pr.issue_date,
    mt.last_meeting, ext.extended_to, COALESCE(irh.has_irh, false) AS has_irh,
    asm.next_assessment_due, act.next_action_due, COALESCE(rep.repeat_episode, false) AS repeat_episode,
    ch.youngest_dob, COALESCE(ch.has_unborn, false) AS has_unborn,
    -- Added by 0008: allocation, so the tracker can filter and page on the facts table alone.
    f.team_id, f.social_worker_id
FROM (
    -- Open cases only, found through the partial indexes on open episodes and open proceedings.
    SELECT family_id FROM cases_preproceedingsepisode WHERE start_date IS NOT NULL AND step_decision_date IS NULL
    UNION
    SELECT family_id FROM cases_proceedings WHERE concluded_date IS NULL
) open_family
JOIN cases_family f ON f.id = open_family.family_id
LEFT JOIN LATERAL (
    SELECT e.id AS episode_id, e.start_date AS episode_start, (e.fgdm_held_date IS NOT NULL) AS fgdm_held
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
    SELECT max(m.meeting_date) AS last_meeting FROM cases_preproceedingsmeeting m WHERE m.episode_id = ep.episode_id
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
    SELECT max(c.date_of_birth) AS youngest_dob, bool_or(c.date_of_birth IS NULL) AS has_unborn
    FROM cases_child c WHERE c.family_id = f.id
) ch ON true
"""

THRESHOLDS_SQL = """
SELECT
    COALESCE(trunc(max(value) FILTER (WHERE code = 'pp_threshold_weeks'))::int, 16) * 7 AS pp_days,
    COALESCE(trunc(max(value) FILTER (WHERE code = 'pp_review_interval_weeks'))::int, 6) * 7 AS review_days,
    COALESCE(trunc(max(value) FILTER (WHERE code = 'fgdm_by_weeks'))::int, 6) * 7 AS fnm_days,
    COALESCE(trunc(max(value) FILTER (WHERE code = 'irh_by_week'))::int, 20) * 7 AS irh_days,
    COALESCE(trunc(max(value) FILTER (WHERE code = 's31_limit_weeks'))::int, 26) * 7 AS limit_days
FROM cases_threshold
"""

# Each flag is raised from its "_from" date (inclusive) and, where there is one, until its
# "_until" date (exclusive). The comments give the rule in words.
VIEW_SQL = (
    """
CREATE OR REPLACE VIEW cases_trackerrow AS
SELECT b.*,
    CASE WHEN b.proceedings_id IS NOT NULL THEN b.issue_date ELSE b.episode_start END AS started_on,
    t.timetable_end,
    -- Proceedings past 26 weeks and extensions: the day after the timetable end.
    t.timetable_end + 1 AS s31_past_limit_from,
    -- Pre-proceedings longer than the threshold: the day after start + threshold.
    CASE WHEN t.in_pp THEN b.episode_start + th.pp_days + 1 END AS pp_over_threshold_from,
    -- An agreed meeting action past its due date.
    b.next_action_due + 1 AS overdue_action_from,
    -- Nobody allocated.
    CASE WHEN b.social_worker_id IS NULL THEN DATE '0001-01-01' END AS no_social_worker_from,
    -- In court, at risk from week 20 with no IRH (or week 26) until the timetable end passes.
    CASE WHEN t.in_court THEN LEAST(
        CASE WHEN NOT b.has_irh THEN b.issue_date + th.irh_days END, b.issue_date + th.limit_days
    ) END AS s31_at_risk_from,
    t.timetable_end + 1 AS s31_at_risk_until,
    -- In court, no IRH listed by week 20.
    CASE WHEN t.in_court AND NOT b.has_irh THEN b.issue_date + th.irh_days END AS no_irh_by_20_from,
    -- Pre-proceedings with no meeting within the review interval of the last one (or the start).
    CASE WHEN t.in_pp THEN COALESCE(b.last_meeting, b.episode_start) + th.review_days + 1 END AS no_review_from,
    -- An assessment past its due date.
    b.next_assessment_due + 1 AS overdue_assessment_from,
    -- Pre-proceedings past the family network meeting week with none held.
    CASE WHEN t.in_pp AND NOT b.fgdm_held THEN b.episode_start + th.fnm_days + 1 END
        AS no_family_network_meeting_from,
    -- A previous episode or previous proceedings.
    CASE WHEN b.repeat_episode THEN DATE '0001-01-01' END AS repeat_episode_from,
    -- A child under one (until the youngest's first birthday) or unborn (until born).
    CASE WHEN b.has_unborn OR b.youngest_dob IS NOT NULL THEN DATE '0001-01-01' END AS baby_or_unborn_from,
    CASE WHEN b.has_unborn THEN DATE '9999-12-31' ELSE b.youngest_dob + 365 END AS baby_or_unborn_until
FROM ("""
    + BASE_SQL
    + """) b
CROSS JOIN ("""
    + THRESHOLDS_SQL
    + """) th
CROSS JOIN LATERAL (
    SELECT b.proceedings_id IS NOT NULL AS in_court,
        b.proceedings_id IS NULL AND b.episode_id IS NOT NULL AS in_pp,
        CASE WHEN b.proceedings_id IS NOT NULL
            THEN GREATEST(b.issue_date + th.limit_days, COALESCE(b.extended_to, b.issue_date + th.limit_days))
        END AS timetable_end
) t
"""
)

NEW_COLUMNS = [
    ("started_on", "date"),
    ("timetable_end", "date"),
    ("s31_past_limit_from", "date"),
    ("pp_over_threshold_from", "date"),
    ("overdue_action_from", "date"),
    ("no_social_worker_from", "date"),
    ("s31_at_risk_from", "date"),
    ("s31_at_risk_until", "date"),
    ("no_irh_by_20_from", "date"),
    ("no_review_from", "date"),
    ("overdue_assessment_from", "date"),
    ("no_family_network_meeting_from", "date"),
    ("repeat_episode_from", "date"),
    ("baby_or_unborn_from", "date"),
    ("baby_or_unborn_until", "date"),
]

# A threshold change moves every open case's flag dates.
THRESHOLD_TRIGGERS = "\n".join(
    f"""
CREATE FUNCTION cases_threshold_tracker_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_trackerfacts_refresh(ARRAY(SELECT family_id FROM cases_trackerfacts));
    RETURN NULL;
END $$;
CREATE TRIGGER cases_threshold_tracker_{event.lower()} AFTER {event} ON cases_threshold
    FOR EACH STATEMENT EXECUTE FUNCTION cases_threshold_tracker_{event.lower()}();
"""
    for event in ("INSERT", "UPDATE", "DELETE")
)

FORWARD = (
    VIEW_SQL
    + ";\nALTER TABLE cases_trackerfacts "
    + ", ".join(f"ADD COLUMN {name} {kind}" for name, kind in NEW_COLUMNS)
    + """;
DELETE FROM cases_trackerfacts;
INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow;
"""
    + THRESHOLD_TRIGGERS
)

BACKWARD = (
    "\n".join(
        f"DROP TRIGGER IF EXISTS cases_threshold_tracker_{e} ON cases_threshold; "
        f"DROP FUNCTION IF EXISTS cases_threshold_tracker_{e}();"
        for e in ("insert", "update", "delete")
    )
    + "\nALTER TABLE cases_trackerfacts "
    + ", ".join(f"DROP COLUMN {name}" for name, _ in NEW_COLUMNS)
    + ";\nDROP VIEW cases_trackerrow;\nCREATE VIEW cases_trackerrow AS"
    + BASE_SQL
    + ";"
)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_tracker_facts_allocation")]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
        *(
            migrations.AddField(model_name="trackerrow", name=name, field=models.DateField(null=True))
            for name, _ in NEW_COLUMNS
        ),
    ]
