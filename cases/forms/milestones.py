"""Forms for every PLO milestone, rendered with the GOV.UK Design System (templates/govuk/).

Forms validate input only; writes go through ``cases.services``. Model ``clean()`` rules run as
part of validation (ModelForm), so every schema rule appears as a message on the right field.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import thresholds
from cases.forms.fields import (
    BaseMeta,
    GovukDateField,
    MilestoneForm,
)

NOT_YET_RECORDED = "Not yet recorded"


def ethnicity_choices() -> list[tuple[str, str]]:
    """ "Not yet recorded" first, then the CIN census codes: no ethnicity is chosen for the user.

    "Not yet recorded" is the census's own code for it, NOBT ("information not yet obtained"),
    which is also the model's default, so an unrecorded child is never saved as White British.
    """
    rest = [(code, f"{label} ({code})") for code, label in c.Ethnicity.choices if code != c.Ethnicity.NOBT]
    return [(c.Ethnicity.NOBT, f"{NOT_YET_RECORDED} ({c.Ethnicity.NOBT})"), *rest]


class CaseForm(forms.ModelForm):
    """A new case: the family and its first child."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    child_first_name = forms.CharField(
        label="Child's first name", required=False, help_text="Leave empty for an unborn child."
    )
    child_last_name = forms.CharField(label="Child's last name")
    child_la_id = forms.CharField(label="LA child ID", help_text="The LA's own child reference (CIN LAchildID).")
    # The date input gives its own example ("For example, 27 3 2026"): no second hint here.
    child_date_of_birth = GovukDateField(label="Date of birth", required=False)
    child_expected_due_date = GovukDateField(
        label="Expected due date", required=False, help_text="For an unborn child only."
    )
    child_sex = forms.ChoiceField(label="Sex", choices=c.Sex.choices, widget=forms.RadioSelect)
    child_ethnicity = forms.ChoiceField(label="Ethnicity", choices=ethnicity_choices, initial=c.Ethnicity.NOBT)

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = ethnicity_choices()
        self.fields["ethnicity"].widget = forms.Select(choices=self.fields["ethnicity"].choices)


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
        self.fields[
            "start_date"
        ].help_text = (
            "Leave empty if pre-proceedings started on the day of the legal gateway meeting (CIN PPStartDate)."
        )
        if self.instance.pk is None and not self.is_bound:
            children = list(self.fields["children"].queryset)
            # The only child is in the episode; an unborn child makes it a pre-birth case.
            if len(children) == 1:
                self.initial["children"] = [children[0].pk]
            self.initial["pre_birth"] = any(child.is_unborn for child in children)
            # A new episode of a family with earlier ones is a repeat episode (REFERENCE.md 4).
            self.initial["previous_pre_proceedings"] = self.family.episodes.exists()
            self.initial["previous_care_proceedings"] = self.family.proceedings.exists()

    def clean(self):
        data = super().clean()
        # The gateway meeting's date is the pre-proceedings start date (REFERENCE.md): an empty
        # start date for a decision to start pre-proceedings is that day. Set before the model's
        # rule ("Enter the date pre-proceedings started") is asked in _post_clean.
        if (
            data.get("gateway_outcome") == c.GatewayOutcome.START_PRE_PROCEEDINGS
            and data.get("start_date") is None
            and "start_date" not in self.errors
            and data.get("gateway_meeting_date")
        ):
            data["start_date"] = data["gateway_meeting_date"]
        return data


