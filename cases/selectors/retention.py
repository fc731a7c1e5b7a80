"""Reads for the retention purge: when each case closed, and which closed cases are past their LA's
retention period.

A case (family) is closed when it has no open pre-proceedings episode and no open care proceedings
(``EpisodeQuerySet.open`` and ``ProceedingsQuerySet.open``, the one definition of each). It closed
on the latest of its episodes' step-down or issue decision dates and its applications' concluded
dates. A case with neither date (say, a legal gateway meeting that did not start pre-proceedings)
has no closure date and is never due.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest

from cases import models as m


def _latest(queryset: QuerySet, field: str) -> Subquery:
    """The latest ``field`` of the family's rows in ``queryset``."""
    rows = queryset.filter(family=OuterRef("pk")).order_by().values("family")
    return Subquery(rows.annotate(latest=Max(field)).values("latest"))


def closed_families() -> QuerySet[m.Family]:
    """Every closed family, with ``closed_on``: the date it closed (None if it never had one).

    PostgreSQL's GREATEST ignores a missing date, so a case with only a decision (or only a
    concluded application) closed on that date.
    """
    open_episode = m.PreProceedingsEpisode.objects.open().filter(family=OuterRef("pk"))
    open_proceedings = m.Proceedings.objects.open().filter(family=OuterRef("pk"))
    return m.Family.objects.filter(~Exists(open_episode), ~Exists(open_proceedings)).annotate(
        closed_on=Greatest(
            _latest(m.PreProceedingsEpisode.objects.all(), "step_decision_date"),
            _latest(m.Proceedings.objects.all(), "concluded_date"),
        ),
    )


def retention_cutoff(*, local_authority: m.LocalAuthority, today: dt.date) -> dt.date:
    """Cases of the LA that closed before this date are past its retention period.

    One that closed exactly the retention period ago is kept that day and due the next; a
    period ending on 29 February ends on the 28th in other years.
    """
    return today - relativedelta(years=local_authority.retention_period_years)


def families_past_retention(*, local_authority: m.LocalAuthority, today: dt.date) -> QuerySet[m.Family]:
    """The LA's closed families that closed before its retention cut-off, legal holds included."""
    cutoff = retention_cutoff(local_authority=local_authority, today=today)
    return closed_families().filter(local_authority=local_authority, closed_on__lt=cutoff)
