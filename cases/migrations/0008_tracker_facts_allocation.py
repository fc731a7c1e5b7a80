"""Add the family's team and social worker to the tracker facts.

With allocation stored beside the other facts, the tracker list filters, sorts, counts and pages
on ``cases_trackerfacts`` alone (one LA's rows by index) and loads full family records only for
the page it shows. New columns go at the end of the view and of the table, in the same order,
because the refresh function copies rows with ``SELECT *``. The family triggers of migration 0007
already refresh a family's facts when its team or social worker changes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

VIEW_SQL = """
CREATE OR REPLACE VIEW cases_trackerrow AS
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

FORWARD = VIEW_SQL + """;
ALTER TABLE cases_trackerfacts ADD COLUMN team_id bigint, ADD COLUMN social_worker_id bigint;
UPDATE cases_trackerfacts t SET team_id = f.team_id, social_worker_id = f.social_worker_id
    FROM cases_family f WHERE f.id = t.family_id;
CREATE INDEX cases_trackerfacts_team ON cases_trackerfacts (team_id);
CREATE INDEX cases_trackerfacts_social_worker ON cases_trackerfacts (social_worker_id);
"""

OLD_VIEW_SQL = """
CREATE VIEW cases_trackerrow AS
SELECT f.id AS family_id, f.local_authority_id,
    ep.episode_id, ep.episode_start, COALESCE(ep.fgdm_held, false) AS fgdm_held,
    pr.proceedings_id, pr.issue_date,
    mt.last_meeting, ext.extended_to, COALESCE(irh.has_irh, false) AS has_irh,
    asm.next_assessment_due, act.next_action_due, COALESCE(rep.repeat_episode, false) AS repeat_episode,
    ch.youngest_dob, COALESCE(ch.has_unborn, false) AS has_unborn
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

BACKWARD = """
DROP INDEX IF EXISTS cases_trackerfacts_social_worker;
DROP INDEX IF EXISTS cases_trackerfacts_team;
ALTER TABLE cases_trackerfacts DROP COLUMN social_worker_id, DROP COLUMN team_id;
DROP VIEW cases_trackerrow;
""" + OLD_VIEW_SQL


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_tracker_facts_table"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
        migrations.AddField(
            model_name="trackerrow",
            name="team",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cases.team",
            ),
        ),
        migrations.AddField(
            model_name="trackerrow",
            name="social_worker",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
