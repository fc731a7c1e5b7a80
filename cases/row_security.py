"""Which tables hold identifiable data, and the row-level security policy on each.

The database shows a row of these tables only to a role that reads every LA (the maintenance
role, a superuser) or when the row's LA is the one set for the transaction
(``plo_tracker.lib.tenancy.set_local_authority``); with no LA set, no row at all. The SQL function
``cases_local_authority()`` (migration 0019) reads that setting: the one rule in SQL.

- Every table with a ``local_authority_id`` column holds identifiable data, unless it is named in
  ``NOT_IDENTIFIABLE`` with the reason. So does its change history: the event tables copy the column.
- A table named in ``SHARED_WHEN_NO_LA`` also shows (and lets anyone write) its rows with no LA.
- A table with no LA of its own whose rows point (by foreign key) at rows of those tables, such as
  the join table of the children in an episode, shows a row when the rows it points at show.

Migration 0019 puts the policies on the tables found from the models as they stand there. A later
migration that adds a table of either kind ends with ``secure_table(table)`` (a test fails until it does).
"""

from __future__ import annotations

from dataclasses import dataclass

POLICY = "local_authority"
LA_COLUMN = "local_authority_id"
CURRENT_LA = "cases_local_authority()"

# Guarded tables whose rows with no LA every role reads and writes, and why those rows name no child.
SHARED_WHEN_NO_LA = {
    "cases_queuedjob": "The job outbox: a row with no LA is regional work (a board pack), a task name and ids.",
}
# Tables with a local_authority_id that every role reads, and why they hold no child's data.
NOT_IDENTIFIABLE = {
    "cases_user": "Users: signing in finds the user before any LA is set, and a user record names no child.",
    "cases_area": "The LAs' areas (quadrants): organisation structure, shown in filters and the dashboard.",
    "cases_team": "The LAs' teams: organisation structure, shown in filters and the dashboard.",
    "cases_childpopulation": "Published child population estimates per LA, for rates per 10,000 children.",
    "reporting_metricvalue": "Aggregate figures; small numbers are suppressed where shown (reporting.selectors).",
    "reporting_completenessfigure": "The data exercise's counts per LA; suppressed where shown (reporting.selectors).",
}


@dataclass(frozen=True)
class Guarded:
    """A table under row-level security and the condition a row must meet to show (and to be written)."""

    table: str
    condition: str


def guarded_tables(apps) -> list[Guarded]:
    """Every identifiable table of the models in ``apps`` (the app registry, or a migration's), by name."""
    models = [model for model in apps.get_models(include_auto_created=True) if not model._meta.proxy]
    own_la = {
        model._meta.db_table
        for model in models
        if model._meta.db_table not in NOT_IDENTIFIABLE
        and any(field.column == LA_COLUMN for field in model._meta.concrete_fields)
    }
    guarded = {table: _own_la(table) for table in own_la}
    for model in models:
        table = model._meta.db_table
        if table in guarded or table in NOT_IDENTIFIABLE:
            continue
        links = [
            field
            for field in model._meta.concrete_fields
            if (field.many_to_one or field.one_to_one) and field.related_model._meta.db_table in own_la
        ]
        if links:
            guarded[table] = " AND ".join(_shows(table, field) for field in links)
    return [Guarded(table, condition) for table, condition in sorted(guarded.items())]


def _own_la(table: str) -> str:
    """The row is of the LA set for the transaction (or, in a table that shares them, of no LA)."""
    condition = f"{LA_COLUMN} = {CURRENT_LA}"
    return f"{condition} OR {LA_COLUMN} IS NULL" if table in SHARED_WHEN_NO_LA else condition


def _shows(table: str, field) -> str:
    """The row a foreign key points at shows (the policy on its table applies inside the subquery)."""
    target, column = field.related_model._meta.db_table, f'"{table}"."{field.column}"'
    # Names from the models (Django's own table and column names), not from anyone's input.
    condition = f'EXISTS (SELECT 1 FROM "{target}" t WHERE t."{field.target_field.column}" = {column})'  # noqa: S608
    return f"({column} IS NULL OR {condition})" if field.null else condition


def enable_sql(guarded: Guarded) -> str:
    """Row-level security on the table, for its owner too, with the one policy (idempotent)."""
    table, condition = f'"{guarded.table}"', guarded.condition
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS {POLICY} ON {table};
CREATE POLICY {POLICY} ON {table} USING ({condition}) WITH CHECK ({condition});
"""


def disable_sql(table: str) -> str:
    return f"""
DROP POLICY IF EXISTS {POLICY} ON "{table}";
ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY;
ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;
"""


def secure_table(table: str):
    """The migration operation that puts a table added later under its policy (and takes it off on reverse)."""
    from django.db import migrations

    def enable(apps, schema_editor):
        for guarded in guarded_tables(apps):
            if guarded.table == table:
                schema_editor.execute(enable_sql(guarded), params=None)

    def disable(apps, schema_editor):
        schema_editor.execute(disable_sql(table), params=None)

    return migrations.RunPython(enable, disable)
