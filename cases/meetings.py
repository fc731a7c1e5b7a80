"""Tracker meetings: open a meeting for a scope, step through its agenda, record decisions and actions.

Writes (``meeting_open``, ``meeting_item_decide``, ``action_create``, ``action_complete``,
``meeting_close``) validate, run in one transaction and record who made the change, like every
other case write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import tracker
from cases.permissions import ensure_can_chair


def _stamp(instance, user) -> None:
    if instance.pk is None:
        instance.created_by = user
    instance.updated_by = user
    instance.local_authority_id = user.local_authority_id


def scoped_tracker(*, user, today: dt.date, scope: str, area_id: int | None, team_id: int | None) -> QuerySet:
    """The tracker's facts rows (flags, status, stage) for one scope of the user's LA."""
    queryset = tracker.tracker_facts(user=user, today=today)
    if scope == c.ScopeKind.AREA:
        queryset = queryset.filter(team__area_id=area_id)
    elif scope == c.ScopeKind.TEAM:
        queryset = queryset.filter(team_id=team_id)
    return queryset


@transaction.atomic
def meeting_open(*, user, scope: str, meeting_date: dt.date, area=None, team=None) -> m.TrackerMeeting:
    """Open a meeting and set its agenda: every open case in scope, red first, then longest waiting."""
    ensure_can_chair(user)
    with pghistory.context(user=user.pk, username=user.get_username()):
        meeting = m.TrackerMeeting(
            scope=scope,
            area=area if scope == c.ScopeKind.AREA else None,
            team=team if scope == c.ScopeKind.TEAM else None,
            meeting_date=meeting_date,
            chair=user,
        )
        _stamp(meeting, user)
        meeting.full_clean()
        meeting.save()
        rows = scoped_tracker(
            user=user, today=meeting_date, scope=scope, area_id=meeting.area_id, team_id=meeting.team_id
        ).order_by("rag_order", "started_on", "pk")
        items = []
        for position, row in enumerate(rows, start=1):
            item = m.MeetingItem(
                meeting=meeting,
                family_id=row.pk,
                position=position,
                stage=row.stage,
                rag=row.rag,
                flags=[flag.code for flag in tracker.row_flags(row)],
            )
            _stamp(item, user)
            items.append(item)
        m.MeetingItem.objects.bulk_create(items)
    return meeting


CLOSED_MESSAGE = "This meeting is closed: its record can no longer change."


def _ensure_open(meeting: m.TrackerMeeting) -> None:
    if meeting.closed_at:
        raise ValidationError(CLOSED_MESSAGE)


@transaction.atomic
def meeting_item_decide(
    *, user, item: m.MeetingItem, decision: str, review_date: dt.date | None, note: str
) -> m.MeetingItem:
    """Record the meeting's decision for one case."""
    ensure_can_chair(user)
    _ensure_open(item.meeting)
    with pghistory.context(user=user.pk, username=user.get_username()):
        item.decision = decision
        item.review_date = review_date
        item.note = note
        item.decided_at = timezone.now()
        _stamp(item, user)
        item.full_clean()
        item.save()
    return item


@transaction.atomic
def action_create(*, user, item: m.MeetingItem, description: str, owner: str, due_date: dt.date) -> m.MeetingAction:
    """Agree an action for a case at a meeting."""
    ensure_can_chair(user)
    _ensure_open(item.meeting)
    with pghistory.context(user=user.pk, username=user.get_username()):
        action = m.MeetingAction(
            item=item, family_id=item.family_id, description=description, owner=owner, due_date=due_date
        )
        _stamp(action, user)
        action.full_clean()
        action.save()
    return action


@transaction.atomic
def action_complete(*, user, action: m.MeetingAction, completed_date: dt.date) -> m.MeetingAction:
    """Mark an action done."""
    ensure_can_chair(user)
    with pghistory.context(user=user.pk, username=user.get_username()):
        action.completed_date = completed_date
        _stamp(action, user)
        action.full_clean()
        action.save()
    return action


@transaction.atomic
def meeting_close(*, user, meeting: m.TrackerMeeting) -> m.TrackerMeeting:
    """Close the meeting: its record is final from now on (it can still be read and printed)."""
    ensure_can_chair(user)
    if meeting.closed_at:
        return meeting
    with pghistory.context(user=user.pk, username=user.get_username()):
        meeting.closed_at = timezone.now()
        _stamp(meeting, user)
        meeting.save()
    return meeting


def meeting_get(*, user, meeting_id: int, with_agenda: bool = True) -> m.TrackerMeeting:
    """A meeting of the user's LA (404 otherwise), with its agenda, decisions and actions prefetched
    unless ``with_agenda`` is false (a page about one case of the agenda loads only that case)."""
    from cases.permissions import get_visible

    queryset = m.TrackerMeeting.objects.select_related("area", "team", "chair", "local_authority")
    if with_agenda:
        queryset = queryset.prefetch_related(Prefetch("items", queryset=_agenda_items()))
    return get_visible(queryset, user=user, pk=meeting_id)


def _agenda_items() -> QuerySet:
    return m.MeetingItem.objects.select_related("family__social_worker", "family__team").prefetch_related(
        "actions", Prefetch("family__children", queryset=m.Child.objects.order_by("date_of_birth", "pk"))
    )


@dataclass(frozen=True)
class AgendaPlace:
    """Where an item sits in its meeting's agenda."""

    item: m.MeetingItem
    count: int
    previous: int | None
    next: int | None


def meeting_item_get(*, meeting: m.TrackerMeeting, position: int) -> AgendaPlace:
    """One agenda item with its case, and the positions either side of it (404 if there is none)."""
    item = _agenda_items().filter(meeting=meeting, position=position).first()
    if item is None:
        raise Http404("No such case on this meeting's agenda.")
    around = meeting.items.aggregate(
        count=Count("pk"),
        previous=Max("position", filter=Q(position__lt=position)),
        next=Min("position", filter=Q(position__gt=position)),
    )
    return AgendaPlace(item=item, **around)


def meetings_list(*, user) -> QuerySet:
    return (
        m.TrackerMeeting.objects.visible_to(user)
        .select_related("area", "team", "chair", "local_authority")
        .order_by("-meeting_date", "-pk")
    )
