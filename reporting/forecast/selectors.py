"""Reads of the stored forecast for the tracker, the case page, the dashboard and the board pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max

from cases.permissions import SEE_IDENTIFIABLE
from reporting.models import CaseForecast, ForecastModel


def current_model() -> ForecastModel | None:
    """The latest trained model (shown or not: its ``note`` says why a forecast is not shown)."""
    return ForecastModel.objects.order_by("-trained_at", "-pk").first()


def latest_month() -> dt.date | None:
    """The latest month with stored forecasts (first day), or None before the first run."""
    return CaseForecast.objects.aggregate(month=Max("month"))["month"]


def forecasts_for(*, user, proceedings_ids: Iterable[int], month: dt.date | None = None) -> dict[int, CaseForecast]:
    """The forecasts of the given applications the user may see, by application id; one query.

    Scoped like ``visible_to``: only a member of an LA who sees identifiable records, only their own
    LA's applications. ``month`` (first day) defaults to the latest month stored. Only forecasts of a
    model that beat both baselines are returned: a forecast that was not shown stays unseen.
    """
    ids = list(proceedings_ids)
    if not ids or not SEE_IDENTIFIABLE(user):
        return {}
    rows = CaseForecast.objects.filter(
        local_authority_id=user.local_authority_id, proceedings_id__in=ids, model__shown=True
    )
    if month is None:
        month = latest_month()
        if month is None:
            return {}
    rows = rows.filter(month=month).select_related("model")
    return {row.proceedings_id: row for row in rows}