class ReopenForm(EpisodeStartForm):
    """A closed family's repeat episode: a new pre-proceedings episode of the same family."""

    intro = (
        "Reopen the family for a new pre-proceedings episode after its earlier ones ended, instead of opening "
        "a duplicate case. Its earlier episodes stay on the case page. The new episode counts as a repeat "
        "episode: the family's earlier pre-proceedings and care proceedings are recorded on it."
    )

    class Meta(EpisodeStartForm.Meta):
        fields = [name for name in EpisodeStartForm.Meta.fields if name != "gateway_outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.gateway_outcome = c.GatewayOutcome.START_PRE_PROCEEDINGS
        self.fields[
            "gateway_meeting_date"
        ].help_text = "The legal gateway meeting that decided to start pre-proceedings again."
        # The family's earlier records tick the two "previous" boxes (``EpisodeStartForm``); the
        # service records them whatever is sent.
        known = {
            "previous_pre_proceedings": self.family.episodes.exists(),
            "previous_care_proceedings": self.family.proceedings.exists(),
        }
        for name, shown in known.items():
            self.fields[name].help_text = (
                "Already ticked: the family's record shows one, and that is recorded on the episode in any case."
                if shown
                else "Tick if a child had one elsewhere, for example in another local authority."
            )

    def clean(self):
        data = super().clean()
        if data.get("start_date") is None and "start_date" not in self.errors and data.get("gateway_meeting_date"):
            data["start_date"] = data["gateway_meeting_date"]
        return data


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


class FamilyMeetingOutcomeForm(MilestoneForm):
    """Whether an offered family group meeting took place, and when: a progress step, recorded once."""

    class Meta(BaseMeta):
        model = m.PreProceedingsEpisode
        fields = ["fgdm_facilitated", "fgdm_held_date"]
        labels = {"fgdm_facilitated": "Did the family group meeting take place?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = self.instance.fgdm_offered_date
        self.intro = "Family group meeting (FGC/FGDM)" + (f", offered {offered:%-d %B %Y}." if offered else ".")
        self.fields["fgdm_held_date"].help_text = "Leave empty if it did not take place."

    def clean(self):
        data = super().clean()
        # The model allows "not yet known"; this step is where it becomes known.
        if data.get("fgdm_facilitated") is None and "fgdm_facilitated" not in self.errors:
            self.add_error("fgdm_facilitated", "Select whether the family group meeting took place")
        elif data.get("fgdm_facilitated") and not data.get("fgdm_held_date") and "fgdm_held_date" not in self.errors:
            self.add_error("fgdm_held_date", "Enter the date the family group meeting was held")
        return data


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
    children = forms.ModelMultipleChoiceField(
        queryset=m.Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Children in the application",
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
        weeks = thresholds.current().s31_limit_weeks
        self.intro = f"The care application (Section 31): day 1 of the {weeks} weeks is the issue date."
        self.fields["children"].help_text = f"Each child has their own {weeks}-week timetable, plans and final order."
        self.fields["children"].queryset = self.children_queryset()
        self.fields["court"].empty_label = "Select a court"
        self.fields["court"].widget = forms.Select(choices=self.fields["court"].choices)
        if self.instance.pk:
            self.initial["children"] = [part.child_id for part in self.instance.child_parts.all()]

    def clean_children(self):
        children = self.cleaned_data["children"]
        # The model's rule, which the service (and so the API) applies too.
        errors = self.instance.children_errors(list(children))
        if errors:
            raise ValidationError(errors["children"])
        return children


LISTED_ON_HINT = "The day the court fixed the date. If you do not know it, leave today's date."


def _reason_select(field) -> None:
    """The HMCTS reason list as one select, grouped in the order of its categories."""
    field.help_text = "Required when the hearing was adjourned or vacated (HMCTS reason list)."
    field.queryset = m.DelayReason.objects.select_related("driver").order_by("category", "label")
    field.empty_label = "No reason (listed or held)"
    field.widget = forms.Select(choices=field.choices)


def _orders_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Orders made",
        choices=c.HearingOrder.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. A child's final order is recorded with the child's plans.",
    )


class HearingForm(MilestoneForm):
    """A new listing (type, when the listing was made, the date it is for), or a correction of one.

    What came of a listing is recorded with ``HearingOutcomeForm``, a progress step; a correction
    shows every field so that a mistake in an outcome can be put right too.
    """

    intro = "A hearing listed in the care application. Record what happened at it with \u201cRecord the outcome\u201d."

    class Meta(BaseMeta):
        model = m.Hearing
        fields = ["hearing_type", "listed_on", "listed_date", "status", "vacated_on", "reason", "orders_made", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listed_on"].help_text = LISTED_ON_HINT
        if self.instance.pk is None:
            for name in ("status", "vacated_on", "reason", "orders_made"):
                del self.fields[name]
            if not self.is_bound:
                self.initial["listed_on"] = timezone.localdate()
            return
        self.fields["orders_made"] = _orders_field()
        _reason_select(self.fields["reason"])


class HearingOutcomeForm(MilestoneForm):
    """What came of a listed hearing: held, adjourned on the day or vacated before it, and a re-listing.

    Re-listing makes a new listing that replaces this one (``services.hearing_outcome_record``).
    """

    relisted_for = GovukDateField(
        label="New date, if re-listed",
        required=False,
        help_text="Leave empty if the hearing has not been re-listed.",
    )
    relisted_on = GovukDateField(
        label="Date the new listing was made",
        required=False,
        help_text="The day the court fixed the new date. If you do not know it, leave today's date.",
    )

    class Meta(BaseMeta):
        model = m.Hearing
        fields = ["status", "vacated_on", "reason", "orders_made", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hearing = self.instance
        self.intro = f"{hearing.hearing_type.label}, listed for {hearing.listed_date:%-d %B %Y}."
        status = self.fields["status"]
        status.label = "What happened"
        status.help_text = "Adjourned: put off on the day. Vacated: cancelled before the day."
        status.choices = [(value, label) for value, label in c.HearingStatus.choices if value in c.HEARING_OUTCOMES]
        status.widget = forms.RadioSelect(choices=status.choices)
        status.error_messages["required"] = "Select what happened at the hearing"
        self.fields["orders_made"] = _orders_field()
        _reason_select(self.fields["reason"])
        self.fields["note"].label = "Note"
        self.fields["note"].help_text = "Shown on the case timeline with the hearing."
        if not self.is_bound:
            self.initial["status"] = None
            self.initial["relisted_on"] = timezone.localdate()

    def clean(self):
        data = super().clean()
        relisted = data.get("relisted_for")
        # The outcome's rules are the model's, which the service (and so the API) applies too; until
        # _post_clean the instance is the listing as stored.
        for name, message in self.instance.outcome_errors(status=data.get("status"), relisted_for=relisted).items():
            if name not in self.errors:
                self.add_error(name, message)
        if relisted and not data.get("relisted_on") and "relisted_on" not in self.errors:
            self.add_error("relisted_on", "Enter the date the new listing was made")
        if relisted:
            # The re-listing's dates have the bounds of a listing's, said with this form's labels.
            fields = c.RELISTING_FIELDS
            labels = {model: self.fields[name].label_text for model, name in fields.items()}
            probe = m.Hearing(listed_date=relisted, listed_on=data.get("relisted_on"))
            for model_name, message in probe.date_bound_errors(labels=labels).items():
                if fields[model_name] not in self.errors:
                    self.add_error(fields[model_name], message)
        return data


class ExtensionForm(MilestoneForm):
    class Meta(BaseMeta):
        model = m.Extension
        fields = ["child_proceedings", "granted_date", "new_end_date", "reason"]

    def __init__(self, *args, proceedings: m.Proceedings, **kwargs):
        super().__init__(*args, **kwargs)
        weeks = thresholds.current().extension_max_weeks
        self.intro = (
            f"An extension of one child's timetable: up to {weeks} weeks, only where necessary to resolve the case "
            "justly."
        )
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
        # The targets are reference data (each assessment type's target weeks), so say them from there.
        targets = self.fields["assessment_type"].queryset.filter(target_weeks__isnull=False)
        self.fields["due_date"].help_text = (
            "Leave empty to use the good-practice target: "
            + "; ".join(f"{kind.label}, {kind.target_weeks} weeks" for kind in targets)
            + "."
        )


class AssessmentCompletionForm(MilestoneForm):
    """The completion of an instructed assessment and its conclusion: a progress step, recorded once."""

    class Meta(BaseMeta):
        model = m.Assessment
        fields = ["completed_date", "outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assessment = self.instance
        who = f" of {assessment.subject}" if assessment.subject else ""
        due = f", due {assessment.due_date:%-d %B %Y}" if assessment.due_date else ""
        self.intro = f"{assessment.assessment_type.label}{who}, instructed {assessment.instructed_date:%-d %B %Y}{due}."
        for name, message in (
            ("completed_date", "Enter the completion date"),
            ("outcome", "Select the conclusion of the assessment"),
        ):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message


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
    q = forms.CharField(label="Search for a family", required=False, max_length=100)
