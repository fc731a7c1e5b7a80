"""Store the tracker's per-case facts in a table kept current by statement-level triggers.

The ``cases_trackerrow`` view stays the one definition of the facts. Every insert, update or
delete on a table the facts depend on refreshes the affected families' rows, set-based, from the
view (bulk writes included). The demo seed, which loads with triggers off, rebuilds the table.
"""

from django.db import migrations

# table -> SQL giving the family ids touched, from a transition table called "rows"
SOURCES = {
    "cases_family": "SELECT id FROM rows",
    "cases_child": "SELECT family_id FROM rows",
    "cases_preproceedingsepisode": "SELECT family_id FROM rows",
    "cases_proceedings": "SELECT family_id FROM rows",
    "cases_assessment": "SELECT family_id FROM rows",
    "cases_meetingaction": "SELECT family_id FROM rows",
    "cases_preproceedingsmeeting": (
        "SELECT e.family_id FROM rows JOIN cases_preproceedingsepisode e ON e.id = rows.episode_id"
    ),
    "cases_hearing": "SELECT p.family_id FROM rows JOIN cases_proceedings p ON p.id = rows.proceedings_id",
    "cases_childproceedings": "SELECT p.family_id FROM rows JOIN cases_proceedings p ON p.id = rows.proceedings_id",
    "cases_extension": (
        "SELECT p.family_id FROM rows JOIN cases_childproceedings cp ON cp.id = rows.child_proceedings_id "
        "JOIN cases_proceedings p ON p.id = cp.proceedings_id"
    ),
}

CREATE = """
CREATE TABLE cases_trackerfacts AS SELECT * FROM cases_trackerrow WITH NO DATA;
ALTER TABLE cases_trackerfacts ADD PRIMARY KEY (family_id);
CREATE INDEX cases_trackerfacts_la ON cases_trackerfacts (local_authority_id);

CREATE FUNCTION cases_trackerfacts_refresh(family_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM cases_trackerfacts WHERE family_id = ANY(family_ids);
    INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow WHERE family_id = ANY(family_ids);
$$;

INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow;
"""


def trigger_sql(table: str, families: str) -> str:
    statements = []
    for event, alias in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        name = f"{table}_tracker_{event.lower()}"
        statements.append(f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_trackerfacts_refresh(ARRAY(SELECT DISTINCT f FROM ({families}) AS touched(f) WHERE f IS NOT NULL));
    RETURN NULL;
END $$;
CREATE TRIGGER {name} AFTER {event} ON {table}
    REFERENCING {alias} TABLE AS rows FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    # An update can move a record to another family: refresh the old family too.
    name = f"{table}_tracker_update_old"
    statements.append(f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cases_trackerfacts_refresh(ARRAY(SELECT DISTINCT f FROM ({families}) AS touched(f) WHERE f IS NOT NULL));
    RETURN NULL;
END $$;
CREATE TRIGGER {name} AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS rows FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    return "\n".join(statements)


def drop_sql() -> str:
    statements = []
    for table in SOURCES:
        for suffix in ("insert", "update", "delete", "update_old"):
            name = f"{table}_tracker_{suffix}"
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
    statements.append("DROP FUNCTION IF EXISTS cases_trackerfacts_refresh(bigint[]); DROP TABLE IF EXISTS cases_trackerfacts;")
    return "\n".join(statements)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_tracker_row_view")]

    operations = [
        migrations.RunSQL(
            CREATE + "\n".join(trigger_sql(table, families) for table, families in SOURCES.items()),
            reverse_sql=drop_sql(),
        ),
        migrations.AlterModelTable(name="trackerrow", table="cases_trackerfacts"),
    ]
