"""The database keeps an application's concluded date: the date of its last child's final outcome.

Every writer (the services, the admin, raw SQL, bulk imports) goes through the same triggers, so
these tests write with raw SQL and bulk updates as well as through the service.
"""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
from django.db import connection, transaction
from pghistory.models import Events

from cases import demo, services
from cases import models as m
from tests import factories as f
from tests.support import migrate_to

pytestmark = pytest.mark.django_db

D = dt.date
ISSUED = D(2025, 3, 3)


def application(children: int = 2, **kwargs) -> tuple[m.Proceedings, list[m.ChildProceedings]]:
    family = f.FamilyFactory(**kwargs)
    proceedings = f.ProceedingsFactory(family=family, local_authority=family.local_authority, issue_date=ISSUED)
    return proceedings, [f.ChildProceedingsFactory(proceedings=proceedings) for _ in range(children)]


def concluded(proceedings: m.Proceedings) -> dt.date | None:
    return m.Proceedings.objects.values_list("concluded_date", flat=True).get(pk=proceedings.pk)


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_concludes_on_the_last_childs_outcome_written_with_raw_sql():
    proceedings, (first, second) = application()
    raw(
        "UPDATE cases_childproceedings SET final_outcome_id = 'care_order', final_outcome_date = %s WHERE id = %s",
        [D(2025, 9, 1), first.pk],
    )
    assert concluded(proceedings) is None  # the second child has no outcome yet
    raw(
        "UPDATE cases_childproceedings SET final_outcome_id = 'sgo', final_outcome_date = %s WHERE id = %s",
        [D(2025, 8, 14), second.pk],
    )
    # The later of the two dates, not the last one written.
    assert concluded(proceedings) == D(2025, 9, 1)
    raw("UPDATE cases_childproceedings SET final_outcome_date = %s WHERE id = %s", [D(2025, 9, 29), second.pk])
    assert concluded(proceedings) == D(2025, 9, 29)
    # Correcting an outcome away reopens the application.
    raw(
        "UPDATE cases_childproceedings SET final_outcome_id = NULL, final_outcome_date = NULL WHERE id = %s", [first.pk]
    )
    assert concluded(proceedings) is None
    assert services.facts_drift() == []


def test_it_takes_a_concluded_case_off_the_tracker_and_brings_a_reopened_one_back():
    proceedings, (part,) = application(children=1)
    assert m.TrackerRow.objects.filter(pk=proceedings.family_id).exists()
    m.ChildProceedings.objects.filter(pk=part.pk).update(
        final_outcome_id="care_order", final_outcome_date=D(2025, 9, 1)
    )
    assert not m.TrackerRow.objects.filter(pk=proceedings.family_id).exists()
    # A new child joining the application has no final outcome: the application is open again.
    f.ChildProceedingsFactory(proceedings=proceedings)
    assert concluded(proceedings) is None
    assert m.TrackerRow.objects.filter(pk=proceedings.family_id).exists()
    assert services.facts_drift() == []


def test_it_derives_the_dates_of_many_applications_in_one_statement():
    # A bulk import concludes three applications at once: each gets its own children's last date.
    apps = [application(children=2) for _ in range(3)]
    for n, (_, parts) in enumerate(apps):
        for k, part in enumerate(parts):
            part.final_outcome_id = "care_order"
            part.final_outcome_date = D(2025, 9, 1 + n * 10 + k)
    m.ChildProceedings.objects.bulk_update(
        [part for _, parts in apps for part in parts], ["final_outcome_id", "final_outcome_date"]
    )
    assert [concluded(p) for p, _ in apps] == [D(2025, 9, 2), D(2025, 9, 12), D(2025, 9, 22)]


def test_it_recomputes_when_a_childs_part_is_deleted_or_moved():
    proceedings, (decided, waiting) = application()
    decided.final_outcome_id, decided.final_outcome_date = "care_order", D(2025, 9, 1)
    decided.save()
    assert concluded(proceedings) is None
    waiting.delete()  # entered on the wrong application
    assert concluded(proceedings) == D(2025, 9, 1)

    other = f.ProceedingsFactory(family=proceedings.family, issue_date=ISSUED)
    m.ChildProceedings.objects.filter(pk=decided.pk).update(proceedings=other)
    assert concluded(proceedings) is None  # no children left
    assert concluded(other) == D(2025, 9, 1)


