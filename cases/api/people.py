"""The people around a case (parents and carers, their links to families, professionals), case notes
and document links.

A parent or carer is one ``people`` record of the LA, linked to each family through a
``family-members`` row with their role, so a case system can find a person already known
(``?last_name=&date_of_birth=``) and link them rather than record them twice. Writes call the
services the pages call (``cases.services.people``).
"""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import serializers

from cases import models as m
from cases import services
from cases.api.base import RecordSerializer, RecordViewSet, VisibleRelatedField, changes_filterset

FAMILY_HELP = "The family (case)."


class PersonSerializer(RecordSerializer):
    class Meta:
        model = m.Person
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "first_name",
            "last_name",
            "date_of_birth",
            "language",
            "interpreter_needed",
        )


class FamilyMemberSerializer(RecordSerializer):
    family = VisibleRelatedField(queryset=m.Family.objects.all(), help_text=FAMILY_HELP)
    person = VisibleRelatedField(queryset=m.Person.objects.all(), help_text="The parent or carer (a person of the LA).")

    class Meta:
        model = m.FamilyMember
        fields = (*RecordSerializer.RECORD_FIELDS, "family", "person", "role")


class ProfessionalSerializer(RecordSerializer):
    family = VisibleRelatedField(queryset=m.Family.objects.all(), help_text=FAMILY_HELP)

    class Meta:
        model = m.Professional
        fields = (
            *RecordSerializer.RECORD_FIELDS,
            "family",
            "role",
            "name",
            "organisation",
            "acting_for",
            "email",
            "phone",
        )


class CaseNoteSerializer(RecordSerializer):
    family = VisibleRelatedField(queryset=m.Family.objects.all(), help_text=FAMILY_HELP)
    author = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who wrote the note (the user or service account that recorded it).",
    )

    class Meta:
        model = m.CaseNote
        fields = (*RecordSerializer.RECORD_FIELDS, "family", "note_date", "kind", "text", "author")


class DocumentLinkSerializer(RecordSerializer):
    family = VisibleRelatedField(queryset=m.Family.objects.all(), help_text=FAMILY_HELP)

    class Meta:
        model = m.DocumentLink
        fields = (*RecordSerializer.RECORD_FIELDS, "family", "label", "kind", "url", "document_date")


class PersonViewSet(RecordViewSet):
    """The LA's parents and carers, each one record however many families they are in.
    ``last_name`` (exact) and ``date_of_birth`` find one already known before a new link is made."""

    model = m.Person
    serializer_class = PersonSerializer
    filterset_class = changes_filterset(m.Person, "last_name", "date_of_birth")
    writable = True
    prefetch_related = (Prefetch("memberships", queryset=m.FamilyMember.objects.only("pk", "family_id", "person_id")),)

    def families_of(self, records):
        # A parent is read as part of every family they belong to.
        return [link.family_id for person in records for link in person.memberships.all()]

    def save_record(self, instance, data, *, created):
        return services.person_save(user=self.request.user, person=instance)


class FamilyMemberViewSet(RecordViewSet):
    """Which parent or carer is in which family, and their role there (mother, father, carer, ...)."""

    model = m.FamilyMember
    serializer_class = FamilyMemberSerializer
    filterset_class = changes_filterset(m.FamilyMember, "family", "person", "role")
    writable = True
    create_only = ("family", "person")

    def save_record(self, instance, data, *, created):
        if created:
            return services.family_member_add(
                user=self.request.user, family=instance.family, person=instance.person, role=instance.role
            )
        return services.family_member_save(user=self.request.user, member=instance)


class ProfessionalViewSet(RecordViewSet):
    """The professionals on each case: solicitors, the children's guardian, the LA's lawyer."""

    model = m.Professional
    serializer_class = ProfessionalSerializer
    filterset_class = changes_filterset(m.Professional, "family", "role")
    writable = True
    create_only = ("family",)

    def save_record(self, instance, data, *, created):
        return services.professional_save(user=self.request.user, professional=instance)


class CaseNoteViewSet(RecordViewSet):
    """Dated case notes (visit, meeting, conversation, legal advice, other); the author is who recorded it."""

    model = m.CaseNote
    serializer_class = CaseNoteSerializer
    filterset_class = changes_filterset(m.CaseNote, "family", "kind")
    writable = True
    create_only = ("family",)
    select_related = (*RecordViewSet.select_related, "author")

    def save_record(self, instance, data, *, created):
        return services.case_note_save(user=self.request.user, note=instance)


class DocumentLinkViewSet(RecordViewSet):
    """Links to letters, minutes, reports and orders in the LA's own document store (http or https)."""

    model = m.DocumentLink
    serializer_class = DocumentLinkSerializer
    filterset_class = changes_filterset(m.DocumentLink, "family", "kind")
    writable = True
    create_only = ("family",)

    def save_record(self, instance, data, *, created):
        return services.document_link_save(user=self.request.user, document=instance)


ROUTES = [
    ("people", PersonViewSet),
    ("family-members", FamilyMemberViewSet),
    ("professionals", ProfessionalViewSet),
    ("case-notes", CaseNoteViewSet),
    ("document-links", DocumentLinkViewSet),
]
