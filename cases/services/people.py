"""Writes to the people around a case, its notes and document links (through the one validated save path).

Each write runs in one transaction with the user in the change history, validates the whole
record (a parent of another LA, a note dated in the future or a link outside the LA's document
store is refused on its field) and saves nothing when a rule fails.
"""

from __future__ import annotations

from django.db import transaction

from cases import models as m
from cases.services.records import history_context, record_save, record_validate


@transaction.atomic
def person_save(*, user, person: m.Person) -> m.Person:
    """Add or correct a parent or carer of the user's LA (names, date of birth, language, interpreter)."""
    with history_context(user):
        return record_save(user=user, instance=person)


@transaction.atomic
def family_member_add(*, user, family: m.Family, person: m.Person, role: str) -> m.FamilyMember:
    """Link a parent or carer to a family with their role: an existing person of the LA, or a new one
    (saved first). Both are validated before either is saved, so nothing is half-saved."""
    member = m.FamilyMember(family=family, role=role, local_authority_id=family.local_authority_id)
    with history_context(user):
        if person.pk is None:
            record_validate(user=user, instance=person, family=family)
            person.save()
        member.person = person
        return record_save(user=user, instance=member, family=family)


@transaction.atomic
def family_member_save(*, user, member: m.FamilyMember, person: m.Person | None = None) -> m.FamilyMember:
    """Correct a person's role in a family and, with ``person``, their own details too."""
    with history_context(user):
        if person is not None:
            record_validate(user=user, instance=person)
            record_validate(user=user, instance=member, family=member.family)
            person.save()
            member.save()
            return member
        return record_save(user=user, instance=member, family=member.family)


@transaction.atomic
def professional_save(*, user, professional: m.Professional) -> m.Professional:
    """Add or correct a professional on a case (a solicitor, the children's guardian, the LA's lawyer)."""
    with history_context(user):
        return record_save(user=user, instance=professional, family=professional.family)


@transaction.atomic
def case_note_save(*, user, note: m.CaseNote) -> m.CaseNote:
    """Add or correct a case note; a new note's author is the user who writes it."""
    with history_context(user):
        if note.pk is None and note.author_id is None:
            note.author = user
        return record_save(user=user, instance=note, family=note.family)


@transaction.atomic
def document_link_save(*, user, document: m.DocumentLink) -> m.DocumentLink:
    """Add or correct a link to a document in the LA's own document store."""
    with history_context(user):
        return record_save(user=user, instance=document, family=document.family)
