"""The timescales every rule measures against, read from the ``Threshold`` reference table.

This is the one place code gets a threshold from: pages, forms, the next-due engine, metrics and
board packs call ``current()``; SQL gets the values as parameters (``as_sql_params``) or reads the
same table. There are no defaults in code: a threshold missing from the table, in the wrong unit
or not a whole number stops with an error that names it, rather than a figure silently computed
against a guess.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured


class ThresholdError(ImproperlyConfigured):
    """The reference table does not hold a threshold the service needs, or holds it wrongly."""


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """Every threshold, typed. Field names are the table's codes; the suffix says the unit."""

    # Care proceedings (Children Act 1989 s.32; PD12A)
    s31_limit_weeks: int
    extension_max_weeks: int
    cmh_earliest_day: int
    cmh_latest_day: int
    irh_by_week: int
    final_by_week: int
    s31_band_long_weeks: int
    # HMCTS public law progress report flags
    cmh_late_day: int
    irh_late_day: int
    final_late_day: int
    # Pre-proceedings (local policy)
    pp_threshold_weeks: int
    pp_review_interval_weeks: int
    pp_initial_meeting_days: int
    fgdm_by_weeks: int
    # Pre-birth good practice
    pre_birth_plan_week: int
    full_term_weeks: int

    # -- Derived values, so no caller multiplies by 7 on its own ------------------------------

    @property
    def s31_limit(self) -> dt.timedelta:
        return dt.timedelta(weeks=self.s31_limit_weeks)

    @property
    def s31_limit_days(self) -> int:
        return self.s31_limit_weeks * 7

    @property
    def extension_max(self) -> dt.timedelta:
        return dt.timedelta(weeks=self.extension_max_weeks)

    @property
    def extension_max_days(self) -> int:
        return self.extension_max_weeks * 7

    @property
    def irh_by_days(self) -> int:
        return self.irh_by_week * 7

    @property
    def s31_band_long_days(self) -> int:
        return self.s31_band_long_weeks * 7

    @property
    def pp_threshold_days(self) -> int:
        return self.pp_threshold_weeks * 7

    @property
    def pre_birth_plan_before_due(self) -> dt.timedelta:
        """How long before the expected due date the pre-birth plan is shared (week 35 of 40: 5 weeks)."""
        return dt.timedelta(weeks=self.full_term_weeks - self.pre_birth_plan_week)

    def timetable_end(self, issue_date: dt.date) -> dt.date:
        """The end of a child's timetable before any extension: issue date + the statutory limit."""
        return issue_date + self.s31_limit

    def as_sql_params(self) -> dict[str, int]:
        """Every threshold and derived day count as named SQL parameters (``%(s31_limit_days)s``)."""
        params = dataclasses.asdict(self)
        params.update(
            s31_limit_days=self.s31_limit_days,
            extension_max_days=self.extension_max_days,
            irh_by_days=self.irh_by_days,
            s31_band_long_days=self.s31_band_long_days,
            pp_threshold_days=self.pp_threshold_days,
        )
        return params


CODES: tuple[str, ...] = tuple(field.name for field in dataclasses.fields(Thresholds))


def _unit_of(code: str) -> str:
    return "weeks" if code.endswith(("_weeks", "_week")) else "days"


def from_rows(rows: dict[str, tuple[Decimal, str]]) -> Thresholds:
    """Typed thresholds from ``{code: (value, unit)}``; raises ``ThresholdError`` naming what is wrong."""
    missing = [code for code in CODES if code not in rows]
    if missing:
        raise ThresholdError(f"The reference table has no threshold {', '.join(missing)}: load the reference data.")
    values = {}
    for code in CODES:
        value, unit = rows[code]
        if unit != _unit_of(code):
            raise ThresholdError(f"Threshold {code} must be in {_unit_of(code)}, not {unit}.")
        if value is None or value != int(value) or value < 0:
            raise ThresholdError(f"Threshold {code} must be a whole number of {unit}, not {value}.")
        values[code] = int(value)
    return Thresholds(**values)


def current() -> Thresholds:
    """The thresholds in force now (one query)."""
    from cases.models import Threshold

    rows = {code: (value, unit) for code, value, unit in Threshold.objects.values_list("code", "value", "unit")}
    return from_rows(rows)


def shipped() -> Thresholds:
    """The thresholds the reference data ships with, read from code, not the database.

    Only for describing the API (the OpenAPI schema's choices), which is generated without a request
    and must not depend on what a database holds; every figure and flag uses ``current()``.
    """
    from cases.reference_data import THRESHOLDS

    return from_rows({code: (Decimal(value), unit) for code, _label, value, unit, *_rest in THRESHOLDS})
