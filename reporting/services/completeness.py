"""The regional data exercise: how completely each LA records each data dictionary field.

For every field of the case models that may be left empty (the data dictionary's fields, less the
record-keeping ones every row has), the number of the LA's records of that model with it filled in,
against the region. Aggregates only: one count query per model, run nightly as the maintenance role
(the figures span every LA, which row-level security keeps from any signed-in request's own role),
and stored as a ``CompletenessSnapshot`` with its ``CompletenessFigure`` rows, in one transaction: a
run that fails or is killed stores nothing, and the previous snapshot stays the one shown.

The counts are stored as they are. The page applies the small-number rule when it shows them
(``reporting.selectors.completeness_figures``, through ``disclosure_control``): a share with its
number of records gives away how many records have the field filled and how many do not, so both are
counts of the table (a count from 1 to 4 is withheld, with the share built on it), the region is the
sum of its LAs, and records = filled + empty; a share built on fewer records than the threshold is
withheld too. Withheld figures read ``[c]``. Where the region's sum would give a withheld LA figure
away, the region's figure is withheld rather than another LA's (``Line.withhold_total``), so that one
LA's small count does not take the other LAs' figures with it.
"""

from __future__ import annotations

import logging
import time

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from cases import models as m
from cases.permissions import CASE_MODELS
from plo_tracker.lib import tenancy
from reporting.models import CompletenessFigure, CompletenessSnapshot, MetricRun
from reporting.selectors import REGION, completeness_table

logger = logging.getLogger(__name__)

# Kept by the service on every row: complete by construction, nothing for the exercise to compare.
RECORD_KEEPING = frozenset({"id", "local_authority", "created_at", "created_by", "updated_at", "updated_by"})


def exercise_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's fields that may be left empty, in the data dictionary's order."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in RECORD_KEEPING and not f.auto_created and (f.null or f.blank)
    ]


def filled(f: models.Field) -> Q:
    """A value is recorded: not null, and not an empty text or list."""
    condition = Q(**{f"{f.name}__isnull": False}) if f.null else Q()
    if isinstance(f, ArrayField):
        return condition & ~Q(**{f.name: []})
    if isinstance(f, models.CharField | models.TextField):
        return condition & ~Q(**{f.name: ""})
    return condition


def completeness_counts() -> tuple[list[m.LocalAuthority], dict]:
    """{(model name, field or None): {la id: count}}: records per model (field None) and filled per field."""
    local_authorities = list(m.LocalAuthority.objects.order_by("name"))
    counts: dict[tuple[str, str | None], dict[int, int]] = {}
    for model in CASE_MODELS:
        fields = exercise_fields(model)
        aggregates = {f"f{i}": Count("pk", filter=filled(f)) for i, f in enumerate(fields)}
        rows = model.objects.order_by().values("local_authority_id").annotate(records=Count("pk"), **aggregates)
        counts[model.__name__, None] = {}
        for f in fields:
            counts[model.__name__, f.name] = {}
        for row in rows:
            counts[model.__name__, None][row["local_authority_id"]] = row["records"]
            for i, f in enumerate(fields):
                counts[model.__name__, f.name][row["local_authority_id"]] = row[f"f{i}"]
    return local_authorities, counts


def completeness_model_figures(
    *,
    snapshot: CompletenessSnapshot,
    model: type[models.Model],
    local_authorities: list,
    counts: dict,
    shares: dict,
    start: int,
) -> list[CompletenessFigure]:
    """One model's stored figures: its records, then each exercise field filled, for every LA and the region."""
    name, label = model.__name__, str(model._meta.verbose_name).capitalize()
    records = {la.pk: counts[name, None].get(la.pk, 0) for la in local_authorities}
    records[REGION] = sum(records.values())
    scopes = [*local_authorities, None]
    figures = [
        CompletenessFigure(
            snapshot=snapshot,
            position=start,
            model=name,
            model_label=label,
            local_authority=la,
            records=records[la.pk if la else REGION],
        )
        for la in scopes
    ]
    for offset, f in enumerate(exercise_fields(model), start=1):
        full = {la.pk: counts[name, f.name].get(la.pk, 0) for la in local_authorities}
        full[REGION] = sum(full.values())
        for la in scopes:
            scope = la.pk if la else REGION
            share = shares["share", name, f.name, scope]
            figures.append(
                CompletenessFigure(
                    snapshot=snapshot,
                    position=start + offset,
                    model=name,
                    model_label=label,
                    field=f.name,
                    field_label=str(f.verbose_name),
                    local_authority=la,
                    records=records[scope],
                    filled=full[scope],
                    share=None if share is None else round(share, 4),
                )
            )
    return figures


def completeness_compute(*, trigger: str = MetricRun.Trigger.COMMAND) -> CompletenessSnapshot:
    """Count every LA's records and filled fields, and store them as a new snapshot, all in one transaction."""
    tenancy.require_every_local_authority("The regional data exercise")
    started = time.perf_counter()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            if outermost:
                # One view of every table: the counts of all the models are as at the same instant.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # A worker killed mid-run: the server ends its transaction within seconds (nothing is stored).
            cursor.execute("SET LOCAL client_connection_check_interval = '5s'")
        now = timezone.now()
        snapshot = CompletenessSnapshot.objects.create(computed_at=now, as_at=timezone.localdate(now), trigger=trigger)
        local_authorities, counts = completeness_counts()
        # The shares as the page has always worked them out (the table's own definition).
        _table, shares = completeness_table(local_authorities, counts)
        position = 0
        for model in CASE_MODELS:
            if not exercise_fields(model):
                continue
            figures = completeness_model_figures(
                snapshot=snapshot,
                model=model,
                local_authorities=local_authorities,
                counts=counts,
                shares=shares,
                start=position,
            )
            CompletenessFigure.objects.bulk_create(figures)
            position = figures[-1].position + 1
        snapshot.duration_seconds = round(time.perf_counter() - started, 3)
        snapshot.save(update_fields=["duration_seconds"])
    logger.info("Data exercise snapshot %s stored in %.1f s", snapshot.pk, snapshot.duration_seconds)
    return snapshot
