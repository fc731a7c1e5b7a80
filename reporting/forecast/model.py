"""Time to conclusion: a Kaplan-Meier baseline and a Cox model on the facts known at each point.

Time is counted in weeks from issue (week ``t`` holds days ``7(t-1)+1`` to ``7t``), so "after 26
weeks" is ``T > 26``. Training uses every application issued in the window, as known on the cut
day: concluded ones as events, still-open ones censored there (leaving them out would train on the
quick cases only). Each application is split into four-week rows, each with its facts as known at
the row's start (an adjournment counts from the row after it happened), and fitted with lifelines'
``CoxTimeVaryingFitter`` (counting-process rows, Efron ties), whose Breslow baseline respects when
each row enters the risk set.

A forecast conditions on the time already open: with ``S(t | x) = exp(-H0(t) exp((x - mean) . beta))``,
``P(after 26 weeks | open s weeks) = S(26 | x) / S(s | x)`` (and the same for the timetable's end),
and the expected conclusion and its 80% interval are the 50th, 10th and 90th centiles of that
conditional curve. The facts are those of today, held constant ahead.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reporting.forecast import features as f

HORIZON_WEEKS = 156  # the curve stops at three years; later conclusions count as censored there
LANDMARK_WEEKS = 4  # training rows: the facts are refreshed every four weeks of an application's life
PENALIZER = 0.05  # a little ridge: court and LA indicators overlap (one court per LA in places)
# Risk bands on the probability that matters now: passing 26 weeks, or once past, the timetable's end.
BAND_HIGH, BAND_MEDIUM = 0.7, 0.4
# A fact is a reason when it lowers the chance of concluding by at least a tenth (hazard ratio 0.9).
REASON_MIN = math.log(0.9)
MAX_REASONS = 3
# The Cox model is fitted on a random sample of at most this many applications (the same sample for a
# given cut day): its estimates are unbiased under random sampling, and the fit's time stays bounded
# at national size (where five years hold some 60,000 applications) instead of growing with it.
MAX_FIT_APPLICATIONS = 6_000


@dataclass
class Survival:
    """A fitted survival model: coefficients (none for Kaplan-Meier) and the baseline cumulative hazard."""

    features: list[str]
    coefficients: np.ndarray
    means: np.ndarray
    baseline: np.ndarray  # H0 at weeks 0..HORIZON_WEEKS
    courts: list[str] = field(default_factory=list)  # indicator columns (the commonest court is the reference)
    las: list[int] = field(default_factory=list)
    events: int = 0
    cases: int = 0

    # -- storage ----------------------------------------------------------------------------
    def to_parameters(self) -> dict:
        return {
            "coefficients": dict(zip(self.features, map(float, self.coefficients), strict=True)),
            "means": dict(zip(self.features, map(float, self.means), strict=True)),
            "baseline_cumulative_hazard": [round(float(v), 8) for v in self.baseline],
            "courts": self.courts,
            "las": self.las,
            "horizon_weeks": HORIZON_WEEKS,
            "events": self.events,
            "cases": self.cases,  # the applications fitted on (a sample where there are more)
        }

    @classmethod
    def from_parameters(cls, features: list[str], parameters: dict) -> Survival:
        return cls(
            features=list(features),
            coefficients=np.array([parameters["coefficients"][n] for n in features], dtype=float),
            means=np.array([parameters["means"][n] for n in features], dtype=float),
            baseline=np.array(parameters["baseline_cumulative_hazard"], dtype=float),
            courts=list(parameters.get("courts", [])),
            las=[int(v) for v in parameters.get("las", [])],
            events=int(parameters.get("events", 0)),
            cases=int(parameters.get("cases", 0)),
        )

    @property
    def hazard_ratios(self) -> dict[str, float]:
        """exp(beta) per feature: below 1, the fact slows conclusion."""
        return {n: math.exp(b) for n, b in zip(self.features, self.coefficients, strict=True)}

    # -- prediction -------------------------------------------------------------------------
    def design(self, facts: pd.DataFrame) -> np.ndarray:
        return (
            design(facts, self.courts, self.las)[self.features].to_numpy(dtype=float)
            if self.features
            else np.zeros((len(facts), 0))
        )

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return (x - self.means) * self.coefficients

    def curves(self, x: np.ndarray) -> np.ndarray:
        """S(t | x) for t = 0..HORIZON_WEEKS, one row per application."""
        lp = self.contributions(x).sum(axis=1) if self.features else np.zeros(len(x))
        return np.exp(-np.outer(np.exp(lp), self.baseline))


def design(facts: pd.DataFrame, courts: list[str], las: list[int]) -> pd.DataFrame:
    """The numeric facts with court and LA indicators added."""
    out = facts[list(f.NUMERIC)].copy()
    for code in courts:
        out[f"court_{code}"] = (facts["court_id"] == code).astype(float)
    for pk in las:
        out[f"la_{pk}"] = (facts["la_id"] == pk).astype(float)
    return out


# -- training ------------------------------------------------------------------------------
def weeks_to_conclusion(facts: f.CaseFacts, cut: int, window_days: int) -> pd.DataFrame:
    """Per application issued in the window before ``cut``: weeks followed and whether it concluded by then."""
    apps = facts.apps
    apps = apps[(apps["issue"] <= cut) & (apps["issue"] > cut - window_days)]
    concluded = apps["concluded"].notna() & (apps["concluded"] <= cut)
    days = np.where(concluded, apps["concluded"].fillna(0) - apps["issue"], cut - apps["issue"])
    weeks = np.where(concluded, np.maximum(1, np.ceil(days / 7)), np.floor(days / 7)).astype(int)
    event = concluded.to_numpy() & (weeks <= HORIZON_WEEKS)
    out = pd.DataFrame(
        {"pid": apps.index.to_numpy(), "issue": apps["issue"].to_numpy(), "weeks": np.minimum(weeks, HORIZON_WEEKS)},
    )
    out["event"] = event
    return out[out["weeks"] >= 1].reset_index(drop=True)


def fit_sample(followed: pd.DataFrame, *, seed: int, cap: int | None = None) -> pd.DataFrame:
    """``followed`` itself, or a random sample of ``cap`` (``MAX_FIT_APPLICATIONS``) of its applications."""
    cap = MAX_FIT_APPLICATIONS if cap is None else cap
    if len(followed) <= cap:
        return followed
    return followed.sample(n=cap, random_state=seed).sort_values("pid").reset_index(drop=True)


def kaplan_meier(followed: pd.DataFrame) -> Survival:
    """Kaplan-Meier of time to conclusion (lifelines), as a model with no facts."""
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(followed["weeks"], followed["event"], timeline=np.arange(HORIZON_WEEKS + 1))
    survival = km.survival_function_.iloc[:, 0].to_numpy(dtype=float)
    with np.errstate(divide="ignore"):
        baseline = -np.log(np.clip(survival, 1e-12, 1.0))
    return Survival([], np.zeros(0), np.zeros(0), baseline, events=int(followed["event"].sum()), cases=len(followed))


def training_rows(facts: f.CaseFacts, followed: pd.DataFrame) -> pd.DataFrame:
    """Counting-process rows: each application every four weeks, its facts as known at the row's start."""
    repeats = np.ceil(followed["weeks"].to_numpy() / LANDMARK_WEEKS).astype(int)
    index = np.repeat(np.arange(len(followed)), repeats)
    first = np.concatenate([[0], np.cumsum(repeats)[:-1]])
    step = np.arange(len(index)) - np.repeat(first, repeats)
    start = step * LANDMARK_WEEKS
    weeks = followed["weeks"].to_numpy()[index]
    stop = np.minimum(start + LANDMARK_WEEKS, weeks)
    pids = followed["pid"].to_numpy()[index]
    days = followed["issue"].to_numpy()[index] + 7 * start
    rows = f.facts_at(facts, pids, days)
    rows["start"], rows["stop"] = start, stop
    rows["event"] = followed["event"].to_numpy()[index] & (stop == weeks)
    rows["pid"], rows["weeks"], rows["concluded"] = pids, weeks, followed["event"].to_numpy()[index]
    return rows


