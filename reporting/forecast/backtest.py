"""Rolling monthly backtest: would the forecast have been right, had it been made back then?

For each of the last ``BACKTEST_MONTHS`` months whose outturn at 26 weeks is known by today
(its first day at least 26 weeks ago): train on what was known on the month's first day
(applications concluded by then, the still-open ones censored there, facts as known then), predict
every application open on that day and not yet 26 weeks old (a random sample of ``MAX_SCORED_CASES``
where more are open; the Cox model is fitted on at most ``model.MAX_FIT_APPLICATIONS``), and score
against what happened:

- C-index of the predicted time to conclusion (the conditional mean to three years) against the
  actual (still-open ones censored today), for the model and each baseline;
- Brier score of P(after 26 weeks): the mean squared gap between the probability and 1/0;
- calibration: the predictions in ten equal groups by probability, the largest gap between a
  group's mean prediction and the share of it that passed 26 weeks.

The two baselines: Kaplan-Meier alone (the same conditional probability for every application
open as long), and the rule "open over 20 weeks and no IRH listed" (given, fairly, the breach
rates the rule's two groups had in the training data rather than a flat 1 or 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lifelines.utils import concordance_index

from plo_tracker.lib.dates import add_months, month_start
from reporting.forecast import features as f
from reporting.forecast import model as fm

BACKTEST_MONTHS = 12
TRAINING_YEARS = 5
RULE_WEEKS = 20  # the rule baseline: open more than this many weeks with no IRH listed
MIN_EVENTS = 30  # a month with fewer concluded applications to learn from is not scored
# A month scores at most this many of the applications open on its first day (a random sample at
# national size, where some 13,000 are open): enough for its figures, bounded in time.
MAX_SCORED_CASES = 3_000
PREDICTORS = ("model", "km", "rule")


def window_days() -> int:
    return round(365.25 * TRAINING_YEARS)


def backtest_months(as_of: dt.date, limit_days: int, months: int = BACKTEST_MONTHS) -> list[dt.date]:
    """The months scored: the latest whose first day is at least the time limit before ``as_of``, and those before."""
    last = month_start(as_of - dt.timedelta(days=limit_days))
    if last + dt.timedelta(days=limit_days) > as_of:
        last = add_months(last, -1)
    return [add_months(last, -n) for n in range(months - 1, -1, -1)]


@dataclass
class Scores:
    c_index: float | None
    brier: float | None
    calibration_max_gap: float | None
    cases: int

    def as_dict(self) -> dict:
        return {
            "c_index": _round(self.c_index),
            "brier": _round(self.brier),
            "calibration_max_gap": _round(self.calibration_max_gap),
            "cases": self.cases,
        }


@dataclass
class Result:
    """Scores by month and pooled over every month, for the model and the baselines."""

    months: list[dict] = field(default_factory=list)
    pooled: dict[str, Scores] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return self.pooled["model"].cases if self.pooled else 0

    @property
    def brier_baseline(self) -> float | None:
        values = [
            self.pooled[k].brier for k in ("km", "rule") if self.pooled.get(k) and self.pooled[k].brier is not None
        ]
        return min(values) if values else None

    def beats_baselines(self) -> bool:
        """Better than both baselines on both the C-index and the Brier score, pooled."""
        if not self.cases:
            return False
        model = self.pooled["model"]
        others = [self.pooled["km"], self.pooled["rule"]]
        return all(
            model.c_index is not None
            and model.brier is not None
            and (o.c_index is None or model.c_index > o.c_index)
            and (o.brier is None or model.brier < o.brier)
            for o in others
        )

    def headline(self) -> dict:
        """The figures the command prints last, as JSON."""
        model = self.pooled.get("model") or Scores(None, None, None, 0)
        return {
            "c_index": _round(model.c_index),
            "brier": _round(model.brier),
            "brier_baseline": _round(self.brier_baseline),
            "calibration_max_gap": _round(model.calibration_max_gap),
            "cases": self.cases,
        }

    def as_dict(self) -> dict:
        return {
            "months": self.months,
            "pooled": {k: v.as_dict() for k, v in self.pooled.items()},
            "headline": self.headline(),
            "beats_baselines": self.beats_baselines(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def score(duration, event, predicted_duration, y, p) -> Scores:
    """C-index, Brier at 26 weeks and the calibration's largest decile gap of one predictor."""
    n = len(y)
    if not n:
        return Scores(None, None, None, 0)
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    try:
        c = concordance_index(duration, predicted_duration, event)
    except ZeroDivisionError:
        c = None  # no comparable pairs
    return Scores(c, float(np.mean((p - y) ** 2)), calibration_gap(p, y), n)


