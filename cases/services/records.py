"""The one validated save path for identifiable records: case data and meeting records alike.

``record_save`` checks the capability the write needs (``WRITE_CASES`` for case data,
``RUN_MEETINGS`` for meeting records: chairs are read-only on case data but run meetings), refuses
a record of another LA with a 403, stamps who changed it, validates the whole record and saves it.
Callers run it inside their own transaction and ``history_context``, so a step of several records
saves all or nothing, with the user in the change history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases import models as m
from cases.permissions import WRITE_CASES, Capability, ensure, ensure_own_record

R = TypeVar("R", bound=m.CaseRecord)


def history_context(user):
    """Who is changing the records, for the change history the triggers write."""
    return pghistory.context(user=user.pk, username=user.get_username())


def record_stamp(*, user, instance: m.CaseRecord) -> None:
    """Stamp who created and last changed a record (bulk writes that skip ``record_save`` call this)."""
    if instance.pk is None:
        instance.created_by = user
    instance.updated_by = user


def record_validate(*, user, instance: m.CaseRecord, capability: Capability = WRITE_CASES, family=None) -> None:
    """Check that the user may save the record and that it is valid, and stamp it; nothing is saved.

    With ``family``, the record takes the family's LA (a child, episode or action belongs to its
    case's LA). A record of another LA is refused with PermissionDenied (a 403), never re-homed; a
    broken rule raises ValidationError naming the field.
    """
    ensure(user, capability)
    if family is not None:
        instance.local_authority_id = family.local_authority_id
    ensure_own_record(user, instance)
    record_stamp(user=user, instance=instance)
    instance.full_clean()


def record_save(*, user, instance: R, capability: Capability = WRITE_CASES, family: m.Family | None = None) -> R:
    """Validate and save one record of the user's LA, stamped with who changed it (see ``record_validate``)."""
    record_validate(user=user, instance=instance, capability=capability, family=family)
    instance.save()
    return instance


def unique_errors(instances: Sequence[m.CaseRecord]) -> dict[int, ValidationError]:
    """The unique constraints a batch of records of one model breaks, by position in ``instances``:
    a key another stored record holds, or one an earlier record of the batch takes. The batch's
    version of the check ``full_clean`` makes for one record (one query per constraint, not per record).
    """
    errors: dict[int, ValidationError] = {}
    if not instances:
        return errors
    model = type(instances[0])
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields or constraint.condition:
            continue
        names = list(constraint.fields)
        attnames = [model._meta.get_field(name).attname for name in names]
        keys = {position: tuple(getattr(instance, a) for a in attnames) for position, instance in enumerate(instances)}
        taken: dict[tuple, int | None] = {}
        for chunk in _chunks(sorted({key for key in keys.values() if None not in key}), 500):
            condition = Q()
            for key in chunk:
                condition |= Q(**dict(zip(attnames, key, strict=True)))
            for pk, *key in model._base_manager.filter(condition).values_list("pk", *attnames):
                taken[tuple(key)] = pk
        first: dict[tuple, int] = {}
        for position, key in keys.items():
            instance = instances[position]
            if None in key:
                continue
            other = taken.get(key)
            if (other is not None and other != instance.pk) or key in first:
                errors[position] = ValidationError(instance.unique_error_message(model, tuple(names)))
            first.setdefault(key, position)
    return errors


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def records_validate_bulk(
    *, user, instances: Sequence[m.CaseRecord], capability: Capability = WRITE_CASES, family_of=None
) -> dict[int, ValidationError]:
    """``record_validate`` for a batch of records of one model, by position: the same permission, LA,
    stamps and model rules, with the unique constraints checked for the whole batch at once.

    ``family_of(instance)`` gives the family whose LA the record takes (as ``record_validate``'s
    ``family``). Records of another LA are refused with PermissionDenied, as one record is.
    """
    errors: dict[int, ValidationError] = {}
    for position, instance in enumerate(instances):
        ensure(user, capability)
        if family_of is not None and instance.local_authority_id != family_of(instance).local_authority_id:
            instance.local_authority_id = family_of(instance).local_authority_id
        ensure_own_record(user, instance)
        record_stamp(user=user, instance=instance)
        try:
            instance.full_clean(unique_constraints=False)
        except ValidationError as error:
            errors[position] = error
    valid = [(position, instance) for position, instance in enumerate(instances) if position not in errors]
    for index, error in unique_errors([instance for _position, instance in valid]).items():
        errors[valid[index][0]] = error
    return errors


def records_save_bulk(*, user, instances: Sequence[m.CaseRecord], fields: Iterable[str] = ()) -> None:
    """Save a batch of records already checked by ``records_validate_bulk``: new ones inserted and
    changed ones updated (``fields``, with who and when), a few statements for the whole batch.

    The database triggers write the change history of every row as for one save, with the user.
    """
    new = [instance for instance in instances if instance.pk is None]
    changed = [instance for instance in instances if instance.pk is not None]
    with history_context(user):
        if new:
            type(new[0]).objects.bulk_create(new, batch_size=BULK_BATCH)
        if changed:
            now = timezone.now()
            for instance in changed:
                instance.updated_at = now
            names = sorted({*fields, "updated_by", "updated_at"})
            type(changed[0]).objects.bulk_update(changed, names, batch_size=BULK_BATCH)


BULK_BATCH = 1000
