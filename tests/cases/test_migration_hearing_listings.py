"""Migration 0014 turns the old re-listed dates into listings: each kept, each new one linked to the one it replaces."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import migrate_to as migrate

D = dt.date
BEFORE = [("cases", "0013_comparator_kind")]
AFTER = [("cases", "0014_hearing_listings")]


@pytest.mark.django_db(transaction=True)
def test_it_turns_each_re_listed_date_into_a_new_listing_that_replaces_the_old_one():
    old = migrate(BEFORE)
    try:
        la = old.get_model("cases", "LocalAuthority").objects.get(dfe_code="881")
        court = old.get_model("cases", "Court").objects.first()
        family = old.get_model("cases", "Family").objects.create(local_authority=la, la_reference="MIG-1", name="Mig")
        proceedings = old.get_model("cases", "Proceedings").objects.create(
            local_authority=la, family=family, court=court, court_case_number="MIG/1", issue_date=D(2025, 1, 6)
        )
        hearing = old.get_model("cases", "Hearing")

        def listing(kind, listed, status, relisted=None, reason=None):
            return hearing.objects.create(
                local_authority=la,
                proceedings=proceedings,
                hearing_type_id=kind,
                listed_date=listed,
                status=status,
                relisted_date=relisted,
                reason_id=reason,
            ).pk

        held = listing("cmh", D(2025, 1, 20), "held")
        adjourned = listing("irh", D(2025, 5, 1), "adjourned", D(2025, 5, 29), "judiciary_no_judge")
        vacated = listing("final", D(2025, 7, 1), "vacated", None, "court_no_courtroom")
        moved = listing("further_cmh", D(2025, 3, 3), "relisted", D(2025, 3, 17))
        hearing.objects.update(created_at=dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC))
    except BaseException:
        migrate()
        raise
    try:
        rows = {row["id"]: row for row in migrate(AFTER).get_model("cases", "Hearing").objects.values()}
    finally:
        migrate()  # the later migrations too, for the tests that follow
    entered = D(2025, 2, 1)  # the day the records were entered: the listings' date where unknown
    assert {pk: rows[pk]["listed_on"] for pk in (held, adjourned, vacated, moved)} == dict.fromkeys(
        (held, adjourned, vacated, moved), entered
    )
    assert (rows[adjourned]["status"], rows[adjourned]["listed_date"]) == ("adjourned", D(2025, 5, 1))
    [relisting] = [row for row in rows.values() if row["replaces_id"] == adjourned]
    assert (relisting["hearing_type_id"], relisting["listed_date"], relisting["status"], relisting["listed_on"]) == (
        "irh",
        D(2025, 5, 29),
        "listed",
        entered,
    )
    # Vacated with no new date: vacated on the day it was entered (before its listed date).
    assert (rows[vacated]["status"], rows[vacated]["vacated_on"]) == ("vacated", entered)
    # Only "re-listed" (moved): one listing, for its new date.
    assert (rows[moved]["status"], rows[moved]["listed_date"], rows[moved]["reason_id"]) == (
        "listed",
        D(2025, 3, 17),
        None,
    )
    assert len(rows) == 5
