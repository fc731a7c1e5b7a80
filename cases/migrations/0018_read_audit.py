"""The read audit (``cases_readaudit``): an append-only record of who read which children's records.

The database, not the app, keeps it append-only:

- a BEFORE INSERT trigger stamps ``at`` with the database's clock, so no row can be backdated;
- a BEFORE UPDATE OR DELETE trigger raises, whoever asks, except for a DELETE run with the table
  owner's rights of a row older than the cutoff that ``cases_read_audit_purge`` sets for the
  length of its own DELETE;
- ``cases_read_audit_purge(retention_days)`` is the one way rows go: SECURITY DEFINER (it runs
  with its owner's rights, so no role that reads or writes the audit needs DELETE on it), its
  cutoff worked out from the database's clock, EXECUTE revoked from PUBLIC (grant it to the
  maintenance role only);
- UPDATE, DELETE and TRUNCATE are revoked from PUBLIC. The app's own role, when it is not the
  owner, is to get SELECT and INSERT only. TRUNCATE fires no row trigger and is left to the owner:
  the test runner's flush empties every table with it.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models
from django.db.models.deletion import PROTECT
from django.db.models.functions import Now

FORWARD = """
CREATE FUNCTION cases_readaudit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.at := statement_timestamp();
    RETURN NEW;
END $$;
CREATE TRIGGER cases_readaudit_stamp BEFORE INSERT ON cases_readaudit
    FOR EACH ROW EXECUTE FUNCTION cases_readaudit_stamp();

CREATE FUNCTION cases_readaudit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- Set only by cases_read_audit_purge, for its own DELETE; empty (or unset) everywhere else.
    purge_before text := current_setting('plo.read_audit_purge_before', true);
BEGIN
    -- Inside the purge function the current user is the table's owner (SECURITY DEFINER): a role
    -- that sets the setting by hand is still refused, even one granted DELETE by mistake.
    IF TG_OP = 'DELETE' AND coalesce(purge_before, '') <> '' AND OLD.at < purge_before::timestamptz
        AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The read audit is append-only: % of cases_readaudit is not allowed', TG_OP
        USING HINT = 'Rows past the retention period are removed by cases_read_audit_purge(retention_days).';
END $$;
CREATE TRIGGER cases_readaudit_append_only BEFORE UPDATE OR DELETE ON cases_readaudit
    FOR EACH ROW EXECUTE FUNCTION cases_readaudit_append_only();

CREATE FUNCTION cases_read_audit_purge(retention_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    cutoff timestamptz;
    removed bigint;
BEGIN
    IF retention_days IS NULL OR retention_days < 1 THEN
        RAISE EXCEPTION 'retention_days must be at least 1 (got %)', retention_days;
    END IF;
    cutoff := statement_timestamp() - make_interval(days => retention_days);
    PERFORM set_config('plo.read_audit_purge_before', cutoff::text, true);
    DELETE FROM cases_readaudit WHERE at < cutoff;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('plo.read_audit_purge_before', '', true);
    RETURN removed;
END $$;
-- A SECURITY DEFINER function resolves names in a fixed schema, never the caller's search path.
DO $$ BEGIN
    EXECUTE format('ALTER FUNCTION cases_read_audit_purge(integer) SET search_path = %I, pg_temp', current_schema());
END $$;
REVOKE ALL ON FUNCTION cases_read_audit_purge(integer) FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON cases_readaudit FROM PUBLIC;
"""

BACKWARD = """
DROP FUNCTION cases_read_audit_purge(integer);
DROP TRIGGER cases_readaudit_append_only ON cases_readaudit;
DROP FUNCTION cases_readaudit_append_only();
DROP TRIGGER cases_readaudit_stamp ON cases_readaudit;
DROP FUNCTION cases_readaudit_stamp();
"""


class Migration(migrations.Migration):
    # After the lead orders 0016 and 0017, this depends on 0017.
    dependencies = [("cases", "0017_retention")]

    operations = [
        migrations.CreateModel(
            name="ReadAudit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "at",
                    models.DateTimeField(
                        db_default=Now(),
                        editable=False,
                        help_text="When the records were read (the database's clock).",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("view", "Viewed"),
                            ("export", "Exported"),
                            ("print", "Printed"),
                            ("api", "Read through the API"),
                        ],
                        help_text="How the records were read.",
                        max_length=10,
                    ),
                ),
                (
                    "user_id",
                    models.BigIntegerField(help_text="PLO Tracker's number for the user who read the records."),
                ),
                ("username", models.CharField(help_text="The user's username at the time.", max_length=150)),
                ("role", models.CharField(help_text="The user's role at the time.", max_length=20)),
                (
                    "family_ids",
                    ArrayField(
                        base_field=models.BigIntegerField(),
                        default=list,
                        help_text="The families (cases) shown.",
                        size=None,
                    ),
                ),
                (
                    "child_ids",
                    ArrayField(
                        base_field=models.BigIntegerField(), default=list, help_text="The children shown.", size=None
                    ),
                ),
                ("route_name", models.CharField(help_text="The URL name of the page or download.", max_length=200)),
                (
                    "path",
                    models.CharField(help_text="The address read, without its query string.", max_length=2000),
                ),
                (
                    "client_address",
                    models.GenericIPAddressField(blank=True, help_text="The address the request came from.", null=True),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        help_text="LA whose records were read.",
                        on_delete=PROTECT,
                        related_name="+",
                        to="cases.localauthority",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["local_authority", "at"], name="readaudit_la_at"),
                    models.Index(fields=["local_authority", "user_id", "at"], name="readaudit_la_user_at"),
                    models.Index(fields=["at"], name="readaudit_at"),
                    GinIndex(fields=["child_ids"], name="readaudit_child_ids"),
                ],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
