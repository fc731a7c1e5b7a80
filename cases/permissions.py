"""Access rules, written once and used by every view, API and service.

- A user sees only their own LA's identifiable records: another LA's record is a 404, so its
  existence is not disclosed.
- Only write roles (social worker, team manager, LA administrator) change case data; any other
  signed-in user who tries gets a 403.
- Board members and regional analysts never reach identifiable records: they get a 403 on
  case pages, and ``visible_to`` gives them nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from cases import models as m

M = TypeVar("M", bound=models.Model)

# Each case model with the one access helper that fetches it for a user.
CASE_MODELS: tuple[type[m.CaseRecord], ...] = (
    m.Family,
    m.Child,
    m.PreProceedingsEpisode,
    m.PreProceedingsMeeting,
    m.Proceedings,
    m.ChildProceedings,
    m.Extension,
    m.Hearing,
    m.Assessment,
    m.DelayEvent,
    m.TrackerMeeting,
    m.MeetingItem,
    m.MeetingAction,
)


def get_visible(model_or_queryset: type[M] | models.QuerySet[M], *, user, **lookup) -> M:
    """The record if it belongs to the user's LA, else 404 (never a bare ``.objects.get``)."""
    queryset = model_or_queryset if isinstance(model_or_queryset, models.QuerySet) else model_or_queryset.objects.all()
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_write(user) -> bool:
    return bool(user and user.is_authenticated and user.can_write_cases)


def ensure_can_write(user) -> None:
    """403 unless the user may change case data."""
    if not can_write(user):
        raise PermissionDenied("Your role can view cases but not change them.")


def ensure_la_access(user) -> None:
    """403 unless the user works with identifiable children of an LA."""
    if not (user and user.is_authenticated and user.has_la_access):
        raise PermissionDenied("Your role does not give access to individual children's records.")


V = TypeVar("V", bound=Callable)


def la_user_required(view: V) -> V:
    """Sign-in required, then LA access (board members and analysts get 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        ensure_la_access(request.user)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def writer_required(view: V) -> V:
    """Sign-in required, then a write role of an LA (read-only roles get 403 on every method)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        ensure_la_access(request.user)
        ensure_can_write(request.user)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def can_chair(user) -> bool:
    """Chairs, team managers and LA administrators run tracker meetings and record their decisions."""
    from cases.constants import Role

    return bool(
        user
        and user.is_authenticated
        and user.has_la_access
        and user.role in (Role.QUADRANT_CHAIR, Role.TEAM_MANAGER, Role.LA_ADMIN)
    )


def ensure_can_chair(user) -> None:
    if not can_chair(user):
        raise PermissionDenied("Only meeting chairs, team managers and LA administrators record tracker meetings.")


def chair_required(view: V) -> V:
    """Sign-in required, then a role that runs tracker meetings (others get 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        ensure_la_access(request.user)
        ensure_can_chair(request.user)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