def fit_cox(rows: pd.DataFrame, followed: pd.DataFrame) -> Survival:
    """The Cox model on the facts (lifelines' time-varying fitter) over the training rows."""
    from lifelines import CoxTimeVaryingFitter

    courts = _categories(rows["court_id"])
    las = _categories(rows["la_id"])
    x = design(rows, courts, las)
    kept = [name for name in x.columns if x[name].std() > 1e-9]
    if not kept:
        return kaplan_meier(followed)  # nothing varies: the Cox model is Kaplan-Meier
    data = x[kept].assign(start=rows["start"], stop=rows["stop"], event=rows["event"].astype(int))
    fitter = CoxTimeVaryingFitter(penalizer=PENALIZER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the backtest is the judge
        fitter.fit(data, event_col="event", start_col="start", stop_col="stop")
    cumulative = fitter.baseline_cumulative_hazard_.iloc[:, 0]
    baseline = cumulative.reindex(np.arange(HORIZON_WEEKS + 1)).ffill().fillna(0.0).to_numpy(dtype=float)
    return Survival(
        features=kept,
        coefficients=fitter.params_[kept].to_numpy(dtype=float),
        means=fitter._norm_mean[kept].to_numpy(dtype=float),
        baseline=baseline,
        courts=[code for code in courts if f"court_{code}" in kept],
        las=[pk for pk in las if f"la_{pk}" in kept],
        events=int(followed["event"].sum()),
        cases=len(followed),
    )


def _categories(values: pd.Series) -> list:
    """Every value but the commonest (the reference the others are compared with)."""
    counts = values.value_counts()
    return sorted(counts.index[1:].tolist())


# -- forecasts -----------------------------------------------------------------------------
@dataclass
class Forecast:
    """One application's forecast on a day (weeks from issue; None where the curve does not reach)."""

    weeks_open: float
    p_breach_26: float
    p_breach_end: float
    median_weeks: int | None
    low_weeks: int | None
    high_weeks: int | None
    restricted_mean_weeks: float
    band: str
    contributions: np.ndarray


def band(risk: float) -> str:
    return "high" if risk >= BAND_HIGH else "medium" if risk >= BAND_MEDIUM else "low"


def forecast(model: Survival, facts: pd.DataFrame, *, issues, days, limit_weeks: int) -> list[Forecast]:
    """Conditional forecasts for applications open ``days - issues`` days, with their facts on those days."""
    x = model.design(facts)
    curves = model.curves(x)
    contributions = model.contributions(x) if model.features else np.zeros((len(x), 0))
    open_days = np.asarray(days) - np.asarray(issues)
    ends = facts["timetable_end"].to_numpy() - np.asarray(issues)
    weeks = np.arange(HORIZON_WEEKS + 1)
    out = []
    for i, curve in enumerate(curves):
        s = min(int(open_days[i] // 7), HORIZON_WEEKS)
        at_s = curve[s]
        conditional = np.where(weeks > s, curve / at_s, 1.0) if at_s > 0 else np.where(weeks > s, 0.0, 1.0)

        def prob_after(week: int, s=s, conditional=conditional) -> float:
            return 1.0 if week <= s else float(conditional[min(week, HORIZON_WEEKS)])

        def centile(level: float, conditional=conditional) -> int | None:
            hit = np.flatnonzero(conditional <= level)
            return int(hit[0]) if hit.size else None

        p26 = prob_after(limit_weeks)
        p_end = prob_after(int(ends[i] // 7))
        out.append(
            Forecast(
                weeks_open=open_days[i] / 7,
                p_breach_26=p26,
                p_breach_end=p_end,
                median_weeks=centile(0.5),
                low_weeks=centile(0.9),
                high_weeks=centile(0.1),
                restricted_mean_weeks=float(s + conditional[s + 1 :].sum()),
                band=band(p26 if s < limit_weeks else p_end),
                contributions=contributions[i],
            )
        )
    return out


# -- reasons in words -----------------------------------------------------------------------
def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _group(name: str) -> str:
    if name.startswith("adjournments"):
        return "adjournments"
    if name.startswith("assessments"):
        return "assessments"
    if name.startswith("court_"):
        return "court"
    if name.startswith("la_"):
        return "la"
    if name in ("no_pre_proceedings", "pre_proceedings_weeks"):
        return "pre_proceedings"
    return name


def reasons(model: Survival, forecast_: Forecast, row: pd.Series, case_facts: f.CaseFacts) -> list[str]:
    """The facts that most lower this application's chance of concluding, in words, strongest first.

    Only facts present on the case are worded (an absent fact is not a reason), and only those whose
    contribution lowers the hazard of concluding by at least a tenth.
    """
    groups: dict[str, float] = {}
    for name, value in zip(model.features, forecast_.contributions, strict=True):
        groups[_group(name)] = groups.get(_group(name), 0.0) + float(value)
    words = []
    for group, value in sorted(groups.items(), key=lambda item: item[1]):
        if value > REASON_MIN or len(words) >= MAX_REASONS:
            break
        text = _words(group, row, case_facts)
        if text:
            words.append(text)
    return words


def _words(group: str, row: pd.Series, case_facts: f.CaseFacts) -> str | None:
    n = int(row.get("adjournments", 0))
    if group == "adjournments" and n:
        by_driver = max(f.DRIVERS, key=lambda code: row.get(f"adjournments_{code}", 0))
        k = int(row.get(f"adjournments_{by_driver}", 0))
        return _plural(n, "adjournment") + (f", {k} {f.DRIVER_WORDS[by_driver]}" if k else "")
    if group == "children" and row["children"] >= 2:
        return f"sibling group of {int(row['children'])}"
    if group == "assessments" and row["assessments_outstanding"]:
        text = _plural(int(row["assessments_outstanding"]), "assessment") + " outstanding"
        return text + (f", {int(row['assessments_overdue'])} overdue" if row["assessments_overdue"] else "")
    if group == "extensions" and row["extensions"]:
        return _plural(int(row["extensions"]), "extension") + " granted"
    if group == "pre_proceedings":
        if row["no_pre_proceedings"]:
            return "no pre-proceedings before issue"
        return (
            f"{round(row['pre_proceedings_weeks'])} weeks of pre-proceedings" if row["pre_proceedings_weeks"] else None
        )
    if group == "court":
        label = case_facts.court_labels.get(row["court_id"], row["court_id"])
        return f"cases at {label} take longer"
    if group == "la":
        return f"{case_facts.la_names.get(row['la_id'], 'this LA')}'s cases take longer"
    flags = {
        "irh_not_listed": "IRH not listed",
        "final_beyond_limit": f"final hearing listed after week {case_facts.limit_days // 7}",
        "baby": "a baby under one",
        "pre_birth": "pre-birth case",
        "previous_proceedings": "previous care proceedings",
        "short_notice": "issued at short notice",
    }
    if group in flags and row.get(group):
        return flags[group]
    return None
