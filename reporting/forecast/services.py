"""Train the breach forecast, validate it on the rolling backtest, and store the forecasts.

Both read every LA's applications: run them as the maintenance role (the command and the task do).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import numpy as np
from django.db import transaction
from django.utils import timezone
from threadpoolctl import threadpool_limits

from cases import thresholds
from plo_tracker.lib import tenancy
from plo_tracker.lib.dates import add_months, month_start
from reporting.forecast import backtest as bt
from reporting.forecast import features as f
from reporting.forecast import model as fm
from reporting.models import CaseForecast, ForecastModel

logger = logging.getLogger(__name__)


def load_facts(as_of: dt.date, months: int = bt.BACKTEST_MONTHS) -> f.CaseFacts:
    """Everything the backtest's earliest month and today's model train on (one read)."""
    earliest = add_months(bt.backtest_months(as_of, thresholds.current().s31_limit_days, months)[0], -1)
    return f.load(as_of=as_of, since=earliest - dt.timedelta(days=bt.window_days()))


def forecast_train(
    *, as_of: dt.date, months: int = bt.BACKTEST_MONTHS, facts: f.CaseFacts | None = None
) -> ForecastModel:
    """Backtest, then fit on everything known on ``as_of``; store the model with its figures.

    The model is ``shown`` only when it beat both baselines (Kaplan-Meier alone and the 20-week
    rule) on both the C-index and the Brier score over the backtest; ``note`` says why in words.
    """
    tenancy.require_every_local_authority("Training the forecast")
    started = time.monotonic()
    facts = facts if facts is not None else load_facts(as_of, months)
    result = bt.run(facts, as_of=as_of, months=months)
    followed = fm.weeks_to_conclusion(facts, as_of.toordinal(), bt.window_days())
    events = int(followed["event"].sum())
    now = timezone.now()
    record = ForecastModel(
        version=f"{as_of:%Y%m%d}-{now:%H%M%S%f}",
        trained_at=now,
        as_of=as_of,
        training_cases=len(followed),
        validation=result.as_dict(),
        backtest_cases=result.cases,
    )
    if events < bt.MIN_EVENTS:
        record.note = (
            f"Not trained: only {events} concluded applications in the last {bt.TRAINING_YEARS} years "
            f"(at least {bt.MIN_EVENTS} are needed). No forecast is shown."
        )
    else:
        sampled = fm.fit_sample(followed, seed=as_of.toordinal())
        cox = fm.fit_cox(fm.training_rows(facts, sampled), sampled)
        issued = facts.apps.loc[followed["pid"]]
        record.training_from = dt.date.fromordinal(int(issued["issue"].min()))
        concluded = issued["concluded"].dropna()
        concluded = concluded[concluded <= as_of.toordinal()]
        record.training_to = dt.date.fromordinal(int(concluded.max())) if len(concluded) else None
        record.features = cox.features
        record.parameters = cox.to_parameters()
        headline = result.headline()
        record.c_index, record.brier = headline["c_index"], headline["brier"]
        record.brier_baseline, record.calibration_max_gap = headline["brier_baseline"], headline["calibration_max_gap"]
        record.shown = result.beats_baselines()
        record.note = _note(result)
    record.duration_seconds = time.monotonic() - started
    record.save()
    logger.info("Forecast model %s trained in %.1f s: %s", record.version, record.duration_seconds, record.note)
    return record


def _note(result: bt.Result) -> str:
    if not result.cases:
        return "Not shown: no month could be backtested yet (too little history)."
    model, km, rule = (result.pooled[k] for k in ("model", "km", "rule"))
    figures = (
        f"C-index {model.c_index:.3f} against {km.c_index:.3f} (Kaplan-Meier) and {rule.c_index:.3f} (20-week rule); "
        f"Brier score {model.brier:.3f} against {km.brier:.3f} and {rule.brier:.3f}, over {result.cases:,} "
        f"forecasts in {len(result.months)} months."
    )
    if result.beats_baselines():
        return "Shown: the model beat both baselines on the backtest. " + figures
    return "Not shown: the model did not beat both baselines on the backtest. " + figures


def forecasts_store(*, model: ForecastModel, as_of: dt.date, facts: f.CaseFacts | None = None) -> int:
    """Forecast every application open on ``as_of`` and replace that month's rows in one transaction.

    Stored whether or not the model is shown, so forecasts can be compared with the outturn later;
    the selectors return only those of a shown model. Returns the number of rows written.
    """
    tenancy.require_every_local_authority("Storing the forecasts")
    if not model.features and not model.parameters:
        return 0
    facts = facts if facts is not None else load_facts(as_of, 1)
    survival = fm.Survival.from_parameters(model.features, model.parameters)
    day = as_of.toordinal()
    apps = facts.apps
    cases = apps[(apps["issue"] <= day) & (apps["concluded"].isna() | (apps["concluded"] > day))]
    pids = cases.index.to_numpy(dtype=np.int64)
    days = np.full(len(pids), day, dtype=np.int64)
    issues = cases["issue"].to_numpy(dtype=np.int64)
    rows = f.facts_at(facts, pids, days)
    made = fm.forecast(survival, rows, issues=issues, days=days, limit_weeks=facts.limit_days // 7)
    month = month_start(as_of)

    def date_at(issue: int, weeks: int | None) -> dt.date | None:
        return None if weeks is None else dt.date.fromordinal(max(day, int(issue) + 7 * weeks))

    records = []
    for i, (pid, forecast) in enumerate(zip(pids, made, strict=True)):
        expected = date_at(issues[i], forecast.median_weeks) or date_at(issues[i], fm.HORIZON_WEEKS)
        records.append(
            CaseForecast(
                model=model,
                local_authority_id=int(rows.at[i, "la_id"]),
                proceedings_id=int(pid),
                month=month,
                as_of=as_of,
                weeks_open=round(forecast.weeks_open, 2),
                p_breach_26=round(forecast.p_breach_26, 4),
                p_breach_end=round(forecast.p_breach_end, 4),
                expected_conclusion=expected,
                interval_low=date_at(issues[i], forecast.low_weeks),
                interval_high=date_at(issues[i], forecast.high_weeks),
                band=forecast.band,
                reasons=fm.reasons(survival, forecast, rows.iloc[i], facts),
            )
        )
    with transaction.atomic():
        CaseForecast.objects.filter(month=month).delete()
        CaseForecast.objects.bulk_create(records, batch_size=2000)
    return len(records)


def forecast_run(*, as_of: dt.date, months: int = bt.BACKTEST_MONTHS) -> tuple[ForecastModel, int]:
    """The nightly job: train (with the backtest) and store this month's forecasts, from one read.

    With one BLAS thread: the Cox fits multiply small matrices, where OpenBLAS's threads only
    compete with each other and the rest of the machine (each fit 4-7 times slower on two busy cores).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        facts = load_facts(as_of, months)
        model = forecast_train(as_of=as_of, months=months, facts=facts)
        return model, forecasts_store(model=model, as_of=as_of, facts=facts)
