"""The one validated save path for identifiable records: case data and meeting records alike.

``record_save`` checks the capability the write needs (``WRITE_CASES`` for case data,
``RUN_MEETINGS`` for meeting records: chairs are read-only on case data but run meetings), refuses
a record of another LA with a 403, stamps who changed it, validates the whole record and saves it.
Callers run it inside their own transaction and ``history_context``, so a step of several records
saves all or nothing, with the user in the change history.
"""

from __future__ import annotations

from typing import TypeVar

import pghistory

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
