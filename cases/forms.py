"""Forms for every PLO milestone, rendered with the GOV.UK Design System (templates/govuk/).

Forms validate input only; writes go through ``cases.services``. Model ``clean()`` rules run as
part of validation (ModelForm), so every schema rule appears as a message on the right field.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core.exceptions import ValidationError

from cases import constants as c
from cases import models as m

YES_NO = [("True", "Yes"), ("False", "No")]


# ---------------------------------------------------------------------------
# GOV.UK date input: three boxes (day, month, year) with GOV.UK error messages
# ---------------------------------------------------------------------------


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


def _govuk_required_message(field: forms.Field) -> None:
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
            _govuk_required_message(field)
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
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def children_queryset(self):
        return self.family.children.order_by("date_of_birth", "pk")


# ---------------------------------------------------------------------------
# The milestone forms
# ---------------------------------------------------------------------------


class CaseForm(forms.ModelForm):
    """A new case: the family and its first child."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    child_first_name = forms.CharField(
        label="Child's first name", required=False, help_text="Leave empty for an unborn child."
    )
    child_last_name = forms.CharField(label="Child's last name")
    child_la_id = forms.CharField(label="LA child ID", help_text="The LA's own child reference (CIN LAchildID).")
    child_date_of_birth = GovukDateField(label="Date of birth", required=False, help_text="For example, 27 3 2024")
    child_expected_due_date = GovukDateField(
        label="Expected due date", required=False, help_text="For an unborn child only."
    )
    child_sex = forms.ChoiceField(label="Sex", choices=c.Sex.choices, widget=forms.RadioSelect)
    child_ethnicity = forms.ChoiceField(label="Ethnicity", choices=c.Ethnicity.choices)

    class Meta(BaseMeta):
        model = m.Family
        fields = ["name", "la_reference", "team"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = m.Team.objects.filter(local_authority_id=user.local_authority_id).order_by(
            "name"
        )
        self.fields["team"].empty_label = "Select a team"
        self.fields["team"].widget = forms.Select(choices=self.fields["team"].choices)
        self.fields["team"].required = True
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4().hex
            self.initial["team"] = user.team_id


class ChildForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.Child
        fields = ["first_name", "last_name", "la_child_id", "date_of_birth", "expected_due_date", "sex", "ethnicity"]
        widgets = {"sex": forms.RadioSelect}


class EpisodeStartForm(MilestoneForm):
    intro = "Record the legal gateway (legal planning) meeting and its decision."

    class Meta(BaseMeta):
        model = m.PreProceedingsEpisode
        fields = [
            "gateway_meeting_date",
            "gateway_outcome",
            "start_date",
            "children",
            "pre_birth",
            "previous_pre_proceedings",
            "previous_care_proceedings",
            "parents_legal_representation",
        ]
        widgets = {"children": forms.CheckboxSelectMultiple}
        labels = {
            "gateway_outcome": "Decision of the legal gateway meeting",
            "pre_birth": "Pre-birth case",
            "previous_pre_proceedings": "A child had a previous pre-proceedings episode",
            "previous_care_proceedings": "A child was previously in care proceedings",
            "parents_legal_representation": "Parents' legal representation",
            "children": "The children in this episode",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = self.children_queryset()
        self.fields["children"].help_text = "Select every child in this episode."


class LetterForm(MilestoneForm):
    intro = "The letter before proceedings unlocks non-means-tested legal advice for parents."

    class Meta(BaseMeta):
        model = m.PreProceedingsEpisode
        fields = ["lbp_sent_date"]


class FamilyMeetingForm(MilestoneForm):
    intro = "Family group decision-making meeting or family group conference (FGC/FGDM)."

    class Meta(BaseMeta):
        model = m.PreProceedingsEpisode
        fields = ["fgdm_offered", "fgdm_offered_date", "fgdm_facilitated", "fgdm_held_date"]


class PPMeetingForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.PreProceedingsMeeting
        fields = ["kind", "meeting_date", "note"]


class DecisionForm(MilestoneForm):
    intro = "The decision to step down or issue care proceedings, and the court application if issued."

    class Meta(BaseMeta):
        model = m.PreProceedingsEpisode
        fields = ["step_decision_date", "outcome", "court_application_date", "letter_initiating_cp_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = True
        self.fields["step_decision_date"].required = True
        self.fields["step_decision_date"].error_messages["required"] = "Enter the decision date"


class ProceedingsForm(MilestoneForm):
    intro = "The care application (Section 31): day 1 of the 26 weeks is the issue date."

    children = forms.ModelMultipleChoiceField(
        queryset=m.Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Children in the application",
        help_text="Each child has their own 26-week timetable, plans and final order.",
    )

    class Meta(BaseMeta):
        model = m.Proceedings
        fields = [
            "court",
            "court_case_number",
            "issue_date",
            "judge",
            "guardian_allocated_date",
            "short_notice",
            "short_notice_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = self.children_queryset()
        self.fields["court"].empty_label = "Select a court"
        self.fields["court"].widget = forms.Select(choices=self.fields["court"].choices)
        if self.instance.pk:
            self.initial["children"] = [part.child_id for part in self.instance.child_parts.all()]

    def clean_children(self):
        children = self.cleaned_data["children"]
        if self.instance.pk:
            kept = {part.child_id for part in self.instance.child_parts.all()}
            if not kept <= {child.pk for child in children}:
                raise ValidationError("A child cannot be taken out of an application here: record a final outcome.")
        return children


class HearingForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.Hearing
        fields = ["hearing_type", "listed_date", "status", "reason", "relisted_date", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = "Required when the hearing was adjourned or vacated (HMCTS reason list)."
        self.fields["reason"].queryset = m.DelayReason.objects.select_related("driver").order_by("category", "label")
        self.fields["reason"].empty_label = "No reason (listed or held)"
        self.fields["reason"].widget = forms.Select(choices=self.fields["reason"].choices)


class ExtensionForm(MilestoneForm):
    intro = "An extension of one child's timetable: up to 8 weeks, only where necessary to resolve the case justly."

    class Meta(BaseMeta):
        model = m.Extension
        fields = ["child_proceedings", "granted_date", "new_end_date", "reason"]

    def __init__(self, *args, proceedings: m.Proceedings, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["child_proceedings"]
        field.queryset = proceedings.child_parts.select_related("child", "proceedings")
        field.label = "Child"
        field.label_from_instance = lambda part: str(part.child)
        field.widget = forms.RadioSelect(choices=field.choices)
        field.empty_label = None


class ChildOrderForm(MilestoneForm):
    intro = "Interim and final care plans, whether the court approved them, and the final order."

    class Meta(BaseMeta):
        model = m.ChildProceedings
        fields = [
            "interim_plan",
            "interim_plan_approved",
            "final_plan",
            "final_plan_approved",
            "final_outcome",
            "final_outcome_date",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("interim_plan", "final_plan"):
            self.fields[name].widget = forms.Select(choices=[("", "Not yet decided"), *c.CarePlan.choices])
        self.fields["final_outcome"].empty_label = "Not yet decided"
        self.fields["final_outcome"].widget = forms.Select(choices=self.fields["final_outcome"].choices)


class AssessmentForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.Assessment
        fields = [
            "assessment_type",
            "provider",
            "subject",
            "instructed_date",
            "due_date",
            "completed_date",
            "outcome",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "due_date"
        ].help_text = (
            "Leave empty to use the good-practice target (viability 2 weeks, parenting 8, connected carer 10)."
        )


class DelayEventForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.DelayEvent
        fields = ["event_date", "delayed_item", "days_lost", "reason", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = m.DelayReason.objects.select_related("driver").order_by("category", "label")
        self.fields["reason"].empty_label = "Select a reason"
        self.fields["reason"].widget = forms.Select(choices=self.fields["reason"].choices)
        self.fields["days_lost"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}
        )


class CaseSearchForm(forms.Form):
    q = forms.CharField(label="Search by child's name or LA reference", required=False, max_length=100)


# ---------------------------------------------------------------------------
# Tracker meetings
# ---------------------------------------------------------------------------


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
            _govuk_required_message(field)

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
            _govuk_required_message(field)

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
