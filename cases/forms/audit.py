"""The access log's filters: whose reads, which child, and the days."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from cases.forms.fields import GovukDateField
from cases.selectors import audit as selectors


class ReaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class AccessLogForm(forms.Form):
    """Filters of the access log; each is optional and they combine."""

    reader = ReaderChoiceField(
        queryset=None,
        required=False,
        empty_label="Anyone",
        label="Who",
        error_messages={"invalid_choice": "Select who from the list"},
    )
    child = forms.CharField(
        label="LA child ID",
        required=False,
        max_length=40,
        help_text="The child's ID in your case management system.",
    )
    start = GovukDateField(label="From date", required=False)
    end = GovukDateField(label="To date", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reader"].queryset = selectors.read_audit_readers(user=user)
        self.fields["child"].error_messages["max_length"] = "The LA child ID must be 40 characters or fewer"

    def clean_child(self) -> list[int] | None:
        """The ids of the children with that LA child ID, or None when none was entered."""
        reference = self.cleaned_data["child"].strip()
        if not reference:
            return None
        found = selectors.children_with_reference(user=self.user, la_child_id=reference)
        if not found:
            raise ValidationError(f"No child in {self.user.local_authority.short_name} has the LA child ID {reference}")
        return found

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The to date must be the same as or after the from date")
        return data

    def filters(self) -> dict:
        """Keyword arguments for ``read_audit_list`` (call after ``is_valid``)."""
        data = self.cleaned_data
        reader = data.get("reader")
        return {
            "reader_id": reader.pk if reader else None,
            "child_ids": data.get("child"),
            "start": data.get("start"),
            "end": data.get("end"),
        }
