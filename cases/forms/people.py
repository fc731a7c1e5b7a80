"""Forms for the people around a case, its notes and document links (GOV.UK pattern, ``MilestoneForm``).

Forms validate input only; the model rules (dates not in the future, links in the LA's own
document store) run as part of validation and writes go through ``cases.services.people``.
"""

from __future__ import annotations

from django import forms

from cases import models as m
from cases.forms.fields import BaseMeta, MilestoneForm, govuk_required_message

NEW_PERSON = "new"
LINK_MESSAGE = "Enter the link as a full web address starting with https:// or http://"


class PersonForm(MilestoneForm):
    """A parent or carer and their role in this family: added, or corrected."""

    role = forms.ChoiceField(label="Role in this family", choices=m.MemberRole.choices, widget=forms.RadioSelect)

    class Meta(BaseMeta):
        model = m.Person
        fields = ["first_name", "last_name", "date_of_birth", "language", "interpreter_needed"]
        labels = {"language": "Language, if not English"}

    def __init__(self, *args, member: m.FamilyMember | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The role first: it is what the person is to this family.
        self.order_fields(["role", *self.Meta.fields])
        if member is not None and not self.is_bound:
            self.initial["role"] = member.role
        govuk_required_message(self.fields["role"])


class PersonAddForm(PersonForm):
    """A new parent or carer, or one the LA already knows (found by surname and date of birth)."""

    intro = (
        "A parent or carer already known to the LA is linked rather than recorded again, so their earlier "
        "pre-proceedings and proceedings with other families show on this case."
    )
    # Rendered by the page as radios, one per person found (``offer``), once there are any.
    same_person = forms.CharField(label="Is this one of these people?", required=False)

    def offer(self, matches: list[m.Person]) -> list[tuple[str, str]]:
        """The choices between the people the LA already has (``matches``) and someone new."""
        self.matches = {str(person.pk): person for person in matches}
        choices = []
        for person in matches:
            families = ", ".join(
                f"{link.get_role_display().lower()} in {link.family}" for link in person.memberships.all()
            )
            born = f", born {person.date_of_birth:%-d %B %Y}" if person.date_of_birth else ""
            choices.append((str(person.pk), f"{person}{born}" + (f": {families}" if families else "")))
        choices.append((NEW_PERSON, "No, this is someone else: record a new person"))
        return choices

    def chosen(self, value: str) -> m.Person | bool | None:
        """The existing person chosen, None for a new one, False when nothing (or nothing offered) was chosen."""
        if value == NEW_PERSON:
            return None
        return getattr(self, "matches", {}).get(value, False)


class ProfessionalForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.Professional
        fields = ["role", "name", "organisation", "acting_for", "email", "phone"]


class CaseNoteForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.CaseNote
        fields = ["note_date", "kind", "text"]
        widgets = {"text": forms.Textarea}


class DocumentLinkForm(MilestoneForm):
    intro = "Link to the document where the LA keeps it: the document itself is not copied here."
    url = forms.URLField(
        label=m.DocumentLink._meta.get_field("url").verbose_name,
        help_text=m.DocumentLink._meta.get_field("url").help_text,
        max_length=1000,
        assume_scheme="https",
        error_messages={"invalid": LINK_MESSAGE},
    )

    class Meta(BaseMeta):
        model = m.DocumentLink
        fields = ["label", "kind", "url", "document_date"]
