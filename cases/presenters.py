"""A case as one row: the case list, the tracker list, its CSV and Excel exports and the meeting item page.

A row shows the case (a family with its tracker facts, from ``tracker_queryset`` or
``tracker_cases``), the flags raised and the status in words, what is due next and the weeks
elapsed. A closed family (a search finds those too) has no facts: it shows as closed, with no
flags and nothing due.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TypedDict

from cases import next_due
from cases.flags import Flag, row_flags, row_reason
from cases.selectors import tracker

CLOSED_REASON = "Closed: no open pre-proceedings or care proceedings."
# Cases whose next hearings are looked up in one query (a page is one batch, an export several).
BATCH = 1000


class CaseRow(TypedDict):
    """One row: templates read ``row.case``, code ``row["case"]``."""

    case: object  # a family, with its tracker facts unless closed
    closed: bool
    flags: list[Flag]
    reason: str
    next_due: next_due.DueItem | None
    weeks: int | None


def is_closed(case) -> bool:
    """A case with no tracker facts (no open episode or proceedings) is closed."""
    return getattr(case, "days_elapsed", None) is None


def case_row(case, *, today: dt.date, flags: Sequence[Flag]) -> CaseRow:
    """One case as a row; an open case needs ``next_hearing`` set (``case_rows`` does it)."""
    if is_closed(case):
        return CaseRow(case=case, closed=True, flags=[], reason=CLOSED_REASON, next_due=None, weeks=None)
    return CaseRow(
        case=case,
        closed=False,
        flags=row_flags(case, flags),
        reason=row_reason(case, flags),
        next_due=next_due.next_due(case, today=today, next_hearing=case.next_hearing),
        weeks=case.days_elapsed // 7,
    )


def case_rows(cases: Iterable, *, today: dt.date, flags: Sequence[Flag]) -> Iterator[CaseRow]:
    """Cases as rows, in order, finding the open ones' next hearings in one query per batch.

    ``flags`` is ``tracker.worded_flags(limits)``, worked out once for the whole list.
    """
    cases = iter(cases)
    while batch := list(itertools.islice(cases, BATCH)):
        tracker.attach_next_hearings([case for case in batch if not is_closed(case)], today=today)
        for case in batch:
            yield case_row(case, today=today, flags=flags)
