"""A record's change history in words, for the people of its LA who correct it.

The history is django-pghistory's: a database trigger writes a snapshot of the row on every insert,
update and delete, with the context the services set (who, by user name). This reads the snapshots
of one record in order and says, for each, who, when and which fields changed from what to what.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models

from cases.models.records import CaseRecord

# Bookkeeping every record has: who and when are said by the entry itself, not as changes.
BOOKKEEPING = frozenset({"id", "local_authority", "created_at", "created_by", "updated_at", "updated_by"})
NOT_RECORDED = "Not recorded"
CREATED, CHANGED, DELETED = "Created", "Changed", "Deleted"
LABELS = {"insert": CREATED, "update": CHANGED, "delete": DELETED}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str  # Created, Changed or Deleted
    changes: list[FieldChange]


def _fields(model: type[models.Model]) -> list[models.Field]:
    """The fields people record: not the bookkeeping, nor the links to the case's other records (a
    record's family, episode or application is set when it is created and never moved)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in BOOKKEEPING and not (field.is_relation and issubclass(field.related_model, CaseRecord))
    ]


def _shown(event, field: models.Field) -> str:
    """A snapshot's value in words: a choice's label, a linked code's label, a date, yes or no."""
    value = getattr(event, field.attname)
    if value is None or value == "" or value == []:
        return NOT_RECORDED
    if field.is_relation:
        related = getattr(event, field.name)
        label = getattr(related, "label", None)
        if label:
            return label
        full_name = getattr(related, "get_full_name", None)
        return (full_name() or related.get_username()) if full_name else str(related)
    choices = dict(field.flatchoices) if field.choices else {}
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        item_choices = dict(getattr(field, "base_field", field).flatchoices or [])
        return ", ".join(str(item_choices.get(item, item)) for item in value)
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    return str(choices.get(value, value))


def _who(event) -> str:
    context = getattr(event, "pgh_context", None)
    username = (context.metadata or {}).get("username") if context is not None else None
    if username:
        return username
    if event.updated_by_id is not None:
        return event.updated_by.get_username()
    return "PLO Tracker (a bulk load or data fix)"


def record_history(record: models.Model) -> list[HistoryEntry]:
    """Every change of ``record``, newest first: who, when and each field's old and new value.

    A save that changed none of the fields people record (only its bookkeeping) is left out.
    """
    fields = _fields(type(record))
    related = [field.name for field in fields if field.is_relation]
    events = list(
        record.history.select_related("pgh_context", "updated_by", *related).order_by("pgh_created_at", "pgh_id")
    )
    entries: list[HistoryEntry] = []
    previous = None
    for event in events:
        changes = []
        for field in fields:
            new = _shown(event, field)
            old = _shown(previous, field) if previous is not None else NOT_RECORDED
            first_value = previous is None and new != NOT_RECORDED
            if first_value or (
                previous is not None and getattr(previous, field.attname) != getattr(event, field.attname)
            ):
                changes.append(FieldChange(str(field.verbose_name).capitalize(), old, new))
        what = LABELS.get(event.pgh_label, event.pgh_label.capitalize())
        if changes or what != CHANGED:
            entries.append(HistoryEntry(event.pgh_created_at, _who(event), what, changes))
        previous = event
    entries.reverse()
    return entries
