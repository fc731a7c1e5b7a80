"""Keeping the tracker's stored facts equal to their definition: drift check, repair and rebuild.

The ``cases_trackerrow`` view defines the facts; ``cases_trackerfacts`` stores them, refreshed by
statement-level triggers on every source table. These services check and repair the stored rows.
"""

from __future__ import annotations

from django.db import connection, transaction


def facts_drift() -> list[int]:
    """Families whose stored facts differ from what the view gives now (should always be none).

    The triggers keep ``cases_trackerfacts`` equal to the ``cases_trackerrow`` view; a difference
    means a write reached a source table with triggers off (a raw load) or a fault.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT family_id FROM (
                (SELECT * FROM cases_trackerfacts EXCEPT SELECT * FROM cases_trackerrow)
                UNION ALL
                (SELECT * FROM cases_trackerrow EXCEPT SELECT * FROM cases_trackerfacts)
            ) differing
            GROUP BY family_id ORDER BY family_id
            """
        )
        return [family_id for (family_id,) in cursor.fetchall()]


def facts_repair() -> list[int]:
    """Refresh the stored facts of every family that has drifted from the view; returns their ids."""
    drifted = facts_drift()
    if drifted:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT cases_trackerfacts_refresh(%s::bigint[])", [drifted])
    return drifted


def facts_rebuild() -> int:
    """Recompute every stored fact from the view (after a load with triggers off); returns the row count."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_trackerfacts")
        cursor.execute("INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow")
        count = cursor.rowcount
        cursor.execute("ANALYZE cases_trackerfacts")
    return count
