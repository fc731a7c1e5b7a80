"""PostgreSQL row-level security on every table that holds identifiable data: the backstop to ``visible_to``.

- ``cases_local_authority()`` reads the LA set for the transaction (``plo.local_authority``, set
  by ``plo_tracker.lib.tenancy.set_local_authority``); empty or unset gives NULL, so no row matches.
- Every identifiable table (``cases.row_security.guarded_tables``: the case records, their history
  event tables, the tracker facts, the meeting tables, the read audit and the join table of an
  episode's children, found from the models as they stand here) gets one policy for every
  command: a row shows, and may be written, only for that LA. ``FORCE`` binds the tables' owner too:
  only a superuser or a BYPASSRLS role (the maintenance role) reads across LAs.
- The views the app reads through run with the caller's rights (``security_invoker``, PostgreSQL
  15 and later), so the policies apply inside them. A later migration that recreates a view must
  say ``WITH (security_invoker = true)`` again: CREATE OR REPLACE VIEW resets it (a test checks).
- The trigger functions that keep the tracker facts, the concluded dates and the history run as
  the writer: an LA user's write touches, and refreshes, that LA's rows only. The exception is
  the threshold triggers: a threshold is shared reference data, and a change to it recomputes the
  stored facts of every LA from their definition (nothing is returned to the writer), so those
  three functions run with their owner's rights (SECURITY DEFINER, with a fixed search path).
"""

import django.db.models.deletion
from django.db import migrations, models

from cases import row_security

FUNCTION = """
CREATE FUNCTION cases_local_authority() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('plo.local_authority', true), '')::bigint
$$;
"""
VIEWS = ("cases_trackerrow", "cases_proceedingsconcluded")
THRESHOLD_TRIGGERS = [f"cases_threshold_tracker_{event}()" for event in ("insert", "update", "delete")]

FORWARD = (
    FUNCTION
    + "".join(f"ALTER VIEW {view} SET (security_invoker = true);\n" for view in VIEWS)
    + "DO $$ BEGIN\n"
    + "".join(
        f"    EXECUTE format('ALTER FUNCTION {function} SECURITY DEFINER SET search_path = %I, pg_temp', "
        "current_schema());\n"
        for function in THRESHOLD_TRIGGERS
    )
    + "END $$;\n"
)
BACKWARD = (
    "".join(f"ALTER FUNCTION {function} SECURITY INVOKER RESET search_path;\n" for function in THRESHOLD_TRIGGERS)
    + "".join(f"ALTER VIEW {view} RESET (security_invoker);\n" for view in VIEWS)
    + "DROP FUNCTION cases_local_authority();\n"
)


def require_postgresql_15(apps, schema_editor):
    if schema_editor.connection.pg_version < 150000:
        raise RuntimeError("PLO Tracker needs PostgreSQL 15 or later: its views run with security_invoker.")


def enable(apps, schema_editor):
    for guarded in row_security.guarded_tables(apps):
        schema_editor.execute(row_security.enable_sql(guarded), params=None)


def disable(apps, schema_editor):
    for guarded in row_security.guarded_tables(apps):
        schema_editor.execute(row_security.disable_sql(guarded.table), params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_read_audit")]

    operations = [
        migrations.RunPython(require_postgresql_15, migrations.RunPython.noop),
        # The facts have always had the column (the view's); the model's state gains it here, so the
        # policies below find the table by it. The model is unmanaged: nothing changes in the database.
        migrations.AddField(
            model_name="trackerrow",
            name="local_authority",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cases.localauthority",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(enable, disable),
    ]
