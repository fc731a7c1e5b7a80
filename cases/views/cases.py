"""Case pages: the social worker's caseload, the case page and a form for every milestone.

Every case is fetched through ``get_visible`` (another LA's case is a 404) and every milestone
through its case, so a record of another case or LA is a 404 too. Read-only roles see case pages
but get a 403 on every form; board members and analysts get a 403 on all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases import audit, forms, presenters, selectors, services, thresholds
from cases import models as m
from cases.permissions import SEE_IDENTIFIABLE, WRITE_CASES, get_visible, requires
from cases.selectors import history, tracker
from cases.selectors import people as people_selectors
from reporting.forecast import display

PAGE_SIZE = 25


def data_dictionary(request: HttpRequest) -> HttpResponse:
    """The agreed regional terminology, generated from the models (public: it holds no case data)."""
    from cases import dictionary

    return render(
        request,
        "cases/data_dictionary.html",
        {"models": dictionary.build(), "reference_tables": dictionary.reference_tables()},
    )


@requires(SEE_IDENTIFIABLE)
def case_list(request: HttpRequest) -> HttpResponse:
    """My cases (or the team's, or the LA's) with stage, weeks elapsed, next due and flags."""
    search = forms.CaseSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    scope = "all" if request.GET.get("scope") == "all" else "mine"
    today = timezone.localdate()
    flags = tracker.worded_flags(thresholds.current())
    page = Paginator(
        selectors.case_list(user=request.user, today=today, search=query, scope=scope), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(presenters.case_rows(page.object_list, today=today, flags=flags))
    audit.record_read(request, kind=audit.VIEW, families=[row["case"] for row in rows])
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "rows": rows,
            "search": search,
            "query": query,
            "scope": scope,
        },
    )


def _confirmed(value: str) -> set[int]:
    """The family ids a user confirmed a new case is not (the duplicate check's hidden field)."""
    return {int(part) for part in value.split(",") if part.strip().isdigit()}


@requires(SEE_IDENTIFIABLE)  # asked first: a role that cannot see cases is told so
@requires(WRITE_CASES)
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a new case: the family and its first child.

    The duplicate check comes first: when the LA already has a family, open or closed, with a child
    of the same surname born on the same day, the form is shown again with those families listed
    and is saved only once the user confirms (the ids they saw come back in ``confirm_duplicates``;
    a family that matches and was not shown is shown first).
    """
    family = m.Family(local_authority_id=request.user.local_authority_id)
    form = forms.CaseForm(request.POST or None, instance=family, user=request.user)
    duplicates: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        matches = set(
            selectors.possible_duplicates(
                user=request.user,
                surnames=[data["child_last_name"], data["name"]],
                date_of_birth=data["child_date_of_birth"],
            ).values_list("pk", flat=True)
        )
        if matches - _confirmed(request.POST.get("confirm_duplicates", "")):
            duplicates = list(
                presenters.case_rows(
                    selectors.duplicate_rows(user=request.user, ids=sorted(matches), today=today),
                    today=today,
                    flags=tracker.worded_flags(thresholds.current()),
                )
            )
            audit.record_read(request, kind=audit.VIEW, families=[row["case"] for row in duplicates])
            return render(
                request,
                "cases/case_form.html",
                {
                    "form": form,
                    "duplicates": duplicates,
                    "confirm_duplicates": ",".join(str(pk) for pk in sorted(matches)),
                },
            )
        child = m.Child(
            first_name=data["child_first_name"],
            last_name=data["child_last_name"],
            la_child_id=data["child_la_id"],
            date_of_birth=data["child_date_of_birth"],
            expected_due_date=data["child_expected_due_date"],
            sex=data["child_sex"],
            ethnicity=data["child_ethnicity"],
            local_authority_id=request.user.local_authority_id,
        )
        if not services.submission_claim(token=data.get("submission", "")):
            messages.info(request, "That case was already saved.")
            return redirect("cases:list")
        try:
            family = services.case_create(user=request.user, family=form.save(commit=False), child=child)
        except ValidationError as error:
            services.submission_release(token=data.get("submission", ""))
            forms.add_service_errors(form, error, prefix="child_")
        else:
            messages.success(request, f"Case {family.la_reference} opened")
            return redirect("cases:detail", family.pk)
    return render(request, "cases/case_form.html", {"form": form})


@requires(SEE_IDENTIFIABLE)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """Who the case is about, its stage, status, flags and weeks, what is due next, its timetable,
    its episodes (current and earlier) and its timeline (oldest first, or newest with ``?order=newest``)."""
    family = selectors.case_get(user=request.user, case_id=case_id)
    today = timezone.localdate()
    limits = thresholds.current()
    status = selectors.case_status(user=request.user, family=family, today=today, limits=limits)
    open_proceedings = [p for p in family.proceedings.all() if p.is_open]
    open_episode = next((e for e in reversed(family.episodes.all()) if e.is_open), None)
    stage = selectors.case_stage(family)
    newest_first = request.GET.get("order") == "newest"
    # The people around the case name each parent's other families: those are read too.
    people = people_selectors.case_people(user=request.user, family=family)
    audit.record_read(request, kind=audit.VIEW, families=[family.pk, *people.other_family_ids])
    due_items = selectors.case_due_items(family=family, today=today, row=status.facts if status else None)
    # The case as one row of the case list and tracker (their status, flags and weeks), from the
    # same facts; ``case_due_items`` has set the facts' next hearing.
    row = presenters.case_row(status.facts, today=today, flags=tracker.worded_flags(limits)) if status else None
    # The breach forecast of the application the tracker shows (its latest open one), when shown.
    forecast = display.forecast_status()
    forecast_proceedings = getattr(status.facts, "proceedings_id", None) if status else None
    if forecast_proceedings is None and open_proceedings:
        forecast_proceedings = open_proceedings[-1].pk
    timeline = selectors.case_timeline(
        family, newest_first=newest_first, extra=people_selectors.timeline_entries(family, people)
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": family,
            "stage": stage,
            "timeline": timeline,
            # Each record waiting for a progress step (the timeline's own), earliest first.
            "awaiting": sorted((entry for entry in timeline if entry.step_url), key=lambda entry: entry.date),
            "newest_first": newest_first,
            "people": people,
            "episodes": selectors.case_episodes(family),
            "due_items": due_items,
            "status": status,
            "row": row,
            "closed_reason": presenters.CLOSED_REASON if stage.code == "ended" else "",
            "may_reopen": not services.reopen_refusal(family),
            "open_episode": open_episode,
            "open_proceedings": open_proceedings[-1] if open_proceedings else None,
            "open_actions": selectors.case_open_actions(user=request.user, family_id=family.pk),
            "forecast": forecast,
            "case_forecast": display.case_forecast(
                user=request.user, proceedings_id=forecast_proceedings, status=forecast
            ),
            "today": today,
        },
    )


# ---------------------------------------------------------------------------
# Milestone forms: one view, a spec per milestone
# ---------------------------------------------------------------------------


def _open_episode(family: m.Family) -> m.PreProceedingsEpisode | None:
    return family.episodes.open().order_by("-pk").first()


def _open_proceedings(family: m.Family) -> m.Proceedings | None:
    return family.proceedings.open().order_by("-issue_date", "-pk").first()


def _next_due_words(family: m.Family) -> str:
    """What is due next on the case, for the success banner (on a phone the page's own "Next due"
    is below the fold): the one next-due engine's first item, or "" when nothing is due."""
    items = selectors.case_due_items(family=family, today=timezone.localdate())
    if not items:
        return ""
    first = items[0]
    return f"Next due: {first.label}, {first.when[0].lower()}{first.when[1:]}."


@dataclass(frozen=True)
class Milestone:
    title: str
    form: type[forms.MilestoneForm]
    # The record to edit (pk given) or a new one (pk None); None when there is nothing to record it on.
    instance: Callable[[m.Family, int | None], object]
    save: Callable
    needs: str = ""  # what must exist first, said when it does not
    # Recorded on an existing record (the episode, a child's part): a correction only once filled in.
    step: bool = False
    # A progress step on a pending record (a listed hearing's outcome, an assessment's completion):
    # never a correction; ``pending`` says whether the record still waits for it (the model's own
    # rule), and the step is refused once it does not.
    pending: Callable[[object], bool] | None = None

    @property
    def progress(self) -> bool:
        return self.pending is not None


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None


def _episode_step(family, pk):
    return _get(family.episodes.all(), pk) if pk else _open_episode(family)


def _linked(record, *, required: bool):
    """The record linked to the case's current stage as the service will link it, so the form
    validates what is saved; None when it must be linked and there is nothing to link it to."""
    record.link_to_current_stage()
    return None if required and not record.is_linked else record


MILESTONES: dict[str, Milestone] = {
    "child": Milestone(
        "Child",
        forms.ChildForm,
        lambda family, pk: _get(family.children.all(), pk) if pk else m.Child(family=family),
        lambda user, form: services.child_save(user=user, child=form.save(commit=False)),
    ),
    "episode": Milestone(
        "Legal gateway decision",
        forms.EpisodeStartForm,
        lambda family, pk: _get(family.episodes.all(), pk) if pk else m.PreProceedingsEpisode(family=family),
        lambda user, form: services.episode_save(
            user=user, episode=form.save(commit=False), children=form.cleaned_data["children"]
        ),
    ),
    "letter": Milestone(
        "Letter before proceedings",
        forms.LetterForm,
        _episode_step,
        lambda user, form: services.episode_save(user=user, episode=form.save(commit=False)),
        needs="Record the legal gateway decision to start pre-proceedings first.",
        step=True,
    ),
    "family-meeting": Milestone(
        "Family group meeting (FGC/FGDM)",
        forms.FamilyMeetingForm,
        _episode_step,
        lambda user, form: services.episode_save(user=user, episode=form.save(commit=False)),
        needs="Record the legal gateway decision to start pre-proceedings first.",
        step=True,
    ),
    "pp-meeting": Milestone(
        "Pre-proceedings meeting",
        forms.PPMeetingForm,
        lambda family, pk: (
            _get(m.PreProceedingsMeeting.objects.filter(episode__family=family), pk)
            if pk
            else (m.PreProceedingsMeeting(episode=episode) if (episode := _open_episode(family)) else None)
        ),
        lambda user, form: services.pp_meeting_save(user=user, meeting=form.save(commit=False)),
        needs="Record the legal gateway decision to start pre-proceedings first.",
    ),
    "decision": Milestone(
        "Step-down or issue decision",
        forms.DecisionForm,
        _episode_step,
        lambda user, form: services.episode_save(user=user, episode=form.save(commit=False)),
        needs="There is no open pre-proceedings episode to decide.",
        step=True,
    ),
    "proceedings": Milestone(
        "Care application",
        forms.ProceedingsForm,
        lambda family, pk: _get(family.proceedings.all(), pk) if pk else m.Proceedings(family=family),
        lambda user, form: services.proceedings_save(
            user=user, proceedings=form.save(commit=False), children=form.cleaned_data["children"]
        ),
    ),
    "hearing": Milestone(
        "Hearing",
        forms.HearingForm,
        lambda family, pk: (
            _get(m.Hearing.objects.filter(proceedings__family=family), pk)
            if pk
            else (m.Hearing(proceedings=p) if (p := _open_proceedings(family)) else None)
        ),
        lambda user, form: services.hearing_save(user=user, hearing=form.save(commit=False)),
        needs="Record the care application first.",
    ),
    "hearing-outcome": Milestone(
        "Hearing outcome",
        forms.HearingOutcomeForm,
        lambda family, pk: _get(m.Hearing.objects.filter(proceedings__family=family), pk) if pk else None,
        lambda user, form: services.hearing_outcome_record(
            user=user,
            hearing=form.save(commit=False),
            relisted_for=form.cleaned_data.get("relisted_for"),
            relisted_on=form.cleaned_data.get("relisted_on"),
        ),
        needs="Choose the hearing from the case page.",
        pending=attrgetter("awaiting_outcome"),
    ),
    "extension": Milestone(
        "Extension",
        forms.ExtensionForm,
        lambda family, pk: (
            _get(m.Extension.objects.filter(child_proceedings__proceedings__family=family), pk)
            if pk
            else (m.Extension() if _open_proceedings(family) else None)
        ),
        lambda user, form: services.extension_save(user=user, extension=form.save(commit=False)),
        needs="There are no open proceedings to extend.",
    ),
    "child-order": Milestone(
        "Plans and final order",
        forms.ChildOrderForm,
        lambda family, pk: _get(m.ChildProceedings.objects.filter(proceedings__family=family), pk) if pk else None,
        lambda user, form: services.child_order_save(user=user, part=form.save(commit=False)),
        needs="Choose the child's plans and order from the case page.",
        step=True,
    ),
    "assessment": Milestone(
        "Assessment",
        forms.AssessmentForm,
        lambda family, pk: _linked(
            _get(family.assessments.all(), pk) if pk else m.Assessment(family=family), required=True
        ),
        lambda user, form: services.assessment_save(user=user, assessment=form.save(commit=False)),
        needs="Record the legal gateway decision first: an assessment belongs to pre-proceedings or proceedings.",
    ),
    "assessment-completion": Milestone(
        "Assessment completion",
        forms.AssessmentCompletionForm,
        lambda family, pk: _get(family.assessments.select_related("assessment_type"), pk) if pk else None,
        lambda user, form: services.assessment_save(user=user, assessment=form.save(commit=False)),
        needs="Choose the assessment from the case page.",
        pending=attrgetter("awaiting_outcome"),
    ),
    "family-meeting-outcome": Milestone(
        "Family group meeting outcome",
        forms.FamilyMeetingOutcomeForm,
        lambda family, pk: _get(family.episodes.all(), pk) if pk else None,
        lambda user, form: services.episode_save(user=user, episode=form.save(commit=False)),
        needs="Choose the family group meeting from the case page.",
        pending=attrgetter("fgdm_awaiting_outcome"),
    ),
    "delay": Milestone(
        "Delay",
        forms.DelayEventForm,
        lambda family, pk: _linked(
            _get(family.delay_events.all(), pk) if pk else m.DelayEvent(family=family), required=False
        ),
        lambda user, form: services.delay_event_save(user=user, event=form.save(commit=False)),
    ),
}


# Reopen a closed family for a repeat episode: a new episode, recorded like a milestone (not one of
# the case's milestones: there is nothing to correct, the episode is corrected as any other).
REOPEN = Milestone(
    "Repeat pre-proceedings episode",
    forms.ReopenForm,
    lambda family, pk: m.PreProceedingsEpisode(family=family) if not services.reopen_refusal(family) else None,
    lambda user, form: services.family_reopen(
        user=user, episode=form.save(commit=False), children=form.cleaned_data["children"]
    ),
    needs=services.REOPEN_REFUSED,
)


@requires(SEE_IDENTIFIABLE)  # asked first: a role that cannot see cases is told so
@requires(WRITE_CASES)
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    """Reopen a closed family for a repeat episode (a new episode of the same family, not a new case)."""
    return _record(request, case_id, REOPEN, "reopen", None)


@requires(SEE_IDENTIFIABLE)  # asked first: a role that cannot see cases is told so
@requires(WRITE_CASES)
def milestone(request: HttpRequest, case_id: int, kind: str, pk: int | None = None) -> HttpResponse:
    """Record a milestone, or correct one (the change history keeps the old values)."""
    spec = MILESTONES.get(kind)
    if spec is None:
        raise Http404
    return _record(request, case_id, spec, kind, pk)


def _record(request: HttpRequest, case_id: int, spec: Milestone, kind: str, pk: int | None) -> HttpResponse:
    family = get_visible(m.Family, user=request.user, pk=case_id)
    instance = spec.instance(family, pk)
    if instance is None:
        messages.info(request, spec.needs)
        return redirect("cases:detail", family.pk)
    if instance.pk is None:
        instance.local_authority_id = family.local_authority_id
    if spec.progress and not spec.pending(instance):
        messages.info(request, f"The {spec.title.lower()} is already recorded: correct it from the case timeline.")
        return redirect("cases:detail", family.pk)
    extra = {}
    if kind == "extension":
        extra["proceedings"] = instance.child_proceedings.proceedings if pk else _open_proceedings(family)
    form = spec.form(request.POST or None, instance=instance, family=family, **extra)
    editing = (
        pk is not None
        and not spec.progress
        and (not spec.step or any(getattr(instance, name, None) not in (None, "") for name in form._meta.fields))
    )
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data.get("submission", "")
        if not services.submission_claim(token=token):
            messages.info(request, f"{spec.title} was already saved.")
            return redirect("cases:detail", family.pk)
        try:
            spec.save(request.user, form)
        except ValidationError as error:
            services.submission_release(token=token)
            forms.add_service_errors(form, error)
        else:
            saved = f"{spec.title} {'updated' if editing else 'saved'}"
            after = _next_due_words(family)
            messages.success(request, f"{saved}. {after}" if after else saved)
            # The top of the case page: the success banner, which says what is due next, is in view.
            return redirect("cases:detail", family.pk)
    audit.record_read(request, kind=audit.VIEW, families=[family])
    return render(
        request,
        "cases/milestone_form.html",
        {
            "form": form,
            "case": family,
            "title": spec.title,
            "editing": editing,
            "kind": kind,
            # A correction shows what the record went through: who changed what, and when.
            "history": history.record_history(instance) if editing else [],
            # Correcting a record whose outcome is recorded (a completed assessment, a hearing that
            # happened) is said before it is done: a progress step is not made here by mistake.
            "outcome_recorded": editing and getattr(instance, "awaiting_outcome", True) is False,
        },
    )
