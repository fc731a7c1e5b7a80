"""The regional data exercise: how completely each LA records each data dictionary field.

For every field of the case models that may be left empty (the data dictionary's fields, less the
record-keeping ones every row has), the share of the LA's records of that model with it filled in,
against the region. Aggregates only: one count query per model, run as the maintenance role (the
figures span every LA, which row-level security keeps from any signed-in request's own role).

The shares go through ``reporting.selectors.disclosure_control``, the one small-number rule: a share
with its number of records gives away how many records have the field filled and how many do not,
so both are counts of the table (a count from 1 to 4 is withheld, with the share built on it), the
region is the sum of its LAs, and records = filled + empty; a share built on fewer records than the
threshold is withheld too. Withheld figures read ``[c]``. Where the region's sum would give a
withheld LA figure away, the region's figure is withheld rather than another LA's (``Line.withhold_total``),
so that one LA's small count does not take the other LAs' figures with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Count, Q

from cases import models as m
from cases.permissions import CASE_MODELS
from plo_tracker.lib import tenancy
from reporting.charts import SUPPRESSED, Withheld
from reporting.selectors import Line, Table, disclosure_control, small_number_threshold

REGION = "region"
# Kept by the service on every row: complete by construction, nothing for the exercise to compare.
RECORD_KEEPING = frozenset({"id", "local_authority", "created_at", "created_by", "updated_at", "updated_by"})
ONE_DECIMAL = Decimal("0.1")

Shown = Decimal | None | Withheld


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


@dataclass(frozen=True)
class FieldRow:
    model: str
    field: str
    label: str
    cells: list  # Shown share (percent, one decimal) for each scope, in ``Completeness.scopes`` order


@dataclass(frozen=True)
class ModelBlock:
    model: str
    label: str
    records: list  # Shown count of records for each scope
    rows: list[FieldRow]


@dataclass(frozen=True)
class Completeness:
    scopes: list[tuple[object, str]]  # (scope key, heading): each LA, then the region
    blocks: list[ModelBlock]

    @property
    def suppressed(self) -> bool:
        return any(
            value is SUPPRESSED
            for block in self.blocks
            for value in [*block.records, *(v for row in block.rows for v in row.cells)]
        )


def completeness_counts() -> tuple[list[m.LocalAuthority], dict]:
    """{(model name, field or None): {la id: count}}: records per model (field None) and filled per field."""
    local_authorities = list(m.LocalAuthority.objects.order_by("name"))
    counts: dict[tuple[str, str | None], dict[int, int]] = {}
    with tenancy.maintenance():
        tenancy.require_every_local_authority("The regional data exercise")
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


def completeness_table(local_authorities: list[m.LocalAuthority], counts: dict) -> tuple[Table, dict]:
    """The counts as a table for ``disclosure_control``, and each share's value by its cell."""
    threshold = small_number_threshold()
    scopes = [la.pk for la in local_authorities]
    cells: dict = {}
    lines: list[Line] = []
    built_on: dict = {}
    few_cases = set()
    shares = {}
    for (model, field_name), by_la in counts.items():
        if field_name is not None:
            continue
        records = {scope: Decimal(by_la.get(scope, 0)) for scope in scopes}
        records[REGION] = sum(records.values(), Decimal(0))
        for scope, value in records.items():
            cells["records", model, scope] = value
        lines.append(
            Line(("records", model, REGION), tuple(("records", model, s) for s in scopes), withhold_total=True)
        )
        for (other, name), filled_by_la in counts.items():
            if other != model or name is None:
                continue
            full = {scope: Decimal(filled_by_la.get(scope, 0)) for scope in scopes}
            full[REGION] = sum(full.values(), Decimal(0))
            # The region's line first: where a small count is in an LA and so in the region, disclosure
            # control then withholds the region's other part before an LA's, keeping the other LAs' figures.
            for scope in [REGION, *scopes]:
                cells["filled", model, name, scope] = full[scope]
                cells["empty", model, name, scope] = records[scope] - full[scope]
                lines.append(
                    Line(("records", model, scope), (("filled", model, name, scope), ("empty", model, name, scope)))
                )
                share = ("share", model, name, scope)
                built_on[share] = [("filled", model, name, scope), ("empty", model, name, scope)]
                if 0 < records[scope] < threshold:
                    few_cases.add(share)
                shares[share] = (full[scope] * 100 / records[scope]) if records[scope] else None
            for kind in ("filled", "empty"):
                parts = tuple((kind, model, name, s) for s in scopes)
                lines.append(Line((kind, model, name, REGION), parts, withhold_total=True))
    table = Table(counts=cells, lines=lines, built_on=built_on, few_cases=frozenset(few_cases))
    return table, shares


def regional_completeness() -> Completeness:
    """Each LA's and the region's completeness of every exercise field, with the small-number rule applied."""
    local_authorities, counts = completeness_counts()
    table, shares = completeness_table(local_authorities, counts)
    withheld = disclosure_control(table, threshold=small_number_threshold())
    scope_keys = [*(la.pk for la in local_authorities), REGION]

    def shown(cell, value) -> Shown:
        if value is None:
            return None
        return SUPPRESSED if cell in withheld else value

    blocks = []
    for model in CASE_MODELS:
        name = model.__name__
        records = [shown(("records", name, s), table.counts["records", name, s]) for s in scope_keys]
        rows = []
        for f in exercise_fields(model):
            cells = []
            for s in scope_keys:
                value = shares["share", name, f.name, s]
                value = value.quantize(ONE_DECIMAL, ROUND_HALF_UP) if value is not None else None
                cells.append(shown(("share", name, f.name, s), value))
            rows.append(FieldRow(model=name, field=f.name, label=str(f.verbose_name), cells=cells))
        if rows:
            blocks.append(
                ModelBlock(model=name, label=str(model._meta.verbose_name).capitalize(), records=records, rows=rows)
            )
    headings = [(la.pk, la.short_name) for la in local_authorities] + [(REGION, "Region")]
    return Completeness(scopes=headings, blocks=blocks)
