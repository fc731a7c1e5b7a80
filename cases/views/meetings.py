"""Meeting mode: open a tracker meeting, step through its agenda, record decisions and actions, print.

Anyone of the LA reads meetings; chairs, team managers and LA administrators run them
(``RUN_MEETINGS``). Another LA's meeting or item is a 404. Each case's step is one service call:
every problem is shown on its field and nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import audit, forms, presenters, selectors, services, thresholds
from cases import constants as c
from cases.permissions import RUN_MEETINGS, SEE_IDENTIFIABLE, requires
from cases.selectors import tracker


@requires(SEE_IDENTIFIABLE)
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/meetings/list.html", {"meetings": selectors.meetings_list(user=request.user)[:100]})


@requires(RUN_MEETINGS)
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingOpenForm(
        request.POST or None,
        user=request.user,
        initial={"scope": c.ScopeKind.AREA, "meeting_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_open(
                user=request.user,
                scope=data["scope"],
                area=data["area"],
                team=data["team"],
                meeting_date=data["meeting_date"],
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Meeting opened with {meeting.items.count()} cases on the agenda")
            return redirect("tracker:meeting", meeting.pk)
    return render(request, "cases/meetings/new.html", {"form": form})


@requires(SEE_IDENTIFIABLE)
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    items = list(meeting.items.all())
    audit.record_read(request, kind=audit.VIEW, families=[item.family_id for item in items])
    return render(
        request,
        "cases/meetings/detail.html",
        {
            "meeting": meeting,
            "items": items,
            "decided": sum(1 for item in items if item.decision),
        },
    )


@requires(RUN_MEETINGS)
def meeting_item(request: HttpRequest, meeting_id: int, position: int) -> HttpResponse:
    """One case at the meeting: its drift, open actions, the decision and new actions."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id, with_agenda=False)
    place = selectors.meeting_item_get(meeting=meeting, position=position)
    item = place.item
    today = timezone.localdate()
    row = tracker.tracker_queryset(user=request.user, today=meeting.meeting_date).filter(pk=item.family_id).first()
    # The case as the tracker shows it (flags as at the meeting), or closed since the agenda was set.
    (shown,) = presenters.case_rows([row or item.family], today=today, flags=tracker.worded_flags(thresholds.current()))
    item.meeting = meeting  # the decision's rules compare dates with the meeting's
    open_actions = selectors.case_open_actions(user=request.user, family_id=item.family_id)
    step = None
    if meeting.closed_at:
        # The record is final: the page shows what was decided, with no form.
        if request.method == "POST":
            messages.error(request, f"{services.CLOSED_MESSAGE} Nothing was saved.")
            return redirect("tracker:meeting_item", meeting.pk, item.position)
    else:
        step = forms.MeetingStep(request.POST or None, item=item, open_actions=open_actions)
    if request.method == "POST" and step.is_valid():
        token = step.decision.cleaned_data.get("submission", "")
        if not services.submission_claim(token=token):
            messages.info(request, f"The decision for {item.family.name} was already saved.")
            return redirect("tracker:meeting", meeting.pk)
        data = step.decision.cleaned_data
        try:
            services.meeting_item_record(
                user=request.user,
                item=item,
                decision=data["decision"],
                review_date=data["review_date"],
                note=data["note"],
                new_actions=[
                    services.NewAction(
                        description=action_form.cleaned_data["description"],
                        owner=action_form.cleaned_data["owner"],
                        due_date=action_form.cleaned_data["due_date"],
                    )
                    for action_form in step.action_rows
                ],
                completed=step.completed,
                completed_date=today,
            )
        except services.MeetingStepError as error:
            services.submission_release(token=token)
            step.add_errors(error)
        else:
            messages.success(request, f"Decision recorded for {item.family.name}")
            if place.next is not None and "next" in request.POST:
                return redirect("tracker:meeting_item", meeting.pk, place.next)
            return redirect("tracker:meeting", meeting.pk)
    audit.record_read(request, kind=audit.VIEW, families=[item.family_id])
    return render(
        request,
        "cases/meetings/item.html",
        {
            "meeting": meeting,
            "item": item,
            "row": row,
            "flags": shown["flags"],
            "reason": shown["reason"],
            "next_due": shown["next_due"],
            "open_actions": open_actions,
            "step": step,
            "form": step.decision if step else None,
            "actions": step.actions if step else None,
            "count": place.count,
            "previous": place.previous,
            "next": place.next,
            "today": today,
        },
    )


@requires(RUN_MEETINGS)
@require_POST
def meeting_close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id, with_agenda=False)
    try:
        services.meeting_close(user=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, f"The meeting was not closed: {' '.join(error.messages)}")
    else:
        messages.success(request, "Meeting closed")
    return redirect("tracker:meeting", meeting.pk)


@requires(SEE_IDENTIFIABLE)
def meeting_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting record on one printable page."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    items = list(meeting.items.all())
    audit.record_read(request, kind=audit.PRINT, families=[item.family_id for item in items])
    return render(
        request,
        "cases/meetings/print.html",
        {
            "meeting": meeting,
            "items": items,
        },
    )
