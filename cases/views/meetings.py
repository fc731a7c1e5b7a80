"""Meeting mode: open a tracker meeting, step through its agenda, record decisions and actions, print."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import constants as c
from cases import forms, selectors, services
from cases import models as m
from cases.permissions import can_chair, chair_required, la_user_required
from cases.selectors import tracker


@la_user_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/meetings/list.html",
        {"meetings": selectors.meetings_list(user=request.user)[:100], "can_chair": can_chair(request.user)},
    )


@chair_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingOpenForm(
        request.POST or None,
        user=request.user,
        initial={"scope": c.ScopeKind.AREA, "meeting_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = services.meeting_open(
            user=request.user,
            scope=data["scope"],
            area=data["area"],
            team=data["team"],
            meeting_date=data["meeting_date"],
        )
        messages.success(request, f"Meeting opened with {meeting.items.count()} cases on the agenda")
        return redirect("tracker:meeting", meeting.pk)
    return render(request, "cases/meetings/new.html", {"form": form})


@la_user_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    items = list(meeting.items.all())
    return render(
        request,
        "cases/meetings/detail.html",
        {
            "meeting": meeting,
            "items": items,
            "decided": sum(1 for item in items if item.decision),
            "can_chair": can_chair(request.user),
        },
    )


@chair_required
def meeting_item(request: HttpRequest, meeting_id: int, position: int) -> HttpResponse:
    """One case at the meeting: its drift, open actions, the decision and new actions."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id, with_agenda=False)
    place = selectors.meeting_item_get(meeting=meeting, position=position)
    item = place.item
    today = timezone.localdate()
    row = tracker.tracker_queryset(user=request.user, today=meeting.meeting_date).filter(pk=item.family_id).first()
    if row is not None:
        tracker.attach_next_hearings([row], today=today)
    open_actions = list(
        m.MeetingAction.objects.visible_to(request.user)
        .filter(family_id=item.family_id, completed_date__isnull=True)
        .select_related("item__meeting")
        .order_by("due_date", "pk")
    )
    if meeting.closed_at:
        # The record is final: the page shows what was decided, with no form.
        if request.method == "POST":
            messages.error(request, f"{services.CLOSED_MESSAGE} Nothing was saved.")
            return redirect("tracker:meeting_item", meeting.pk, item.position)
        form = actions = None
    else:
        initial = {"decision": item.decision, "review_date": item.review_date, "note": item.note}
        form = forms.ItemDecisionForm(request.POST or None, meeting_date=meeting.meeting_date, initial=initial)
        actions = forms.ActionFormSet(request.POST or None, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        data = form.cleaned_data
        services.meeting_item_decide(
            user=request.user, item=item, decision=data["decision"], review_date=data["review_date"], note=data["note"]
        )
        for action in actions.cleaned_data:
            if action.get("description"):
                services.action_create(
                    user=request.user,
                    item=item,
                    description=action["description"],
                    owner=action["owner"],
                    due_date=action["due_date"],
                )
        done = set(request.POST.getlist("completed"))
        for action in open_actions:
            if str(action.pk) in done:
                services.action_complete(user=request.user, action=action, completed_date=today)
        messages.success(request, f"Decision recorded for {item.family.name}")
        if place.next is not None and "next" in request.POST:
            return redirect("tracker:meeting_item", meeting.pk, place.next)
        return redirect("tracker:meeting", meeting.pk)
    return render(
        request,
        "cases/meetings/item.html",
        {
            "meeting": meeting,
            "item": item,
            "row": row,
            "flags": tracker.row_flags(row) if row else [],
            "reason": tracker.row_reason(row) if row else "The case is no longer open.",
            "next_due": tracker.row_next_due(row, today=today, limits=tracker.thresholds()) if row else None,
            "open_actions": open_actions,
            "form": form,
            "actions": actions,
            "count": place.count,
            "previous": place.previous,
            "next": place.next,
            "today": today,
        },
    )


@chair_required
@require_POST
def meeting_close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id, with_agenda=False)
    services.meeting_close(user=request.user, meeting=meeting)
    messages.success(request, "Meeting closed")
    return redirect("tracker:meeting", meeting.pk)


@la_user_required
def meeting_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting record on one printable page."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    return render(
        request,
        "cases/meetings/print.html",
        {
            "meeting": meeting,
            "items": list(meeting.items.all()),
        },
    )
