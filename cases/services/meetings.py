"""Tracker meetings: open a meeting for a scope, step through its agenda, record decisions and actions.

Writes (``meeting_open``, ``meeting_item_decide``, ``action_create``, ``action_complete``,
``meeting_close``) validate, run in one transaction and record who made the change, like every
other case write.
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases.flags import row_flags
from cases.permissions import ensure_can_chair
from cases.selectors.meetings import scoped_tracker


def _stamp(instance, user) -> None:
    if instance.pk is None:
        instance.created_by = user
    instance.updated_by = user
    instance.local_authority_id = user.local_authority_id


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
                flags=[flag.code for flag in row_flags(row)],
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