def test_it_records_the_derived_change_in_the_history_with_who_made_it(social_worker):
    proceedings, (part,) = application(children=1, local_authority=social_worker.local_authority)
    part.final_outcome_id, part.final_outcome_date = "care_order", D(2025, 10, 20)
    services.child_order_save(user=social_worker, part=part)

    assert part.proceedings.concluded_date == D(2025, 10, 20)  # the service reads back what the trigger set
    (update,) = [event for event in Events.objects.tracks(proceedings) if event.pgh_label == "update"]
    assert update.pgh_diff == {"concluded_date": [None, "2025-10-20"]}
    assert update.pgh_context["user"] == social_worker.pk


def test_it_finds_and_repairs_a_concluded_date_changed_behind_the_triggers():
    proceedings, (part,) = application(children=1)
    untouched, _ = application(children=1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # a raw load, triggers off
        cursor.execute(
            "UPDATE cases_childproceedings SET final_outcome_id = 'care_order', final_outcome_date = %s WHERE id = %s",
            [D(2025, 9, 1), part.pk],
        )
    assert concluded(proceedings) is None
    assert services.facts_drift() == [proceedings.family_id]

    assert services.facts_repair() == [proceedings.family_id]
    assert concluded(proceedings) == D(2025, 9, 1)
    assert concluded(untouched) is None
    assert not m.TrackerRow.objects.filter(pk=proceedings.family_id).exists()  # concluded: off the tracker
    assert services.facts_drift() == []

    # A direct edit of the derived date is drift too.
    m.Proceedings.objects.filter(pk=untouched.pk).update(concluded_date=D(2025, 9, 2))
    assert services.facts_drift() == [untouched.family_id]
    services.facts_rebuild()
    assert concluded(untouched) is None
    assert services.facts_drift() == []


@pytest.mark.django_db(transaction=True)
def test_it_recomputes_every_application_when_migrated_and_migrates_back():
    proceedings, (part,) = application(children=1)
    migrate_to([("cases", "0011_tracker_due_dates")])
    try:
        # Without the triggers (migrated back), a final order leaves the date as it was.
        m.ChildProceedings.objects.filter(pk=part.pk).update(
            final_outcome_id="care_order", final_outcome_date=D(2025, 9, 1)
        )
        assert concluded(proceedings) is None
    finally:
        migrate_to()
    assert concluded(proceedings) == D(2025, 9, 1)


@pytest.mark.django_db(transaction=True)
def test_it_concludes_when_two_sessions_record_the_last_two_orders_at_once():
    # Each session alone sees the other's child still open; the trigger's lock on the application
    # makes the second wait for the first and then read afresh.
    proceedings, (first, second) = application()
    params = connection.get_connection_params()
    sql = "UPDATE cases_childproceedings SET final_outcome_id = 'care_order', final_outcome_date = %s WHERE id = %s"
    with psycopg.connect(**params) as one, psycopg.connect(**params) as two:
        one.execute(sql, [D(2025, 9, 1), first.pk])  # open transaction: not committed yet
        waiting = threading.Thread(target=lambda: (two.execute(sql, [D(2025, 9, 8), second.pk]), two.commit()))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # the second session waits for the first
        one.commit()
        waiting.join(timeout=10)
        assert not waiting.is_alive()
    assert concluded(proceedings) == D(2025, 9, 8)


def test_it_finds_the_demo_seeds_dates_already_equal_to_their_definition():
    # The seed loads with triggers off and writes each application's date itself; the rebuild
    # after it recomputes them, and would record an update event for any date it had to change.
    demo.seed_demo(seed=5, scale=0.2, years=2, as_of=D(2026, 10, 31))
    assert m.Proceedings.objects.exclude(concluded_date=None).exists()
    assert not Events.objects.filter(pgh_model="cases.ProceedingsEvent", pgh_label="update").exists()
    assert services.facts_drift() == []
