"""Calendar rules the service needs: months (a period is a calendar month) and working days in England."""

from __future__ import annotations

import datetime as dt

from dateutil.easter import easter


def month_start(day: dt.date) -> dt.date:
    """The first day of the month ``day`` falls in."""
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after (or before) the month of ``month``."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of the month of ``month`` (the day a period's "as at" figures are taken)."""
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


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
