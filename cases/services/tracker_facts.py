"""Keeping the tracker's stored facts equal to their definition: drift check, repair and rebuild.

The ``cases_trackerrow`` view defines the facts; ``cases_trackerfacts`` stores them, refreshed by
statement-level triggers on every source table. An application's concluded date is derived the
same way: the ``cases_proceedingsconcluded`` view defines it and triggers on the children's parts
store it (migration 0012). These services check and repair both.
"""

from __future__ import annotations

from django.db import connection, transaction

from plo_tracker.lib import tenancy


def facts_drift() -> list[int]:
    """Families whose stored facts or concluded dates differ from their views now (should always be none).

    The triggers keep ``cases_trackerfacts`` equal to the ``cases_trackerrow`` view and each
    application's concluded date equal to ``cases_proceedingsconcluded``; a difference means a
    write reached a table with triggers off (a raw load), a direct edit of the derived date, or a
    fault.
    """
    tenancy.require_every_local_authority("The tracker facts check")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT family_id FROM (
                (SELECT * FROM cases_trackerfacts EXCEPT SELECT * FROM cases_trackerrow)
                UNION ALL
                (SELECT * FROM cases_trackerrow EXCEPT SELECT * FROM cases_trackerfacts)
            ) differing
            UNION
            SELECT p.family_id FROM cases_proceedings p
            JOIN cases_proceedingsconcluded d ON d.proceedings_id = p.id
            WHERE p.concluded_date IS DISTINCT FROM d.concluded_date
            ORDER BY family_id
            """
        )
        return [family_id for (family_id,) in cursor.fetchall()]


def facts_repair() -> list[int]:
    """Recompute the concluded dates and stored facts of every family that has drifted; returns their ids."""
    drifted = facts_drift()
    if drifted:
        with transaction.atomic(), connection.cursor() as cursor:
            # Concluded dates first: writing one refreshes the family's facts through its triggers.
            cursor.execute(
                "SELECT cases_proceedings_concluded_refresh(ARRAY(SELECT id FROM cases_proceedings"
                " WHERE family_id = ANY(%s::bigint[])))",
                [drifted],
            )
            cursor.execute("SELECT cases_trackerfacts_refresh(%s::bigint[])", [drifted])
    return drifted


def facts_rebuild() -> int:
    """Recompute every concluded date and stored fact (after a load with triggers off); returns the fact rows."""
    tenancy.require_every_local_authority("The tracker facts rebuild")
    with transaction.atomic(), connection.cursor() as cursor:
        # Writes only the dates that differ (none after the demo seed, which derives them itself).
        cursor.execute("SELECT cases_proceedings_concluded_refresh(ARRAY(SELECT id FROM cases_proceedings))")
        cursor.execute("DELETE FROM cases_trackerfacts")
        cursor.execute("INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow")
        count = cursor.rowcount
        cursor.execute("ANALYZE cases_trackerfacts")
    return count
