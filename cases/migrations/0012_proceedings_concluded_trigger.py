"""The database keeps ``Proceedings.concluded_date``: the date of the last child's final outcome.

An application concludes on the date the last of its children's final orders (or withdrawal,
refusal, no order) is made, and is open while any child's part has no final outcome (reference
section 4). The view ``cases_proceedingsconcluded`` is the one definition of that date; statement-
level triggers on ``cases_childproceedings`` (insert, a change of the outcome or of the
application, delete) set it, set-based, for the applications a statement touched, so the admin,
raw SQL, bulk imports and the services all keep it right. The tracker facts triggers on
``cases_proceedings`` (migration 0007) then refresh the facts, and the history triggers record the
change. The demo seed, which loads with triggers off, writes consistent dates itself; the drift
check (``cases.services.tracker_facts``) compares the stored dates with the view.
"""

from django.db import migrations

FORWARD = """
CREATE VIEW cases_proceedingsconcluded AS
SELECT p.id AS proceedings_id,
    -- NULL while any child's part has no final outcome, or the application has no children yet.
    CASE WHEN bool_and(cp.final_outcome_id IS NOT NULL) THEN max(cp.final_outcome_date) END AS concluded_date
FROM cases_proceedings p
LEFT JOIN cases_childproceedings cp ON cp.proceedings_id = p.id
GROUP BY p.id;

CREATE FUNCTION cases_proceedings_concluded_refresh(proceedings_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF cardinality(proceedings_ids) IS NULL OR cardinality(proceedings_ids) = 0 THEN
        RETURN;
    END IF;
    -- Lock the applications first: two sessions recording the last two children's orders at the
    -- same time then run one after the other, and the second (reading afresh) sees the first's.
    -- NO KEY UPDATE does not conflict with the key-share locks the children's inserts hold.
    PERFORM 1 FROM cases_proceedings WHERE id = ANY(proceedings_ids) ORDER BY id FOR NO KEY UPDATE;
    changed := ARRAY(
        SELECT d.proceedings_id
        FROM cases_proceedingsconcluded d JOIN cases_proceedings p ON p.id = d.proceedings_id
        WHERE d.proceedings_id = ANY(proceedings_ids) AND p.concluded_date IS DISTINCT FROM d.concluded_date
    );
    -- Only a real change is written: no history event, and no facts refresh, for the rest.
    IF cardinality(changed) > 0 THEN
        UPDATE cases_proceedings p SET concluded_date = d.concluded_date
        FROM cases_proceedingsconcluded d
        WHERE d.proceedings_id = p.id AND p.id = ANY(changed) AND d.proceedings_id = ANY(changed);
    END IF;
END $$;

CREATE FUNCTION cases_childproceedings_concluded_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_proceedings_concluded_refresh(ARRAY(SELECT DISTINCT proceedings_id FROM rows));
    RETURN NULL;
END $$;
CREATE TRIGGER cases_childproceedings_concluded_insert AFTER INSERT ON cases_childproceedings
    REFERENCING NEW TABLE AS rows FOR EACH STATEMENT EXECUTE FUNCTION cases_childproceedings_concluded_insert();

-- PostgreSQL allows no column list on an UPDATE trigger with transition tables: the function keeps
-- the rows whose outcome, outcome date or application changed, and refreshes the old and new
-- applications of those (a child's part moved to another application changes both).
CREATE FUNCTION cases_childproceedings_concluded_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_proceedings_concluded_refresh(ARRAY(
        SELECT DISTINCT touched.proceedings_id
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.proceedings_id), (n.proceedings_id)) AS touched(proceedings_id)
        WHERE (o.final_outcome_id, o.final_outcome_date, o.proceedings_id)
            IS DISTINCT FROM (n.final_outcome_id, n.final_outcome_date, n.proceedings_id)
    ));
    RETURN NULL;
END $$;
CREATE TRIGGER cases_childproceedings_concluded_update AFTER UPDATE ON cases_childproceedings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_childproceedings_concluded_update();

CREATE FUNCTION cases_childproceedings_concluded_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_proceedings_concluded_refresh(ARRAY(SELECT DISTINCT proceedings_id FROM rows));
    RETURN NULL;
END $$;
CREATE TRIGGER cases_childproceedings_concluded_delete AFTER DELETE ON cases_childproceedings
    REFERENCING OLD TABLE AS rows FOR EACH STATEMENT EXECUTE FUNCTION cases_childproceedings_concluded_delete();

-- Every existing application, so the stored dates start equal to their definition.
SELECT cases_proceedings_concluded_refresh(ARRAY(SELECT id FROM cases_proceedings));
"""

BACKWARD = """
DROP TRIGGER IF EXISTS cases_childproceedings_concluded_delete ON cases_childproceedings;
DROP FUNCTION IF EXISTS cases_childproceedings_concluded_delete();
DROP TRIGGER IF EXISTS cases_childproceedings_concluded_update ON cases_childproceedings;
DROP FUNCTION IF EXISTS cases_childproceedings_concluded_update();
DROP TRIGGER IF EXISTS cases_childproceedings_concluded_insert ON cases_childproceedings;
DROP FUNCTION IF EXISTS cases_childproceedings_concluded_insert();
DROP FUNCTION IF EXISTS cases_proceedings_concluded_refresh(bigint[]);
DROP VIEW IF EXISTS cases_proceedingsconcluded;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_tracker_due_dates")]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
