"""Forms of meeting mode: open a meeting, choose its agenda and attendees, and one case's step
(decision, new actions, actions done).

They are ModelForms over the meeting models, so each rule (a continuing case needs a review date
after the meeting, an action needs an owner, dates within their bounds) is the model's, shown on
the right field; the services check the same rules again before saving.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from cases import constants as c
from cases import models as m
from cases import services
from cases.forms.fields import GovukDateField, MilestoneForm, add_service_errors, govuk_required_message


class MeetingOpenForm(forms.ModelForm):
    scope = forms.ChoiceField(
        label="What does the meeting review?", choices=c.ScopeKind.choices, widget=forms.RadioSelect
    )
    area = forms.ModelChoiceField(queryset=m.Area.objects.none(), required=False, label="Area or quadrant")
    team = forms.ModelChoiceField(queryset=m.Team.objects.none(), required=False, label="Team")
    meeting_date = GovukDateField(label="Meeting date")
    proposal = forms.ChoiceField(
        label="Which cases should the agenda start with?",
        help_text="You can add, remove and reorder cases, and give each a time, once the meeting is open.",
        choices=[
            (services.PROPOSE_FLAGGED, "Cases with a flag or a red or amber status"),
            (services.PROPOSE_ALL, "Every open case in scope"),
            (services.PROPOSE_NONE, "No cases: I will add them"),
        ],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = m.TrackerMeeting
        fields = ["scope", "area", "team", "meeting_date"]

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("instance", m.TrackerMeeting(local_authority_id=user.local_authority_id, chair=user))
        super().__init__(*args, **kwargs)
        la = user.local_authority_id
        self.fields["area"].queryset = m.Area.objects.filter(local_authority_id=la).order_by("name")
        self.fields["area"].label_from_instance = lambda area: area.name
        self.fields["team"].queryset = m.Team.objects.filter(local_authority_id=la).order_by("name")
        for name in ("area", "team"):
            self.fields[name].widget = forms.Select(choices=self.fields[name].choices)
        for field in self.fields.values():
            govuk_required_message(field)

    def clean(self):
        data = super().clean()
        # Only the area or team the scope names is kept (as the service saves it), so the model's
        # rules judge what will be saved.
        if data.get("scope") != c.ScopeKind.AREA:
            data["area"] = None
        if data.get("scope") != c.ScopeKind.TEAM:
            data["team"] = None
        return data


class ItemDecisionForm(MilestoneForm):
    """The meeting's decision for one case, with a one-use token so a double submit saves once."""

    decision = forms.ChoiceField(label="Decision", choices=c.MeetingDecision.choices, widget=forms.RadioSelect)
    review_date = GovukDateField(
        label="Review date", required=False, help_text="When the case comes back, if it continues."
    )
    note = forms.CharField(label="Reasons and discussion", required=False, widget=forms.Textarea({"rows": 3}))

    class Meta:
        model = m.MeetingItem
        fields = ["decision", "review_date", "note"]


class ActionForm(forms.ModelForm):
    """A new action for the case: a row left empty is ignored (the formset skips an unchanged extra
    row); a row begun is checked by the model's rules."""

    # Not required here: the model says what an action needs ("Enter what must be done", ...).
    description = forms.CharField(label="Action", required=False, max_length=300)
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=m.User.objects.none(),
        required=False,
        empty_label="Choose who owns it",
        help_text="A user of your local authority: the action appears in their tasks.",
        error_messages={"invalid_choice": "Choose a user of your own local authority to own the action."},
    )
    due_date = GovukDateField(label="Due date")

    class Meta:
        model = m.MeetingAction
        fields = ["description", "owner", "due_date"]

    def __init__(self, *args, item: m.MeetingItem, owners, **kwargs):
        kwargs["instance"] = m.MeetingAction(
            item=item, family_id=item.family_id, local_authority_id=item.local_authority_id
        )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = person_label
        self.fields["owner"].widget = forms.Select(choices=self.fields["owner"].choices)

    def _update_errors(self, errors):
        # A field refused on its own (an owner not offered, a date that is not real) keeps that one
        # message: the model's rule about the field left empty would only repeat it.
        if hasattr(errors, "error_dict"):
            for name in [name for name in errors.error_dict if name in self._errors]:
                del errors.error_dict[name]
            if not errors.error_dict:
                return
        super()._update_errors(errors)