def calibration_gap(p: np.ndarray, y: np.ndarray, groups: int = 10) -> float:
    """Largest |mean prediction - observed share| over ten equal groups by prediction."""
    order = np.argsort(p, kind="stable")
    gaps = [abs(p[g].mean() - y[g].mean()) for g in np.array_split(order, min(groups, len(p))) if len(g)]
    return float(max(gaps))


def rule_flags(facts_rows: pd.DataFrame, open_days: np.ndarray) -> np.ndarray:
    return (open_days > RULE_WEEKS * 7) & (facts_rows["irh_not_listed"].to_numpy() > 0)


def rule_rates(rows: pd.DataFrame, limit_weeks: int) -> tuple[float, float]:
    """Share passing the limit among the training rows (under the limit, outcome known) the rule flags / does not."""
    known = (rows["start"] < limit_weeks) & (rows["concluded"] | (rows["weeks"] > limit_weeks))
    breach = rows["weeks"] > limit_weeks
    flagged = rule_flags(rows, rows["start"].to_numpy() * 7)
    overall = float(breach[known].mean()) if known.any() else 0.0

    def rate(mask) -> float:
        return float(breach[known & mask].mean()) if (known & mask).any() else overall

    return rate(flagged), rate(~flagged)


def open_at(facts: f.CaseFacts, day: int, limit_days: int) -> pd.DataFrame:
    """Applications open on ``day`` and not yet past the time limit: the ones a forecast is scored on."""
    apps = facts.apps
    still_open = apps["concluded"].isna() | (apps["concluded"] > day)
    return apps[(apps["issue"] <= day) & still_open & (day - apps["issue"] < limit_days)]


def run(facts: f.CaseFacts, *, as_of: dt.date, months: int = BACKTEST_MONTHS) -> Result:
    """Score the model and both baselines on each backtest month, and pooled."""
    limit_days = facts.limit_days
    limit_weeks = limit_days // 7
    today = as_of.toordinal()
    pooled: dict[str, list] = {k: [] for k in PREDICTORS}
    result = Result()
    for month in backtest_months(as_of, limit_days, months):
        cut = month.toordinal()
        followed = fm.weeks_to_conclusion(facts, cut, window_days())
        cases = open_at(facts, cut, limit_days)
        if int(followed["event"].sum()) < MIN_EVENTS or cases.empty:
            continue
        if len(cases) > MAX_SCORED_CASES:
            cases = cases.sample(n=MAX_SCORED_CASES, random_state=cut).sort_index()
        pids = cases.index.to_numpy(dtype=np.int64)
        days = np.full(len(pids), cut, dtype=np.int64)
        issues = cases["issue"].to_numpy(dtype=np.int64)
        rows = f.facts_at(facts, pids, days)
        concluded = cases["concluded"].to_numpy()
        event = ~np.isnan(concluded)
        duration = np.where(event, np.nan_to_num(concluded) - issues, today - issues)
        y = (~event | (duration > limit_days)).astype(float)
        sampled = fm.fit_sample(followed, seed=cut)
        training = fm.training_rows(facts, sampled)
        cox, km = fm.fit_cox(training, sampled), fm.kaplan_meier(followed)
        flagged_rate, other_rate = rule_rates(training, limit_weeks)
        flagged = rule_flags(rows, days - issues)
        predictions = {}
        for name, fitted in (("model", cox), ("km", km)):
            made = fm.forecast(fitted, rows, issues=issues, days=days, limit_weeks=limit_weeks)
            predictions[name] = (
                np.array([x.restricted_mean_weeks for x in made]),
                np.array([x.p_breach_26 for x in made]),
            )
        predictions["rule"] = (np.where(flagged, 1.0, 0.0), np.where(flagged, flagged_rate, other_rate))
        line = {"month": month.isoformat(), "cases": len(pids), "trained_on": len(followed)}
        for name, (predicted, p) in predictions.items():
            scores = score(duration, event, predicted, y, p)
            line[name] = scores.as_dict()
            pooled[name].append((duration, event, predicted, y, p))
        line["breached"] = int(y.sum())
        result.months.append(line)
    for name, parts in pooled.items():
        if not parts:
            result.pooled[name] = Scores(None, None, None, 0)
            continue
        duration, event, predicted, y, p = (np.concatenate([part[i] for part in parts]) for i in range(5))
        # The C-index pools month by month (a case compared with the others open that month), weighted by cases.
        c_values = [(score(*part).c_index, len(part[3])) for part in parts]
        c_values = [(c, n) for c, n in c_values if c is not None]
        pooled_scores = score(duration, event, predicted, y, p)
        if c_values:
            pooled_scores.c_index = sum(c * n for c, n in c_values) / sum(n for _, n in c_values)
        result.pooled[name] = pooled_scores
    return result
