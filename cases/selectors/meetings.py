"""Reads of tracker meetings: the meetings of the user's LA, one meeting with its agenda (each case with
its previous decision), one agenda item, a case's open actions, the cases that may join an agenda and
the LA's users who may attend or own an action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from cases import constants as c
from cases import models as m
from cases.permissions import get_visible
from cases.selectors import tracker


def scoped_tracker(*, user, today: dt.date, scope: str, area_id: int | None, team_id: int | None) -> QuerySet:
    """The tracker's facts rows (flags, status, stage) for one scope of the user's LA."""
    queryset = tracker.tracker_facts(user=user, today=today)
    if scope == c.ScopeKind.AREA:
        queryset = queryset.filter(team__area_id=area_id)
    elif scope == c.ScopeKind.TEAM:
        queryset = queryset.filter(team_id=team_id)
    return queryset


def meeting_get(*, user, meeting_id: int, with_agenda: bool = True) -> m.TrackerMeeting:
    """A meeting of the user's LA (404 otherwise), with its agenda, decisions and actions prefetched
    unless ``with_agenda`` is false (a page about one case of the agenda loads only that case)."""

    queryset = m.TrackerMeeting.objects.select_related("area", "team", "chair", "local_authority")
    if with_agenda:
        queryset = queryset.prefetch_related(
            Prefetch("items", queryset=_agenda_items()),
            Prefetch("attendees", queryset=m.MeetingAttendee.objects.select_related("user")),
        )
    return get_visible(queryset, user=user, pk=meeting_id)


def _previous_decisions() -> QuerySet:
    """The decided items of the same case at earlier meetings of its LA, latest first (for ``OuterRef``)."""
    return (
        m.MeetingItem.objects.filter(
            family_id=OuterRef("family_id"),
            local_authority_id=OuterRef("local_authority_id"),
        )
        .exclude(decision="")
        .filter(
            Q(meeting__meeting_date__lt=OuterRef("meeting__meeting_date"))
            | Q(meeting__meeting_date=OuterRef("meeting__meeting_date"), meeting_id__lt=OuterRef("meeting_id"))
        )
        .order_by("-meeting__meeting_date", "-meeting_id")
    )


def _agenda_items() -> QuerySet:
    """Agenda items with their case, actions (and owners), and the case's previous decision:
    ``previous_decision``, ``previous_review_date`` and ``previous_meeting_date`` (None if none)."""
    earlier = _previous_decisions()
    return (
        m.MeetingItem.objects.select_related("family__social_worker", "family__team")
        .prefetch_related(
            Prefetch("actions", queryset=m.MeetingAction.objects.select_related("owner")),
            Prefetch("family__children", queryset=m.Child.objects.order_by("date_of_birth", "pk")),
        )
        .annotate(
            previous_decision=Subquery(earlier.values("decision")[:1]),
            previous_review_date=Subquery(earlier.values("review_date")[:1]),
            previous_meeting_date=Subquery(earlier.values("meeting__meeting_date")[:1]),
        )
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


def case_open_actions(*, user, family_id: int) -> list[m.MeetingAction]:
    """A case's open meeting actions (of the user's LA), earliest due first, with the meeting that agreed each."""
    return list(
        m.MeetingAction.objects.visible_to(user)
        .open()
        .filter(family_id=family_id)
        .select_related("item__meeting", "owner")
        .order_by("due_date", "pk")
    )


def agenda_candidates(*, user, meeting: m.TrackerMeeting) -> QuerySet:
    """The open cases of the user's LA not yet on the meeting's agenda, by name (families)."""
    open_cases = tracker.tracker_facts(user=user, today=meeting.meeting_date).values("pk")
    return (
        m.Family.objects.visible_to(user)
        .filter(pk__in=open_cases)
        .exclude(meeting_items__meeting=meeting)
        .select_related("team")
        .order_by("name", "la_reference", "pk")
    )


def la_users(*, user) -> QuerySet:
    """The active users of the user's LA, by name: who may attend a meeting or own an action."""
    return (
        m.User.objects.filter(local_authority_id=user.local_authority_id, is_active=True)
        .exclude(role__in=c.SERVICE_ROLES)
        .order_by("first_name", "last_name", "username")
    )
