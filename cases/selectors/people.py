"""Reads of the people around a case, its notes and document links, scoped to the user's LA.

``case_people`` loads everything the case page shows in a fixed number of queries (none per
person): the family's parents and carers with each one's other families and those families'
pre-proceedings and proceedings, the professionals, the notes and the document links.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Prefetch
from django.urls import reverse

from cases import models as m
from cases.selectors.cases import TimelineEntry


@dataclass
class OtherFamily:
    """Another family a parent or carer of this case belongs to, with its episodes and applications."""

    member: m.FamilyMember
    episodes: list[m.PreProceedingsEpisode]
    proceedings: list[m.Proceedings]

    @property
    def family(self) -> m.Family:
        return self.member.family

    @property
    def has_plo_history(self) -> bool:
        return bool(self.episodes or self.proceedings)


@dataclass
class MemberRow:
    member: m.FamilyMember
    other_families: list[OtherFamily] = field(default_factory=list)

    @property
    def person(self) -> m.Person:
        return self.member.person


@dataclass
class CasePeople:
    members: list[MemberRow]
    professionals: list[m.Professional]
    notes: list[m.CaseNote]
    documents: list[m.DocumentLink]

    @property
    def other_family_ids(self) -> list[int]:
        """The other families the page names (their reads are audited with the case's)."""
        return sorted({other.family.pk for row in self.members for other in row.other_families})

    @property
    def with_history(self) -> list[MemberRow]:
        """The parents and carers with pre-proceedings or proceedings in another family."""
        return [row for row in self.members if any(other.has_plo_history for other in row.other_families)]


def case_people(*, user, family: m.Family) -> CasePeople:
    """The people, professionals, notes and document links of a case the user may see."""
    members = list(
        m.FamilyMember.objects.visible_to(user).filter(family=family).select_related("person").order_by("pk")
    )
    rows = [MemberRow(member) for member in members]
    person_ids = [member.person_id for member in members]
    if person_ids:
        others = (
            m.FamilyMember.objects.visible_to(user)
            .filter(person_id__in=person_ids)
            .exclude(family=family)
            .select_related("family")
            .prefetch_related(
                Prefetch(
                    "family__episodes",
                    queryset=m.PreProceedingsEpisode.objects.filter(start_date__isnull=False).order_by("start_date"),
                ),
                Prefetch("family__proceedings", queryset=m.Proceedings.objects.order_by("issue_date")),
            )
            .order_by("family__name", "pk")
        )
        by_person: dict[int, list[OtherFamily]] = {}
        for other in others:
            by_person.setdefault(other.person_id, []).append(
                OtherFamily(other, list(other.family.episodes.all()), list(other.family.proceedings.all()))
            )
        for row in rows:
            row.other_families = by_person.get(row.member.person_id, [])
    return CasePeople(
        members=rows,
        professionals=list(m.Professional.objects.visible_to(user).filter(family=family).order_by("role", "pk")),
        notes=list(
            m.CaseNote.objects.visible_to(user)
            .filter(family=family)
            .select_related("author")
            .order_by("-note_date", "-pk")
        ),
        documents=list(
            m.DocumentLink.objects.visible_to(user)
            .filter(family=family)
            .order_by(F("document_date").desc(nulls_last=True), "-pk")
        ),
    )


def person_matches(*, user, first_name: str, last_name: str, date_of_birth: dt.date | None) -> list[m.Person]:
    """The LA's people who may be this one: the same surname and date of birth (without a date of
    birth, the same first name and surname), each with the families they are in."""
    people = m.Person.objects.visible_to(user).filter(last_name__iexact=last_name.strip())
    if date_of_birth is not None:
        people = people.filter(date_of_birth=date_of_birth)
    else:
        people = people.filter(first_name__iexact=first_name.strip())
    return list(
        people.prefetch_related(
            Prefetch("memberships", queryset=m.FamilyMember.objects.select_related("family").order_by("pk"))
        ).order_by("first_name", "pk")[:20]
    )


def timeline_entries(family: m.Family, people: CasePeople) -> list[TimelineEntry]:
    """The case notes, and the documents with a date, as entries of the case's timeline."""
    entries = [
        TimelineEntry(
            note.note_date,
            f"Case note: {note.get_kind_display().lower()}",
            note.text if len(note.text) <= 300 else note.text[:297] + "...",
            reverse("cases:note_edit", args=[family.pk, note.pk]),
            "note",
            9,
        )
        for note in people.notes
    ]
    entries += [
        TimelineEntry(
            document.document_date,
            f"{document.get_kind_display()}: {document.label}",
            "",
            reverse("cases:document_edit", args=[family.pk, document.pk]),
            "document",
            10,
        )
        for document in people.documents
        if document.document_date
    ]
    return entries