def person_label(user: m.User) -> str:
    """A user as chosen from a list: name and role."""
    return f"{user.get_full_name() or user.get_username()} ({user.get_role_display()})"


def case_label(family: m.Family) -> str:
    """A case as chosen from a list: name, reference and team."""
    team = f", {family.team.name}" if family.team_id else ""
    return f"{family.name} ({family.la_reference}{team})"


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=3)


class AgendaAddForm(forms.Form):
    """Put another open case of the LA on the agenda."""

    family = forms.ModelChoiceField(
        label="Case to add",
        queryset=m.Family.objects.none(),
        empty_label="Choose a case",
        help_text="Open cases of your local authority not yet on the agenda, by family name.",
        error_messages={
            "required": "Choose the case to add",
            "invalid_choice": "Choose an open case of your local authority that is not on the agenda.",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        field = self.fields["family"]
        field.queryset = candidates
        field.label_from_instance = case_label
        field.widget = forms.Select(choices=field.choices)


class AgendaArrangeForm(forms.Form):
    """The chair's order, start times and removals for every case of the agenda, in one submit.

    Each item has three fields: ``order-<id>`` (a number: the agenda is renumbered in that order),
    ``start-<id>`` (a time such as 10:30, optional) and ``remove-<id>``."""

    def __init__(self, *args, items: list[m.MeetingItem], **kwargs):
        super().__init__(*args, prefix="agenda", **kwargs)
        self.items = items
        for item in items:
            name = item.family.name
            self.fields[f"order-{item.pk}"] = forms.IntegerField(
                label=f"Order of the {name} family",
                min_value=1,
                max_value=999,
                initial=item.position,
                error_messages={
                    "required": f"Enter the place of the {name} family on the agenda",
                    "invalid": f"The place of the {name} family must be a whole number, like 3",
                    "min_value": f"The place of the {name} family must be 1 or more",
                    "max_value": f"The place of the {name} family must be 999 or less",
                },
            )
            self.fields[f"start-{item.pk}"] = forms.TimeField(
                label=f"Start time for the {name} family",
                required=False,
                initial=item.start_time,
                input_formats=["%H:%M", "%H.%M"],
                error_messages={
                    "invalid": f"Enter the start time for the {name} family as hours and minutes, like 10:30"
                },
            )
            self.fields[f"start-{item.pk}"].widget.format = "%H:%M"
            self.fields[f"remove-{item.pk}"] = forms.BooleanField(
                label=f"Remove the {name} family from the agenda", required=False
            )

    def rows(self) -> list[dict]:
        """Each item with its bound fields and the start time as typed (or saved), for the table."""
        rows = []
        for item in self.items:
            start = self[f"start-{item.pk}"]
            value = start.value()
            rows.append(
                {
                    "item": item,
                    "order": self[f"order-{item.pk}"],
                    "start": start,
                    "start_text": value.strftime("%H:%M") if isinstance(value, dt.time) else (value or ""),
                    "remove": self[f"remove-{item.pk}"],
                }
            )
        return rows

    def agenda_rows(self) -> list[services.AgendaRow]:
        data = self.cleaned_data
        return [
            services.AgendaRow(
                item=item,
                order=data[f"order-{item.pk}"],
                start_time=data[f"start-{item.pk}"],
                remove=data[f"remove-{item.pk}"],
            )
            for item in self.items
        ]

    def add_agenda_errors(self, error: services.AgendaError) -> None:
        for pk, messages in error.problems.items():
            self.add_error(f"remove-{pk}", messages)


class AttendeeForm(forms.ModelForm):
    """Someone at the meeting: a user of the LA, or a name with a role."""

    user = forms.ModelChoiceField(
        label="Attendee with an account",
        queryset=m.User.objects.none(),
        required=False,
        empty_label="Choose a user",
        error_messages={"invalid_choice": "Choose a user of your own local authority."},
    )
    name = forms.CharField(
        label="Or their name",
        required=False,
        max_length=100,
        help_text="For someone without an account, such as the LA solicitor or a partner agency.",
    )
    role = forms.CharField(label="Role or organisation", required=False, max_length=100)

    class Meta:
        model = m.MeetingAttendee
        fields = ["user", "name", "role"]

    def __init__(self, *args, meeting: m.TrackerMeeting, users, **kwargs):
        kwargs["instance"] = m.MeetingAttendee(meeting=meeting, local_authority_id=meeting.local_authority_id)
        super().__init__(*args, prefix="attendee", **kwargs)
        field = self.fields["user"]
        field.queryset = users
        field.label_from_instance = person_label
        field.widget = forms.Select(choices=field.choices)

    def _post_clean(self):
        # A user not offered is refused on its field: the model's "choose a user or enter a name"
        # would only repeat it.
        if "user" in self._errors:
            return
        super()._post_clean()


class MeetingStep:
    """Everything posted for one case at a meeting: the decision, the new action rows and the open
    actions marked done. It reads like one form to the error summary (errors, non-field errors,
    visible fields of every part)."""

    def __init__(self, data, *, item: m.MeetingItem, open_actions: list[m.MeetingAction], owners):
        self.decision = ItemDecisionForm(data, instance=item, family=item.family)
        self.actions = ActionFormSet(data, prefix="actions", form_kwargs={"item": item, "owners": owners})
        chosen = set(data.getlist("completed")) if data is not None else set()
        self.open_actions = open_actions
        self.completed = [action for action in open_actions if str(action.pk) in chosen]
        self.completed_errors: dict[int, list[str]] = {}

    def is_valid(self) -> bool:
        decision_ok = self.decision.is_valid()
        return self.actions.is_valid() and decision_ok

    @property
    def action_rows(self) -> list[ActionForm]:
        """The action rows filled in (empty rows are not actions)."""
        return [form for form in self.actions.forms if form.has_changed()]

    def add_errors(self, error) -> None:
        """Put a service's ``MeetingStepError`` on the decision, the right action row and the actions done."""
        if error.decision is not None:
            add_service_errors(self.decision, error.decision)
        rows = self.action_rows
        for index, problem in error.actions.items():
            add_service_errors(rows[index], problem)
        by_pk = {action.pk: action for action in self.completed}
        for pk, problem in error.completed.items():
            self.completed_errors[pk] = [f"{by_pk[pk].description}: {message}" for message in problem.messages]

    @property
    def open_action_choices(self) -> list[dict]:
        """Each open action with whether it is ticked as done and its problems, for the checkboxes."""
        chosen = {action.pk for action in self.completed}
        return [
            {"action": action, "checked": action.pk in chosen, "errors": self.completed_errors.get(action.pk, [])}
            for action in self.open_actions
        ]

    # The error summary's view of the step.
    @property
    def errors(self) -> bool:
        return bool(self.decision.errors or self.actions.total_error_count() or self.completed_errors)

    def non_field_errors(self) -> list[str]:
        messages = list(self.decision.non_field_errors()) + list(self.actions.non_form_errors())
        for form in self.actions.forms:
            messages += form.non_field_errors()
        for problems in self.completed_errors.values():
            messages += problems
        return messages

    def visible_fields(self) -> list:
        fields = self.decision.visible_fields()
        for form in self.actions.forms:
            fields += form.visible_fields()
        return fields
