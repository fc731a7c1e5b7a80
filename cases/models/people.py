"""The people around a case, its case notes and links to its documents in the LA's own store.

- A **person** (a parent or carer) is one record per LA, linked to each family they belong to
  through a **family member** row with their role in that family. So a new case, a pre-birth case
  above all, finds the parent's earlier pre-proceedings and proceedings with other families (the
  tracker's ``parent_previous_proceedings`` flag).
- **Professionals** (the parents' and the child's solicitors, the children's guardian, the LA's
  lawyer) are simpler: a name, organisation and contact on the family they work on. The same
  solicitor on two cases is two rows: nothing is worked out from who they are.
- A **case note** is dated, typed and written by a user; a **document link** points at a letter,
  minutes, report or order in the LA's own document store (http or https, on the LA's own hosts
  when ``PLO_DOCUMENT_HOSTS`` names them): the document itself is never copied here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from cases.models.records import CaseRecord, Family, feed_index, track_history


class MemberRole(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    CARER = "carer", "Carer"
    PARTNER = "partner", "Parent's partner"
    OTHER = "other", "Other family member"


class ProfessionalRole(models.TextChoices):
    PARENT_SOLICITOR = "parent_solicitor", "Parent's solicitor"
    CHILD_SOLICITOR = "child_solicitor", "Child's solicitor"
    GUARDIAN = "guardian", "Children's guardian (Cafcass)"
    LA_LAWYER = "la_lawyer", "LA lawyer"
    OTHER = "other", "Other professional"


class NoteKind(models.TextChoices):
    VISIT = "visit", "Visit"
    MEETING = "meeting", "Meeting"
    CONVERSATION = "conversation", "Conversation"
    LEGAL_ADVICE = "legal_advice", "Legal advice"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    LETTER = "letter", "Letter"
    MINUTES = "minutes", "Minutes"
    REPORT = "report", "Report"
    ORDER = "order", "Order"
    OTHER = "other", "Other"


@track_history
class Person(CaseRecord):
    """A parent or carer, one record per LA however many families they belong to."""

    first_name = models.CharField(max_length=100, help_text="First name.")
    last_name = models.CharField(max_length=100, help_text="Family name.")
    date_of_birth = models.DateField(
        "date of birth", null=True, blank=True, help_text="Date of birth, where known (it tells two people apart)."
    )
    language = models.CharField(
        max_length=60, blank=True, help_text="First language, where it is not English (e.g. Polish, BSL)."
    )
    interpreter_needed = models.BooleanField(
        "interpreter needed", default=False, help_text="Whether meetings and hearings need an interpreter."
    )

    happened_dates = ("date_of_birth",)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            feed_index("person_feed"),
            models.Index(fields=["local_authority", "last_name", "date_of_birth"], name="person_name_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        if self.interpreter_needed and not self.language.strip():
            raise ValidationError({"language": "Enter the language the interpreter is needed for."})


@track_history
class FamilyMember(CaseRecord):
    """A person's part in one family (case): mother, father, carer, ..."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members", help_text="The family (case).")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", help_text="The parent or carer."
    )
    role = models.CharField(max_length=20, choices=MemberRole.choices, help_text="The person's role in this family.")

    class Meta:
        ordering = ["family", "pk"]
        indexes = [feed_index("familymember_feed")]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "person"],
                name="familymember_once_per_family",
                violation_error_message="This person is already linked to the family.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of family {self.family_id}"

    def clean(self) -> None:
        # The person and the family are the same LA's (a link across LAs would disclose one).
        if self.person_id and self.family_id and self.person.local_authority_id != self.family.local_authority_id:
            raise ValidationError({"person": "Choose a person of the family's local authority."})


@track_history
class Professional(CaseRecord):
    """A professional working on a case: a solicitor, the children's guardian, the LA's lawyer."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="professionals", help_text="The family (case)."
    )
    role = models.CharField(max_length=20, choices=ProfessionalRole.choices, help_text="Their role on the case.")
    name = models.CharField(max_length=120, help_text="Full name.")
    organisation = models.CharField(max_length=120, blank=True, help_text="Firm, Cafcass team or LA legal service.")
    acting_for = models.CharField(
        "acting for", max_length=120, blank=True, help_text="For a solicitor: whom they represent (e.g. the mother)."
    )
    email = models.EmailField(blank=True, help_text="Work email address.")
    phone = models.CharField(max_length=40, blank=True, help_text="Work phone number.")

    class Meta:
        ordering = ["family", "role", "pk"]
        indexes = [feed_index("professional_feed")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


@track_history
class CaseNote(CaseRecord):
    """A dated note on a case: a visit, meeting, conversation or legal advice."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="notes", help_text="The family (case).")
    note_date = models.DateField("date of the note", help_text="When the visit, meeting or conversation happened.")
    kind = models.CharField("type of note", max_length=20, choices=NoteKind.choices, help_text="What the note is of.")
    text = models.TextField("note", max_length=10000, help_text="What happened, in plain words.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who wrote the note (the user who recorded it).",
    )

    happened_dates = ("note_date",)

    class Meta:
        ordering = ["-note_date", "-pk"]
        indexes = [feed_index("casenote_feed")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.note_date:%-d %B %Y}"


def document_host_allowed(url: str, hosts: list[str]) -> bool:
    """Whether the URL's host is one of ``hosts`` (".example.org" also allows its subdomains); any if none."""
    if not hosts:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == allowed.lstrip(".") or (allowed.startswith(".") and host.endswith(allowed)) for allowed in hosts)


@track_history
class DocumentLink(CaseRecord):
    """A link to a letter, minutes, report or order held in the LA's own document store."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="documents", help_text="The family (case)."
    )
    label = models.CharField(max_length=200, help_text="What the document is, e.g. 'Letter before proceedings'.")
    kind = models.CharField(
        "type of document", max_length=20, choices=DocumentKind.choices, help_text="The kind of document."
    )
    url = models.URLField(
        "link",
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Enter the link as a full web address starting with https:// or http://"},
        help_text="Address of the document in the LA's own document store (http or https).",
    )
    document_date = models.DateField(
        "date of the document", null=True, blank=True, help_text="The date on the document, where it has one."
    )

    happened_dates = ("document_date",)

    class Meta:
        ordering = ["-document_date", "-pk"]
        indexes = [feed_index("documentlink_feed")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if not self.url or not self.local_authority_id:
            return
        hosts = settings.PLO_DOCUMENT_HOSTS.get(self.local_authority.dfe_code, [])
        if not document_host_allowed(self.url, hosts):
            raise ValidationError(
                {"url": f"Enter a link to the LA's own document store ({', '.join(h.lstrip('.') for h in hosts)})."}
            )
