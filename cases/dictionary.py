"""The region's data dictionary, generated from the models and reference tables.

It is built from the code on every request, so the published terminology cannot drift from
what the tracker stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from cases import models as m
from cases.mapping import mapping_for
from cases.permissions import CASE_MODELS

# Fields every case record shares; described once here rather than on each model.
COMMON_DESCRIPTIONS = {
    "id": "PLO Tracker's own number for the record (used in links and extracts).",
}
REFERENCE_MODELS = (m.Court, m.HearingType, m.OrderOutcome, m.AssessmentType, m.DelayDriver, m.DelayReason)


@dataclass
class FieldEntry:
    name: str
    label: str
    kind: str
    required: bool
    description: str
    allowed: list[str]
    cin: str
    ssd: str
    note: str


@dataclass
class ModelEntry:
    name: str
    label: str
    description: str
    anchor: str
    fields: list[FieldEntry] = field(default_factory=list)


def _kind(f: models.Field) -> str:
    if f.is_relation:
        return f"Code from “{f.related_model._meta.verbose_name}”" if f.related_model in REFERENCE_MODELS else "Link"
    return {
        "DateField": "Date",
        "DateTimeField": "Date and time",
        "BooleanField": "Yes / no",
        "CharField": "Code" if f.choices else "Text",
        "TextField": "Text",
        "PositiveIntegerField": "Whole number",
        "PositiveSmallIntegerField": "Whole number",
        "BigAutoField": "Number",
    }.get(f.get_internal_type(), f.get_internal_type())


def _allowed(f: models.Field, reference_rows: dict) -> list[str]:
    if f.choices:
        return [f"{value} - {label}" for value, label in f.choices]
    if f.is_relation and f.related_model in reference_rows:
        return reference_rows[f.related_model]
    if f.get_internal_type() == "BooleanField" and f.null:
        return ["yes", "no", "empty - not yet known"]
    return []


def field_description(model: type[models.Model], f: models.Field) -> str:
    return str(f.help_text or COMMON_DESCRIPTIONS.get(f.name, ""))


def build() -> list[ModelEntry]:
    """Every field of every case model with meaning, allowed values and CIN/SSD mapping."""
    reference_rows = {
        ref: [f"{row.code} - {row.label}" for row in ref.objects.filter(active=True)] for ref in REFERENCE_MODELS
    }
    entries = []
    for model in CASE_MODELS:
        opts = model._meta
        entry = ModelEntry(
            name=model.__name__,
            label=str(opts.verbose_name).capitalize(),
            description=(model.__doc__ or "").strip(),
            anchor=opts.model_name,
        )
        for f in [*opts.concrete_fields, *opts.many_to_many]:
            mapping = mapping_for(model.__name__, f.name)
            entry.fields.append(
                FieldEntry(
                    name=f.name,
                    label=str(f.verbose_name),
                    kind=_kind(f),
                    required=not (f.null or f.blank or f.has_default() or f.auto_created),
                    description=field_description(model, f),
                    allowed=_allowed(f, reference_rows),
                    cin=mapping.cin,
                    ssd=mapping.ssd,
                    note=mapping.note,
                )
            )
        entries.append(entry)
    return entries


def reference_tables() -> list[dict]:
    """Reference figures with their source and vintage (thresholds, targets, comparators)."""
    return [
        {
            "title": "Thresholds and timescales",
            "headers": ["Code", "Meaning", "Value", "Source", "Vintage"],
            "rows": [
                [t.code, t.label, f"{t.value.normalize():f} {t.unit}", t.source, t.vintage]
                for t in m.Threshold.objects.all()
            ],
        },
        {
            "title": "Assessment targets",
            "headers": ["Code", "Assessment", "Target", "Source", "Vintage"],
            "rows": [
                [a.code, a.label, f"{a.target_weeks} weeks" if a.target_weeks else "Its due date", a.source, a.vintage]
                for a in m.AssessmentType.objects.all()
            ],
        },
        {
            "title": "Delay taxonomy: reason codes and Trailblazer drivers",
            "headers": ["Reason code", "Reason", "HMCTS group", "Driver"],
            "rows": [
                [r.code, r.label, r.category, r.driver.label] for r in m.DelayReason.objects.select_related("driver")
            ],
        },
        {
            # Only the national kind is shown under "National" on the dashboard and in the board pack.
            "title": "Comparators: national figures, the region's baseline, LAs' own figures and exemplars",
            "headers": ["Metric", "Kind", "Comparator", "Value", "Source", "Vintage"],
            "rows": [
                [
                    c.metric,
                    c.get_kind_display(),
                    c.label + (" (uncertain)" if c.uncertain else ""),
                    f"{c.value.normalize():f} {c.unit}",
                    c.source,
                    c.vintage,
                ]
                for c in m.NationalComparator.objects.all()
            ],
        },
        {
            "title": "Local authorities",
            "headers": ["LA", "DfE code", "ONS code", "Case system"],
            "rows": [[la.name, la.dfe_code, la.ons_code, la.case_system] for la in m.LocalAuthority.objects.all()],
        },
    ]
