"""GOV.UK form building blocks: the date input, radios for short code lists, the milestone form base."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cases import models as m

YES_NO = [("True", "Yes"), ("False", "No")]


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input component)."""

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        super().__init__(
            {
                "day": forms.TextInput({**number, "class": "govuk-input govuk-date-input__input govuk-input--width-2"}),
                "month": forms.TextInput(
                    {**number, "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
                ),
                "year": forms.TextInput(
                    {**number, "class": "govuk-input govuk-date-input__input govuk-input--width-4"}
                ),
            },
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date entered in three boxes; errors follow the GOV.UK date input guidance."""

    widget = GovukDateWidget

    def __init__(self, *, label: str = "date", required: bool = True, **kwargs):
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        fields = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields, required=required, require_all_fields=False, label=label, **kwargs)
        self.error_messages["required"] = f"Enter the {self.label_text}"

    @property
    def label_text(self) -> str:
        return str(self.label or "date").lower()

    def clean(self, value):
        # MultiValueField's own clean() reports "required" before compress sees partial input.
        parts = [(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {self.label_text}", code="required")
            return None
        return self.compress(parts)

    def compress(self, data_list):
        day, month, year = ((part or "").strip() for part in data_list)
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValidationError(f"The {self.label_text} must include a {' and '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"The {self.label_text} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"The {self.label_text} must be a real date", code="invalid") from None


def date_field(model_field, **kwargs):
    """Use the GOV.UK date input for every model DateField."""
    if isinstance(model_field, forms.Field):
        return model_field
    return GovukDateField(
        label=model_field.verbose_name,
        required=not model_field.blank,
        help_text=model_field.help_text,
    )


def formfield_callback(model_field, **kwargs):
    """Form fields for model fields: GOV.UK dates, Yes/No radios for nullable booleans, radios for short lists."""
    from django.db import models as djm

    if isinstance(model_field, djm.DateField):
        return date_field(model_field)
    if isinstance(model_field, djm.URLField):
        # A web address typed without its scheme is read as https:// (Django 6's default).
        return model_field.formfield(assume_scheme="https", **kwargs)
    if isinstance(model_field, djm.BooleanField) and model_field.null:
        return forms.NullBooleanField(
            label=model_field.verbose_name,
            help_text=model_field.help_text,
            required=False,
            widget=forms.RadioSelect(choices=YES_NO),
        )
    field = model_field.formfield(**kwargs)
    if field is None:
        return None
    if isinstance(field, forms.TypedChoiceField) and len(model_field.choices or []) <= 8:
        field.widget = forms.RadioSelect(choices=field.choices)
        field.choices = [choice for choice in field.choices if choice[0] != ""]
    if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
        queryset = field.queryset
        if hasattr(queryset.model, "active"):
            field.queryset = queryset.filter(active=True)
        # Short code lists (hearing and assessment types) as radios; forms with long lists use a select.
        field.widget = forms.RadioSelect()
        field.empty_label = None
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs.setdefault("rows", 3)
    return field


def govuk_required_message(field: forms.Field) -> None:
    """GOV.UK wording for a missing answer: 'Select ...' for choices, 'Enter ...' for text."""
    if isinstance(field, GovukDateField):
        return
    label = str(field.label or "an answer").lower()
    verb = "Select" if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)) else "Enter"
    field.error_messages["required"] = f"{verb} {label}"


class BaseMeta:
    """Meta options shared by every milestone form (Django reads formfield_callback from Meta)."""

    formfield_callback = staticmethod(formfield_callback)


class MilestoneForm(forms.ModelForm):
    """Base form: GOV.UK widgets, a one-use submission token against double submits."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    # Shown above the fields, e.g. what the milestone means in the PLO.
    intro = ""

    def __init__(self, *args, family: m.Family, **kwargs):
        self.family = family
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4().hex
        for field in self.fields.values():
            govuk_required_message(field)
        # Reference-code hints (the data dictionary's wording) for radios of coded values.
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "description"):
                field.choice_hints = dict(queryset.values_list("pk", "description"))

    def _update_errors(self, errors):
        # A field that failed its own validation (e.g. a date that is not real) is left empty on the
        # model, and the model's rules would then add a second, misleading message to it.
        if hasattr(errors, "error_dict"):
            for name in list(errors.error_dict):
                if name in self._errors:
                    del errors.error_dict[name]
                elif name != NON_FIELD_ERRORS and name not in self.fields:
                    # A model rule on a field this form does not show (Django would raise
                    # ValueError, a 500): the message goes above the form instead.
                    errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(errors.error_dict.pop(name))
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def children_queryset(self):
        return self.family.children.order_by("date_of_birth", "pk")


def add_service_errors(form: forms.BaseForm, error: ValidationError, *, prefix: str = "") -> None:
    """Put a service's errors on the form's fields (``name`` or ``prefix + name``), or above the
    form when it has no such field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        for candidate in (name, f"{prefix}{name}"):
            if candidate in form.fields:
                form.add_error(candidate, errors)
                break
        else:
            form.add_error(None, errors)
