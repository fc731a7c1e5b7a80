"""Forms of meeting mode: open a meeting, record a decision, agree actions."""

from __future__ import annotations

import datetime as dt

from django import forms

from cases import constants as c
from cases import models as m
from cases.forms.fields import GovukDateField, govuk_required_message


class MeetingOpenForm(forms.Form):
    scope = forms.ChoiceField(
        label="What does the meeting review?", choices=c.ScopeKind.choices, widget=forms.RadioSelect
    )
    area = forms.ModelChoiceField(queryset=m.Area.objects.none(), required=False, label="Area or quadrant")
    team = forms.ModelChoiceField(queryset=m.Team.objects.none(), required=False, label="Team")
    meeting_date = GovukDateField(label="Meeting date")

    def __init__(self, *args, user, **kwargs):
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
        if data.get("scope") == c.ScopeKind.AREA and not data.get("area"):
            self.add_error("area", "Select the area or quadrant the meeting reviews")
        if data.get("scope") == c.ScopeKind.TEAM and not data.get("team"):
            self.add_error("team", "Select the team the meeting reviews")
        return data


class ItemDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=c.MeetingDecision.choices, widget=forms.RadioSelect)
    review_date = GovukDateField(
        label="Review date", required=False, help_text="When the case comes back, if it continues."
    )
    note = forms.CharField(label="Reasons and discussion", required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, meeting_date: dt.date, **kwargs):
        self.meeting_date = meeting_date
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            govuk_required_message(field)

    def clean(self):
        data = super().clean()
        review = data.get("review_date")
        if data.get("decision") == c.MeetingDecision.CONTINUE and not review and "review_date" not in self.errors:
            self.add_error("review_date", "Enter the review date for a case that continues")
        if review and review <= self.meeting_date:
            self.add_error("review_date", "The review date must be after the meeting")
        return data


class ActionForm(forms.Form):
    description = forms.CharField(label="Action", required=False, max_length=300)
    owner = forms.CharField(label="Owner", required=False, max_length=100)
    due_date = GovukDateField(label="Due date", required=False)

    def clean(self):
        data = super().clean()
        if data.get("description"):
            if not data.get("owner"):
                self.add_error("owner", "Enter who owns the action")
            if not data.get("due_date") and "due_date" not in self.errors:
                self.add_error("due_date", "Enter the date the action is due")
        elif data.get("owner") or data.get("due_date"):
            self.add_error("description", "Enter what must be done")
        return data


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=3)
