"""My tasks: the list's filters and sort, and the reminder email setting."""

from __future__ import annotations

from django import forms
from django.conf import settings

from cases import models as m
from cases.selectors import tasks

MAX_DAYS = 365


class TaskFilterForm(forms.Form):
    """What the list shows and in what order; every field has a default, so no choice is required."""

    show = forms.ChoiceField(
        label="Show",
        choices=[
            ("all", "Everything due"),
            ("overdue", "Overdue only"),
            ("soon", "Overdue or due within the days given"),
        ],
        required=False,
    )
    days = forms.IntegerField(
        label="Due within (days)",
        min_value=0,
        max_value=MAX_DAYS,
        required=False,
        error_messages={
            "invalid": "Enter the days to look ahead as a whole number, like 7",
            "min_value": "The days to look ahead must be 0 or more",
            "max_value": f"The days to look ahead must be {MAX_DAYS} or fewer",
        },
    )
    kind = forms.ChoiceField(label="Kind", choices=[("", "Every kind"), *tasks.KINDS], required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[(tasks.SORT_DUE, "Due date, earliest first"), (tasks.SORT_CASE, "Case name")],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("show", "kind", "sort"):
            label = self.fields[name].label.lower()
            self.fields[name].error_messages["invalid_choice"] = f"Choose a {label} from the list"

    def choices(self) -> dict:
        """The valid values, each field's default in place of a missing or wrong one."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        days = data.get("days")
        return {
            "show": data.get("show") or "all",
            "days": settings.PLO_REMINDER_DAYS if days is None else days,
            "kind": data.get("kind") or "",
            "sort": data.get("sort") or tasks.SORT_DUE,
        }


class ReminderSettingsForm(forms.ModelForm):
    """Whether the user gets the daily email of what is due and overdue."""

    task_reminders = forms.TypedChoiceField(
        label="Send me a daily email of what is overdue or due soon",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether to get the daily email",
            "invalid_choice": "Choose whether to get the daily email",
        },
    )

    class Meta:
        model = m.User
        fields = ["task_reminders"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["task_reminders"] = "yes" if self.instance.task_reminders else "no"
        self.fields["task_reminders"].help_text = (
            f"Overdue items and items due in the next {settings.PLO_REMINDER_DAYS} days, with case "
            "references and links only: never a child's name."
        )
