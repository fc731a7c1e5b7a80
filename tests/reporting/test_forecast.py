"""The breach forecast: finds a known effect, conditions on time open, sees no later facts, says when no better."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.db import connection

from cases import constants as c
from cases import models as m
from reporting.forecast import backtest as bt
from reporting.forecast import features, selectors, services
from reporting.forecast import model as fm
from reporting.models import CaseForecast, ForecastModel
from tests import factories as f

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 10, 31)
# Held-out calibration: over the backtest's ten deciles, no group's mean forecast is further than
# this from the share of it that passed 26 weeks (about 100 forecasts a decile: a share's standard
# error is about 0.05, and the facts are refreshed every four weeks in training).
CALIBRATION_TOLERANCE = 0.2


def build(count: int, *, seed: int, adjournments: bool, la_code: str = "881") -> None:
    """Synthetic applications over four years. With ``adjournments``, half have two hearings adjourned
    (on days 30 and 60) and take 16 weeks longer; without, nothing distinguishes one from another."""
    rnd = random.Random(seed)
    la = f.la(la_code)
    team = f.team_of(la)
    court = m.Court.objects.get(code="chelmsford")
    families = m.Family.objects.bulk_create(
        [
            m.Family(local_authority=la, la_reference=f"FC-{la_code}-{i}", name="Synthetic", team=team)
            for i in range(count)
        ]
    )
    children = m.Child.objects.bulk_create(
        [
            m.Child(
                local_authority=la,
                family=family,
                la_child_id=f"FC-{la_code}-{i}",
                last_name="Synthetic",
                date_of_birth=dt.date(2018, 1, 1),
            )
            for i, family in enumerate(families)
        ]
    )
    plans = []
    for _ in range(count):
        issue = AS_OF - dt.timedelta(days=rnd.randint(14, 4 * 365))
        slowed = adjournments and rnd.random() < 0.5
        weeks = 14 + rnd.gammavariate(2, 6) + (16 if slowed else 0)
        plans.append((issue, issue + dt.timedelta(days=round(weeks * 7)), slowed))
    proceedings = m.Proceedings.objects.bulk_create(
        [
            m.Proceedings(
                local_authority=la,
                family=family,
                court=court,
                court_case_number=f"FC{la_code}{i:05d}",
                issue_date=issue,
            )
            for i, (family, (issue, _, _)) in enumerate(zip(families, plans, strict=True))
        ]
    )
    parts, hearings = [], []
    cmh = m.HearingType.objects.get(code="cmh")
    for p, child, (issue, conclusion, slowed) in zip(proceedings, children, plans, strict=True):
        concluded = conclusion <= AS_OF
        parts.append(
            m.ChildProceedings(
                local_authority=la,
                proceedings=p,
                child=child,
                final_outcome_id="care_order" if concluded else None,
                final_outcome_date=conclusion if concluded else None,
            )
        )
        for day in (30, 60) if slowed else ():
            if issue + dt.timedelta(days=day) <= AS_OF:
                hearings.append(
                    m.Hearing(
                        local_authority=la,
                        proceedings=p,
                        hearing_type=cmh,
                        listed_on=issue + dt.timedelta(days=1),
                        listed_date=issue + dt.timedelta(days=day),
                        status=c.HearingStatus.ADJOURNED,
                        reason_id="expert_late_report",
                    )
                )
    m.ChildProceedings.objects.bulk_create(parts)
    m.Hearing.objects.bulk_create(hearings)


def test_it_finds_that_adjournments_slow_conclusion_and_is_calibrated_on_held_out_cases():
    build(700, seed=11, adjournments=True)
    model = services.forecast_train(as_of=AS_OF)
    ratios = fm.Survival.from_parameters(model.features, model.parameters).hazard_ratios
    # Adjourned cases take longer: a lower hazard of concluding for each adjournment.
    assert ratios["adjournments"] < 0.8
    pooled = model.validation["pooled"]
    # Held out: each backtest month predicts applications open then, trained only on what was known before.
    assert model.backtest_cases > 300
    assert pooled["model"]["calibration_max_gap"] <= CALIBRATION_TOLERANCE
    assert model.calibration_max_gap == pooled["model"]["calibration_max_gap"]
    # With the effect to find, it beats both baselines and is shown.
    assert pooled["model"]["c_index"] > max(pooled["km"]["c_index"], pooled["rule"]["c_index"])
    assert pooled["model"]["brier"] < min(pooled["km"]["brier"], pooled["rule"]["brier"])
    assert model.shown
    assert model.note.startswith("Shown")


def test_it_fits_on_a_bounded_sample_and_scores_a_bounded_sample_and_still_finds_the_effect(monkeypatch):
    """At national size the fits and the scoring take a random sample: here, capped at 300 applications
    fitted and 40 scored a month, of the 700 built, the effect is still found and each month scores 40."""
    build(700, seed=11, adjournments=True)
    monkeypatch.setattr(fm, "MAX_FIT_APPLICATIONS", 300)
    monkeypatch.setattr(bt, "MAX_SCORED_CASES", 40)
    model = services.forecast_train(as_of=AS_OF)
    assert model.parameters["cases"] == 300  # the final fit's sample; training_cases counts every one
    assert model.training_cases > 300
    months = model.validation["months"]
    assert months
    assert all(month["cases"] <= 40 for month in months)
    assert any(month["cases"] == 40 for month in months)
    assert fm.Survival.from_parameters(model.features, model.parameters).hazard_ratios["adjournments"] < 0.8


def test_a_fit_sample_is_the_same_for_a_seed_and_drawn_from_the_applications():
    followed = pd.DataFrame({"pid": range(1, 13), "issue": range(12), "weeks": [5] * 12, "event": [True] * 12})
    sample = fm.fit_sample(followed, seed=3, cap=5)
    assert len(sample) == 5
    assert set(sample["pid"]) <= set(followed["pid"])
    assert list(sample["pid"]) == sorted(sample["pid"])
    assert sample.equals(fm.fit_sample(followed, seed=3, cap=5))
    assert fm.fit_sample(followed, seed=3, cap=12) is followed


def test_it_stores_a_forecast_per_open_application_with_reasons_and_replaces_the_month():
    build(700, seed=11, adjournments=True)
    model = services.forecast_train(as_of=AS_OF)
    open_ids = set(m.Proceedings.objects.open().values_list("pk", flat=True))
    assert services.forecasts_store(model=model, as_of=AS_OF) == len(open_ids)
    assert services.forecasts_store(model=model, as_of=AS_OF) == len(open_ids)  # replaced, not added
    rows = list(CaseForecast.objects.filter(month=dt.date(2026, 10, 1)))
    assert {row.proceedings_id for row in rows} == open_ids
    adjourned = [row for row in rows if m.Hearing.objects.filter(proceedings_id=row.proceedings_id).count() == 2]
    young = [row for row in adjourned if row.weeks_open < 20]
    assert young
    assert all("2 adjournments, 2 for expert reports" in row.reasons for row in young)
    for row in rows:
        assert 0 <= row.p_breach_26 <= 1
        assert row.band in ("high", "medium", "low")
        assert row.expected_conclusion >= AS_OF
        assert row.interval_low is None or row.interval_low <= row.expected_conclusion
        if row.weeks_open >= 26:
            assert row.p_breach_26 == 1.0


def test_it_conditions_on_the_weeks_already_open_as_a_hand_worked_kaplan_meier():
    # Six applications: concluded in weeks 10, 20, 30, 40 and 50, one still open at week 30.
    followed = pd.DataFrame(
        {"pid": range(6), "issue": [0] * 6, "weeks": [10, 20, 30, 30, 40, 50], "event": [1, 1, 1, 0, 1, 1]}
    ).astype({"event": bool})
    km = fm.kaplan_meier(followed)
    # By hand: S = 1 to week 9, 5/6 from 10, 4/6 from 20, 4/6 x 3/4 = 1/2 from 30 (the open one is
    # still at risk in week 30), 1/4 from 40, 0 from 50. So S(26) = 4/6, and
    # open 5 weeks: S(26)/S(5) = (4/6)/1; open 15: (4/6)/(5/6) = 0.8; open 22: (4/6)/(4/6) = 1.
    issues = np.zeros(3, dtype=np.int64)
    days = np.array([5, 15, 22]) * 7
    rows = pd.DataFrame({"timetable_end": issues + 26 * 7})
    made = fm.forecast(km, rows, issues=issues, days=days, limit_weeks=26)
    assert [round(x.p_breach_26, 6) for x in made] == [round(4 / 6, 6), 0.8, 1.0]
    # Open 15 weeks, the conditional curve is 0.8 from week 20, 0.6 from 30, 0.3 from 40: median week 40,
    # 80% interval weeks 20 (first at or below 0.9) to 50 (first at or below 0.1).
    assert (made[1].median_weeks, made[1].low_weeks, made[1].high_weeks) == (40, 20, 50)


def test_it_does_not_see_a_listing_made_after_the_day():
    p = f.ProceedingsFactory(issue_date=dt.date(2026, 3, 2))
    f.ChildProceedingsFactory(proceedings=p)
    irh = m.HearingType.objects.get(code="irh")
    f.HearingFactory(proceedings=p, hearing_type=irh, listed_on=dt.date(2026, 6, 10), listed_date=dt.date(2026, 7, 20))
    f.HearingFactory(
        proceedings=p,
        listed_on=dt.date(2026, 3, 3),
        listed_date=dt.date(2026, 6, 15),
        status=c.HearingStatus.ADJOURNED,
        reason_id="expert_late_report",
    )
    facts = features.load(as_of=AS_OF)

    def on(day: dt.date) -> pd.Series:
        return features.facts_at(facts, [p.pk], [day.toordinal()]).iloc[0]

    # On 1 June the IRH was not yet listed and the hearing not yet adjourned; by 20 June both were.
    assert on(dt.date(2026, 6, 1))[["irh_not_listed", "adjournments"]].tolist() == [1.0, 0.0]
    later = on(dt.date(2026, 6, 20))
    assert later[["irh_not_listed", "adjournments", "adjournments_expert_availability"]].tolist() == [0.0, 1.0, 1.0]


def test_it_does_not_show_a_model_that_cannot_beat_the_baseline():
    # Nothing distinguishes one application from another: the model can only equal Kaplan-Meier.
    build(500, seed=5, adjournments=False)
    model = services.forecast_train(as_of=AS_OF)
    assert model.backtest_cases > 0
    assert not model.shown
    assert model.note.startswith("Not shown: the model did not beat both baselines")
    services.forecasts_store(model=model, as_of=AS_OF)
    assert CaseForecast.objects.exists()
    user = f.UserFactory(username="sw.forecast")
    ids = list(m.Proceedings.objects.values_list("pk", flat=True))
    assert selectors.forecasts_for(user=user, proceedings_ids=ids) == {}


def test_it_shows_forecasts_only_of_the_users_own_la(social_worker, other_la_user, board_member):
    build(700, seed=11, adjournments=True)
    model, stored = services.forecast_run(as_of=AS_OF)
    assert model.shown
    assert stored
    ids = list(m.Proceedings.objects.open().values_list("pk", flat=True))
    assert set(selectors.forecasts_for(user=social_worker, proceedings_ids=ids)) == set(ids)
    assert selectors.forecasts_for(user=other_la_user, proceedings_ids=ids) == {}
    assert selectors.forecasts_for(user=board_member, proceedings_ids=ids) == {}
    assert selectors.current_model() == model


def test_it_prints_the_backtest_and_its_figures_as_json_last():
    build(700, seed=11, adjournments=True)
    out = StringIO()
    call_command("forecast", "--backtest", "--as-of", AS_OF.isoformat(), stdout=out)
    lines = out.getvalue().strip().splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) == {"c_index", "brier", "brier_baseline", "calibration_max_gap", "cases"}
    model = ForecastModel.objects.get()
    assert figures["cases"] == model.backtest_cases > 0
    assert figures["c_index"] == model.c_index
    assert any(line.startswith("2026-05") for line in lines)  # the latest month with a known outturn
    assert any(line.startswith("All") for line in lines)


def test_the_nightly_task_trains_and_stores_and_is_scheduled(settings):
    from reporting import tasks

    build(300, seed=3, adjournments=True)
    model_id = tasks.train_forecast.apply(args=[AS_OF.isoformat()]).get()
    assert ForecastModel.objects.filter(pk=model_id).exists()
    assert CaseForecast.objects.filter(model_id=model_id).count() == m.Proceedings.objects.open().count()
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reporting.train_forecast")
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {50})
    assert connection.vendor == "postgresql"
