"""Forms of meeting mode: open a meeting, and one case's step (decision, new actions, actions done).

They are ModelForms over the meeting models, so each rule (a continuing case needs a review date
after the meeting, an action needs an owner, dates within their bounds) is the model's, shown on
the right field; the services check the same rules again before saving.
"""

from __future__ import annotations

from django import forms

from cases import constants as c
from cases import models as m
from cases.forms.fields import GovukDateField, MilestoneForm, add_service_errors, govuk_required_message


class MeetingOpenForm(forms.ModelForm):
    scope = forms.ChoiceField(
        label="What does the meeting review?", choices=c.ScopeKind.choices, widget=forms.RadioSelect
    )
    area = forms.ModelChoiceField(queryset=m.Area.objects.none(), required=False, label="Area or quadrant")
    team = forms.ModelChoiceField(queryset=m.Team.objects.none(), required=False, label="Team")
    meeting_date = GovukDateField(label="Meeting date")

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
    owner = forms.CharField(label="Owner", required=False, max_length=100)
    due_date = GovukDateField(label="Due date")

    class Meta:
        model = m.MeetingAction
        fields = ["description", "owner", "due_date"]

    def __init__(self, *args, item: m.MeetingItem, **kwargs):
        kwargs["instance"] = m.MeetingAction(
            item=item, family_id=item.family_id, local_authority_id=item.local_authority_id
        )
        super().__init__(*args, **kwargs)


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=3)


class MeetingStep:
    """Everything posted for one case at a meeting: the decision, the new action rows and the open
    actions marked done. It reads like one form to the error summary (errors, non-field errors,
    visible fields of every part)."""

    def __init__(self, data, *, item: m.MeetingItem, open_actions: list[m.MeetingAction]):
        self.decision = ItemDecisionForm(data, instance=item, family=item.family)
        self.actions = ActionFormSet(data, prefix="actions", form_kwargs={"item": item})
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
