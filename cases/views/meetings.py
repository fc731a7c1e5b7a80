"""Meeting mode: open a tracker meeting, choose its agenda and attendees, step through the agenda,
record decisions and actions, close (confirming the cases not discussed), print.

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
from cases import models as m
from cases.permissions import RUN_MEETINGS, SEE_IDENTIFIABLE, get_visible, requires
from cases.selectors import tracker


@requires(SEE_IDENTIFIABLE)
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/meetings/list.html", {"meetings": selectors.meetings_list(user=request.user)[:100]})


@requires(RUN_MEETINGS)
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingOpenForm(
        request.POST or None,
        user=request.user,
        initial={
            "scope": c.ScopeKind.AREA,
            "meeting_date": timezone.localdate(),
            "proposal": services.PROPOSE_FLAGGED,
        },
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
                proposal=data["proposal"],
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            count = meeting.items.count()
            messages.success(
                request,
                f"Meeting opened with {count} {'case' if count == 1 else 'cases'} on the agenda: "
                "add, remove, reorder and time them here",
            )
            return redirect("tracker:meeting_agenda", meeting.pk)
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
            "attendees": list(meeting.attendees.all()),
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
        step = forms.MeetingStep(
            request.POST or None,
            item=item,
            open_actions=open_actions,
            owners=selectors.la_users(user=request.user),
        )
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
    """Close the meeting; with cases not discussed, a page listing them asks the chair to confirm first."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id, with_agenda=False)
    try:
        services.meeting_close(user=request.user, meeting=meeting, confirmed=request.POST.get("confirm") == "yes")
    except services.MeetingCloseUnconfirmedError as unconfirmed:
        audit.record_read(request, kind=audit.VIEW, families=[item.family_id for item in unconfirmed.undiscussed])
        return render(
            request,
            "cases/meetings/close.html",
            {"meeting": meeting, "undiscussed": unconfirmed.undiscussed, "count": meeting.items.count()},
        )
    except ValidationError as error:
        messages.error(request, f"The meeting was not closed: {' '.join(error.messages)}")
    else:
        messages.success(request, "Meeting closed")
    return redirect("tracker:meeting", meeting.pk)


@requires(RUN_MEETINGS)
def meeting_agenda(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Choose the agenda (add, reorder, time, remove cases) and record the attendees, until the meeting closes.

    The page has four forms, told apart by the ``form`` posted: ``add``, ``arrange``, ``attendee``
    and ``attendee-remove``. Each saves all or nothing and comes back here."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    if meeting.closed_at:
        messages.error(request, f"{services.CLOSED_MESSAGE} The agenda and attendees cannot change.")
        return redirect("tracker:meeting", meeting.pk)
    items = list(meeting.items.all())
    users = selectors.la_users(user=request.user)
    posted = request.POST.get("form") if request.method == "POST" else None
    candidates = selectors.agenda_candidates(user=request.user, meeting=meeting)
    add = forms.AgendaAddForm(request.POST if posted == "add" else None, candidates=candidates)
    arrange = forms.AgendaArrangeForm(request.POST if posted == "arrange" else None, items=items)
    attendee = forms.AttendeeForm(request.POST if posted == "attendee" else None, meeting=meeting, users=users)
    saved = None
    try:
        if posted == "add" and add.is_valid():
            family = add.cleaned_data["family"]
            services.agenda_add(user=request.user, meeting=meeting, family=family)
            saved = f"The {family.name} family was added to the agenda"
        elif posted == "arrange" and arrange.is_valid():
            services.agenda_arrange(user=request.user, meeting=meeting, rows=arrange.agenda_rows())
            saved = "Agenda saved"
        elif posted == "attendee" and attendee.is_valid():
            data = attendee.cleaned_data
            record = services.attendee_add(
                user=request.user, meeting=meeting, attendee=data["user"], name=data["name"], role=data["role"]
            )
            saved = f"{record.label} was added to the attendees"
        elif posted == "attendee-remove":
            gone = get_visible(
                m.MeetingAttendee.objects.filter(meeting=meeting), user=request.user, pk=request.POST.get("attendee")
            )
            services.attendee_remove(user=request.user, attendee=gone)
            saved = f"{gone.label} was removed from the attendees"
    except services.AgendaError as error:
        arrange.add_agenda_errors(error)
    except ValidationError as error:
        form = {"add": add, "arrange": arrange, "attendee": attendee}.get(posted, arrange)
        forms.add_service_errors(form, error)
    if saved:
        messages.success(request, saved)
        return redirect("tracker:meeting_agenda", meeting.pk)
    # The page names the cases on the agenda and, in the list to add from, the LA's other open cases.
    shown = [item.family_id for item in items] + list(candidates.values_list("pk", flat=True))
    audit.record_read(request, kind=audit.VIEW, families=shown)
    failed = next((form for form in (add, arrange, attendee) if form.errors), None)
    return render(
        request,
        "cases/meetings/agenda.html",
        {
            "meeting": meeting,
            "items": items,
            "add_form": add,
            "arrange_form": arrange,
            "attendee_form": attendee,
            "attendees": list(meeting.attendees.all()),
            "failed": failed,
        },
    )


@requires(SEE_IDENTIFIABLE)
def meeting_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting record, compact for print: the decisions and actions of the cases discussed, with the
    cases not discussed counted in one line."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    items = list(meeting.items.all())
    discussed = [item for item in items if item.decision]
    # The record shows the cases discussed; the others only as a count.
    audit.record_read(request, kind=audit.PRINT, families=[item.family_id for item in discussed])
    return render(
        request,
        "cases/meetings/print.html",
        {
            "meeting": meeting,
            "items": items,
            "discussed": discussed,
            "undiscussed": [item for item in items if not item.decision],
            "attendees": list(meeting.attendees.all()),
        },
    )
