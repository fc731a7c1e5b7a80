"""The timetable checks of REFERENCE.md 4 as one SQL function, for the tracker facts and the metrics alike.

``cases_timetable_checks(proceedings, issue, timetable_end, as_at)`` looks at the hearings of one
application listed as at ``as_at`` (``cases.models.listed_as_at``: the listing made on or before
that day and not vacated on or before it) and says:

- ``has_cmh``, ``has_irh``, ``has_final``: a case management hearing, an issues resolution hearing,
  a final hearing is listed;
- ``cmh_outside_window``: a CMH is listed for a date outside days ``cmh_earliest_day`` to
  ``cmh_latest_day`` of the application (day 1 is the issue date);
- ``irh_after_week``: an IRH is listed for a date after week ``irh_by_week`` (issue + weeks x 7);
- ``final_after_end``: a final hearing is listed for a date after ``timetable_end``;
- ``timetabled_beyond``: any hearing is listed for a date after ``timetable_end``.

The tracker facts pass the timetable end they store (the time limit moved by the latest
extension's new end date) and ``as_at`` 9999-12-31, which counts every listing made and none
vacated: the listings as they stand. The monthly figures pass each month's last day and the time
limit plus the longest extension for each extension granted by then. Thresholds come from
``cases_threshold``; one missing gives no check (false), as everywhere in the facts.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION cases_timetable_checks(p_proceedings bigint, p_issue date, p_end date, p_as_at date)
RETURNS TABLE (
    has_cmh boolean, has_irh boolean, has_final boolean,
    cmh_outside_window boolean, irh_after_week boolean, final_after_end boolean, timetabled_beyond boolean
) LANGUAGE sql STABLE AS $$
    SELECT
        COALESCE(bool_or(h.hearing_type_id = 'cmh'), false),
        COALESCE(bool_or(h.hearing_type_id = 'irh'), false),
        COALESCE(bool_or(h.hearing_type_id = 'final'), false),
        COALESCE(bool_or(h.hearing_type_id = 'cmh' AND (
            h.listed_date < cases_tracker_day(p_issue, th.cmh_first_days)
            OR h.listed_date > cases_tracker_day(p_issue, th.cmh_last_days))), false),
        COALESCE(bool_or(h.hearing_type_id = 'irh' AND h.listed_date > cases_tracker_day(p_issue, th.irh_days)), false),
        COALESCE(bool_or(h.hearing_type_id = 'final' AND h.listed_date > p_end), false),
        COALESCE(bool_or(h.listed_date > p_end), false)
    FROM (
        SELECT
            trunc(max(value) FILTER (WHERE code = 'cmh_earliest_day'))::int - 1 AS cmh_first_days,
            trunc(max(value) FILTER (WHERE code = 'cmh_latest_day'))::int - 1 AS cmh_last_days,
            trunc(max(value) FILTER (WHERE code = 'irh_by_week'))::int * 7 AS irh_days
        FROM cases_threshold
    ) th
    LEFT JOIN cases_hearing h ON h.proceedings_id = p_proceedings
        AND h.listed_on <= p_as_at AND (h.vacated_on IS NULL OR h.vacated_on > p_as_at)
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_hearing_listings")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION cases_timetable_checks(bigint, date, date, date);"),
    ]
