"""Every metric checked against figures worked out by hand for a small dataset built here.

The month under test is March 2026 (last day 31 March), computed as if today were 15 April 2026.
Essex has two areas in play (North East: Colchester team; Mid: Chelmsford team); one Suffolk case
of each kind must count in the region but never in Essex's figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases import models as m
from reporting.models import MetricRun, MetricValue, PeriodSnapshot
from reporting.services import metrics
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
MARCH = D(2026, 3, 1)
WINDOW = metrics.Window(first=D(2025, 6, 1), last=D(2026, 3, 1), as_of=D(2026, 4, 15))


def value(metric, scope_type="la", scope=None, period=MARCH, dimension=""):
    """The stored value (None when no row was written)."""
    row = MetricValue.objects.filter(
        metric=metric,
        scope_type=scope_type,
        scope_id=None if scope is None else scope.pk,
        period=period,
        dimension=dimension,
    ).first()
    return None if row is None else row.value


def approx(expected, places=4):
    return Decimal(str(round(expected, places)))


@pytest.fixture
def world(la_a, la_b):
    colchester = m.Team.objects.get(name="Colchester Family Support")  # North East
    chelmsford = m.Team.objects.get(name="Chelmsford Family Support")  # Mid
    suffolk_team = f.team_of(la_b)

    def family(team, la=la_a):
        return f.FamilyFactory(local_authority=la, team=team)

    def proceedings(team, issue, concluded=None, children=1, la=la_a):
        fam = family(team, la)
        p = f.ProceedingsFactory(family=fam, local_authority=la, issue_date=issue, concluded_date=concluded)
        parts = []
        for _ in range(children):
            part = f.ChildProceedingsFactory(proceedings=p)
            if concluded:
                part.final_outcome_id = "care_order"
                part.final_outcome_date = concluded
                part.save()
            parts.append(part)
        return p, parts

    w = {"colchester": colchester, "chelmsford": chelmsford, "la_a": la_a, "la_b": la_b}
    # --- Proceedings -------------------------------------------------------------------------
    # P1: 190 days (27.1 weeks), two children; hearings: CMH held, IRH adjourned, one vacated, final held.
    p1, _ = proceedings(colchester, D(2025, 9, 1), D(2026, 3, 10), children=2)
    cmh, irh, final = (m.HearingType.objects.get(code=x) for x in ("cmh", "irh", "final"))
    f.HearingFactory(proceedings=p1, hearing_type=cmh, listed_date=D(2025, 9, 15), status="held")
    f.HearingFactory(
        proceedings=p1, hearing_type=irh, listed_date=D(2026, 2, 16), status="adjourned", reason_id="expert_late_report"
    )
    f.HearingFactory(
        proceedings=p1,
        hearing_type=irh,
        listed_date=D(2026, 2, 9),
        status="vacated",
        vacated_on=D(2026, 2, 2),
        reason_id="court_no_courtroom",
    )
    f.HearingFactory(proceedings=p1, hearing_type=final, listed_date=D(2026, 3, 10), status="held")
    # P2: concluded on the month's last day, 176 days (25.1 weeks); one hearing held.
    p2, _ = proceedings(chelmsford, D(2025, 10, 6), D(2026, 3, 31))
    f.HearingFactory(proceedings=p2, hearing_type=cmh, listed_date=D(2025, 10, 20), status="held")
    # P3: concludes the next day, so open at 31 March: 302 days old, one extension (limit 34 weeks): past.
    _, (p3_part,) = proceedings(colchester, D(2025, 6, 2), D(2026, 4, 1))
    f.ExtensionFactory(child_proceedings=p3_part, granted_date=D(2025, 11, 24), new_end_date=D(2026, 1, 26))
    # P4: open, 162 days, no IRH: at risk. One hearing vacated in March.
    p4, _ = proceedings(chelmsford, D(2025, 10, 20))
    f.HearingFactory(
        proceedings=p4,
        hearing_type=cmh,
        listed_date=D(2026, 3, 9),
        status="vacated",
        vacated_on=D(2026, 3, 2),
        reason_id="court_no_courtroom",
    )
    # P5: open, 162 days, IRH listed: not at risk.
    p5, _ = proceedings(chelmsford, D(2025, 10, 20))
    f.HearingFactory(proceedings=p5, hearing_type=irh, listed_date=D(2026, 4, 20), status="listed")
    # Suffolk: concluded in March after 363 days.
    proceedings(suffolk_team, D(2025, 3, 17), D(2026, 3, 15), la=la_b)

    # --- Pre-proceedings ---------------------------------------------------------------------
    def episode(team, start, decided=None, outcome="", la=la_a, dob=D(2020, 5, 1), due=None, **extra):  # noqa: B008
        fam = family(team, la)
        child = f.ChildFactory(family=fam, date_of_birth=dob, expected_due_date=due)
        return f.EpisodeFactory(
            family=fam,
            local_authority=la,
            gateway_meeting_date=start,
            start_date=start,
            step_decision_date=decided,
            outcome=outcome,
            children=[child],
            **extra,
        )

    episode(colchester, D(2025, 11, 3), D(2026, 3, 2), "step_down")  # 119 days: over 16 weeks
    episode(chelmsford, D(2026, 1, 5), D(2026, 3, 16), "issue")  # 70 days
    episode(chelmsford, D(2025, 12, 1), D(2026, 3, 20), "other")  # 109 days
    # Open, 176 days at 31 March, repeat, unborn.
    episode(colchester, D(2025, 10, 6), dob=None, due=D(2026, 6, 1), previous_pre_proceedings=True)
    # Open, 21 days, a baby (born 15 April 2025: under 1 on 31 March 2026).
    episode(colchester, D(2026, 3, 10), dob=D(2025, 4, 15))
    episode(suffolk_team, D(2026, 1, 1), D(2026, 3, 5), "step_down", la=la_b)

    # --- Assessments (Essex, completed in March) ---------------------------------------------
    ep = m.PreProceedingsEpisode.objects.filter(local_authority=la_a).first()

    def assessment(code, instructed, completed, due=None):
        f.AssessmentFactory(
            family=ep.family,
            episode=ep,
            assessment_type_id=code,
            instructed_date=instructed,
            completed_date=completed,
            due_date=due,
        )

    assessment("viability", D(2026, 3, 2), D(2026, 3, 13))  # 11 days, target 14: on time
    assessment("parenting", D(2026, 1, 5), D(2026, 3, 9))  # 63 days, target 56: late
    assessment("psychological", D(2026, 1, 5), D(2026, 3, 18), due=D(2026, 3, 20))  # before due date: on time

    # --- Delay events in March ----------------------------------------------------------------
    f.DelayEventFactory(family=p1.family, proceedings=p1, event_date=D(2026, 3, 2), days_lost=14)  # expert_late_report
    f.DelayEventFactory(
        family=p4.family, proceedings=p4, event_date=D(2026, 3, 9), days_lost=10, reason_id="la_no_expert"
    )
    f.DelayEventFactory(
        family=p4.family, proceedings=p4, event_date=D(2026, 3, 9), days_lost=7, reason_id="court_no_courtroom"
    )
    suffolk_family = m.Family.objects.filter(local_authority=la_b).first()
    f.DelayEventFactory(family=suffolk_family, local_authority=la_b, event_date=D(2026, 3, 3), days_lost=30)

    run = metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
    assert run.status == MetricRun.Status.SUCCEEDED, run.error
    return w


def test_it_computes_s31_durations_within_26_and_bands_per_scope(world):
    essex, ne, mid = world["la_a"], world["colchester"].area, world["chelmsford"].area
    # Essex: 190 and 176 days.
    assert value("s31_concluded", scope=essex) == 2
    assert round(value("s31_duration_mean", scope=essex), 1) == approx((190 + 176) / 2 / 7, 1) == Decimal("26.1")
    assert round(value("s31_duration_median", scope=essex), 1) == Decimal("26.1")
    assert value("s31_within_26_share", scope=essex) == 50
    assert value("s31_duration_band", scope=essex, dimension="le26") == 1
    assert value("s31_duration_band", scope=essex, dimension="27_29") == 1
    assert value("s31_duration_band", scope=essex, dimension="ge30") == 0
    # Region adds Suffolk's 363 days: mean 729 / 3 / 7 = 34.7, median 190 / 7 = 27.1.
    assert value("s31_concluded", "region") == 3
    assert round(value("s31_duration_mean", "region"), 1) == Decimal("34.7")
    assert round(value("s31_duration_median", "region"), 1) == Decimal("27.1")
    assert value("s31_duration_band", "region", dimension="ge30") == 1
    # Suffolk alone.
    assert round(value("s31_duration_mean", scope=world["la_b"]), 1) == Decimal("51.9")
    # Area and team: North East has P1 only, Mid has P2 only.
    assert round(value("s31_duration_mean", "area", ne), 1) == Decimal("27.1")
    assert round(value("s31_duration_mean", "team", world["chelmsford"]), 1) == Decimal("25.1")
    assert value("s31_within_26_share", "area", mid) == 100


def test_it_counts_hearings_per_concluded_case_and_lost_hearings_by_reason(world):
    essex = world["la_a"]
    # P1: 3 took place (held, adjourned, held; vacated not counted); P2: 1. (3 + 1) / 2.
    assert value("hearings_per_case", scope=essex) == 2
    assert value("hearings_adjourned", scope=essex, period=D(2026, 2, 1), dimension="expert_late_report") == 1
    assert value("hearings_vacated", scope=essex, period=D(2026, 2, 1), dimension="court_no_courtroom") == 1
    assert value("hearings_vacated", scope=essex, dimension="court_no_courtroom") == 1
    assert value("hearings_vacated", scope=essex, dimension="") == 1
    assert value("hearings_adjourned", scope=essex) is None  # none adjourned in March


def test_it_measures_open_proceedings_at_the_months_last_day(world):
    essex = world["la_a"]
    # Open on 31 March: P3 (302 days), P4 (162), P5 (162). P2 concluded on the 31st: not open.
    assert value("s31_open", scope=essex) == 3
    assert round(value("s31_open_age_mean", scope=essex), 1) == approx((302 + 162 + 162) / 3 / 7, 1)
    assert value("s31_past_limit", scope=essex) == 1  # P3: 43.1 weeks > 26 + 8
    assert value("s31_at_risk", scope=essex) == 1  # P4: 23.1 weeks, no IRH
    # In February (last day 28 Feb) P1 and P2 were still open too.
    assert value("s31_open", scope=essex, period=D(2026, 2, 1)) == 5
    # One extension granted in November 2025.
    assert value("s31_extensions", scope=essex, period=D(2025, 11, 1)) == 1
    assert value("s31_extensions", scope=essex) is None


def test_it_rates_applications_per_10000_children_over_12_months(world):
    essex = world["la_a"]
    # Issued 1 April 2025 - 31 March 2026 in Essex: P1..P5 = 5 applications, 6 children (P1 has two).
    # Essex child population: latest year on or before 2026 is 2020, 317,043.
    assert value("s31_application_rate", scope=essex) == approx(5 * 10000 / 317043)
    assert value("s31_children_12m", scope=essex) == 6
    # Region: Suffolk's application (17 March 2025) is outside the 12 months.
    populations = 317043 + 152863 + 39736 + 46271
    assert value("s31_application_rate", "region") == approx(5 * 10000 / populations)
    # No rate by area or team (population is known per LA).
    assert not MetricValue.objects.filter(metric="s31_application_rate", scope_type__in=["area", "team"]).exists()
    assert value("s31_issued", scope=essex, period=D(2025, 10, 1)) == 3
    assert value("s31_children_issued", scope=essex, period=D(2025, 9, 1)) == 2


def test_it_computes_pre_proceedings_duration_step_down_and_open_episodes(world):
    essex = world["la_a"]
    assert value("pp_started", scope=essex) == 1
    assert value("pp_decided", scope=essex) == 3
    assert value("pp_decided", scope=essex, dimension="step_down") == 1
    assert value("pp_decided", scope=essex, dimension="other") == 1
    assert round(value("pp_duration_mean", scope=essex), 2) == approx((119 + 70 + 109) / 3 / 7, 2)
    assert round(value("pp_duration_median", scope=essex), 2) == approx(109 / 7, 2)
    assert round(value("pp_over_threshold_share", scope=essex), 1) == approx(100 / 3, 1)
    # Step-down rate: 1 / (1 + 1); 'other' is not in the rate.
    assert value("pp_step_down_rate", scope=essex) == 50
    # Region adds Suffolk's step-down: 2 / 3.
    assert round(value("pp_step_down_rate", "region"), 1) == approx(200 / 3, 1)
    # Open at 31 March: the unborn repeat episode (176 days) and the baby's (21 days).
    assert value("pp_open", scope=essex) == 2
    assert round(value("pp_open_duration_mean", scope=essex), 2) == approx((176 + 21) / 2 / 7, 2)
    assert value("pp_open_over_threshold", scope=essex) == 1
    assert value("pp_repeat_open", scope=essex) == 1
    assert value("pp_babies_open", scope=essex) == 2
    # The baby turns 1 on 15 April 2026: still a baby at 31 March; the team level sees both (Colchester).
    assert value("pp_babies_open", "team", world["colchester"]) == 2


def test_it_measures_assessment_timeliness_by_type(world):
    essex = world["la_a"]
    assert value("assessments_completed", scope=essex) == 3
    assert round(value("assessments_on_time_share", scope=essex), 1) == approx(200 / 3, 1)
    assert value("assessments_on_time_share", scope=essex, dimension="viability") == 100
    assert value("assessments_on_time_share", scope=essex, dimension="parenting") == 0
    assert value("assessments_on_time_share", scope=essex, dimension="psychological") == 100


def test_it_attributes_delay_days_to_drivers_and_reason_codes(world):
    essex = world["la_a"]
    # expert_late_report (14) and la_no_expert (10) both map to expert availability; 7 to court capacity.
    assert value("delay_days_by_driver", scope=essex, dimension="expert_availability") == 24
    assert value("delay_days_by_driver", scope=essex, dimension="court_capacity") == 7
    assert value("delay_days_by_driver", scope=essex, dimension="") == 31
    assert value("delay_events_by_driver", scope=essex, dimension="expert_availability") == 2
    assert value("delay_days_by_reason", scope=essex, dimension="la_no_expert") == 10
    # Suffolk's 30 days count in the region only.
    assert value("delay_days_by_driver", "region", dimension="") == 61
    assert value("delay_days_by_driver", scope=world["la_b"], dimension="") == 30


def test_it_writes_nothing_for_a_month_with_no_concluded_cases(world):
    essex = world["la_a"]
    assert value("s31_concluded", scope=essex, period=D(2025, 12, 1)) is None
    assert value("s31_duration_mean", scope=essex, period=D(2025, 12, 1)) is None
    # ...while the month's as-at figures are still there.
    assert value("s31_open", scope=essex, period=D(2025, 12, 1)) == 5


def test_it_stores_numerators_and_denominators_and_a_snapshot_per_month(world):
    row = MetricValue.objects.get(
        metric="s31_within_26_share", scope_type="la", scope_id=world["la_a"].pk, period=MARCH
    )
    assert (row.numerator, row.denominator) == (1, 2)
    run = MetricRun.objects.get()
    assert run.rows_written == MetricValue.objects.count()
    assert PeriodSnapshot.objects.count() == 10  # June 2025 to March 2026
    assert set(PeriodSnapshot.objects.values_list("run", flat=True)) == {run.pk}
    assert row.local_authority == world["la_a"]


def test_it_replaces_a_period_when_recomputed(world):
    essex = world["la_a"]
    p4 = m.Proceedings.objects.get(local_authority=essex, issue_date=D(2025, 10, 20), hearings__status="vacated")
    p4.concluded_date = D(2026, 3, 25)
    p4.save()
    second = metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
    assert value("s31_concluded", scope=essex) == 3
    assert value("s31_open", scope=essex) == 2
    assert set(MetricValue.objects.values_list("run", flat=True)) == {second.pk}
    assert PeriodSnapshot.objects.get(period=MARCH).run == second


def test_it_leaves_the_previous_snapshot_intact_when_a_run_fails_midway(world, monkeypatch):
    essex = world["la_a"]
    before = set(MetricValue.objects.values_list("pk", "metric", "value"))
    first_run = PeriodSnapshot.objects.get(period=MARCH).run
    m.Proceedings.objects.filter(local_authority=essex, concluded_date=D(2026, 3, 10)).update(
        concluded_date=D(2026, 3, 12)
    )

    def broken(cursor, params):
        raise RuntimeError("worker lost midway")

    families = list(metrics.FAMILIES)
    monkeypatch.setattr(metrics, "FAMILIES", [*families[:4], broken, *families[4:]])
    with pytest.raises(RuntimeError):
        metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
    failed = MetricRun.objects.order_by("-pk").first()
    assert failed.status == MetricRun.Status.FAILED
    assert "worker lost midway" in failed.error
    assert set(MetricValue.objects.values_list("pk", "metric", "value")) == before
    assert PeriodSnapshot.objects.get(period=MARCH).run == first_run

    monkeypatch.setattr(metrics, "FAMILIES", families)
    done = metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
    assert done.status == MetricRun.Status.SUCCEEDED
    # P1 now lasted 192 days: mean (192 + 176) / 2 / 7 = 26.3.
    assert round(value("s31_duration_mean", scope=essex), 1) == Decimal("26.3")
    assert PeriodSnapshot.objects.get(period=MARCH).run == done


def test_it_marks_a_killed_runs_log_row_as_failed_on_the_next_run(world):
    killed = MetricRun.objects.create(trigger=MetricRun.Trigger.TEST)  # left 'running' by a dead process
    metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
    killed.refresh_from_db()
    assert killed.status == MetricRun.Status.FAILED
    assert "Interrupted" in killed.error


def test_it_catches_up_missed_and_provisional_months(world):
    from django.utils import timezone

    # All months from the first data month (March 2025, Suffolk's issue) computed today: all final.
    metrics.metrics_compute(window=metrics.Window(D(2025, 3, 1), MARCH, D(2026, 4, 15)))
    PeriodSnapshot.objects.filter(period=D(2025, 7, 1)).delete()
    window = metrics.nightly_window(as_of=D(2027, 1, 10))
    # The trailing 12 months start at February 2026; July 2025 has no snapshot, so the run starts there.
    assert window.first == D(2025, 7, 1)
    assert window.last == D(2027, 1, 1)

    # Snapshots taken on 20 June 2025: March-May 2025 had ended (final); June had not (provisional).
    PeriodSnapshot.objects.update(computed_at=timezone.make_aware(dt.datetime(2025, 6, 20, 3, 0)))
    assert metrics.nightly_window(as_of=D(2027, 1, 10)).first == D(2025, 6, 1)


def test_it_skips_when_another_run_holds_the_lock(la_a):
    # No run in this test's transaction yet: a run's lock lasts until its transaction ends.
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [metrics.LOCK_KEY])
            assert cursor.fetchone()[0]
        run = metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
        assert run.status == MetricRun.Status.SKIPPED
    finally:
        other.close()
