"""Calendar rules the service needs: working days in England."""

from __future__ import annotations

import datetime as dt

from dateutil.easter import easter


def _bank_holidays_early_in_month(year: int, month: int) -> set[dt.date]:
    """Bank holidays in England that can fall in a month's first week (New Year, Easter Monday, early May)."""
    days: set[dt.date] = set()
    if month == 1:
        new_year = dt.date(year, 1, 1)
        # Substitute day when 1 January is a weekend.
        while new_year.weekday() >= 5:
            new_year += dt.timedelta(days=1)
        days.add(new_year)
    easter_monday = easter(year) + dt.timedelta(days=1)
    if easter_monday.month == month:
        days.add(easter_monday)
    if month == 5:
        first = dt.date(year, 5, 1)
        days.add(first + dt.timedelta(days=(0 - first.weekday()) % 7))
    return days


def first_working_day(year: int, month: int) -> dt.date:
    """The first weekday of the month that is not a bank holiday in England."""
    holidays = _bank_holidays_early_in_month(year, month)
    day = dt.date(year, month, 1)
    while day.weekday() >= 5 or day in holidays:
        day += dt.timedelta(days=1)
    return day
