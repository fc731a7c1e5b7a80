"""Who may do what, written once: named capabilities that views, DRF views, services and templates ask.

- A capability is a named predicate on the user (``WRITE_CASES(user)``) with the message a refusal
  shows. Anonymous and inactive users have none.
- Views use one decorator, ``@requires(capability)``: anonymous users are sent to sign in, and a
  signed-in user without the capability gets the 403 page. DRF views use
  ``permission_class(capability)``; services call ``ensure(user, capability)``; templates ask
  ``may.<name>`` (the ``capabilities`` context processor).
- A user sees only their own LA's identifiable records: another LA's record is a 404
  (``get_visible``), so its existence is not disclosed.
- Board members and regional analysts never reach identifiable records: they get a 403 on case
  pages, and ``visible_to`` gives them nothing. Aggregate figures are scoped by
  ``can_see_aggregates``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from rest_framework.permissions import BasePermission

from cases import constants as c
from cases import models as m

# The roles behind each capability. LA_ROLES (constants) are the roles that belong to an LA.
WRITE_ROLES = frozenset({c.Role.SOCIAL_WORKER, c.Role.TEAM_MANAGER, c.Role.LA_ADMIN, c.Role.API_WRITE})
MEETING_ROLES = frozenset({c.Role.QUADRANT_CHAIR, c.Role.TEAM_MANAGER, c.Role.LA_ADMIN})
PACK_READER_ROLES = frozenset({c.Role.BOARD_MEMBER, c.Role.REGIONAL_ANALYST, c.Role.LA_ADMIN})
REGION = "region"  # the scope above the LAs (reporting.models.ScopeType.REGION)


@dataclass(frozen=True)
class Capability:
    """Something a user may do: a name, the rule on an active signed-in user, and a refusal's message."""

    name: str
    rule: Callable[[Any], bool]
    denied: str

    def __call__(self, user) -> bool:
        """True if ``user`` (any user object, anonymous included) has the capability."""
        return bool(
            user is not None and user.is_authenticated and getattr(user, "is_active", False) and self.rule(user)
        )


def _la_member(user) -> bool:
    return user.role in c.LA_ROLES and user.local_authority_id is not None


def _regional(user) -> bool:
    return user.is_superuser or user.role == c.Role.REGIONAL_ANALYST


SEE_IDENTIFIABLE = Capability(
    "see_identifiable",
    _la_member,
    "Your role does not give access to individual children's records.",
)
WRITE_CASES = Capability(
    "write_cases",
    lambda user: _la_member(user) and user.role in WRITE_ROLES,
    "Your role can view cases but not change them.",
)
# Chairs are read-only on case data but run meetings: decisions and actions are meeting records.
RUN_MEETINGS = Capability(
    "run_meetings",
    lambda user: _la_member(user) and user.role in MEETING_ROLES,
    "Only meeting chairs, team managers and LA administrators record tracker meetings.",
)
SEE_REGION = Capability(
    "see_region",
    _regional,
    "Figures for the region and every LA are for regional analysts.",
)
SEE_DASHBOARD = Capability(
    "see_dashboard",
    lambda user: _regional(user) or _la_member(user),
    "Your role has no dashboard: board members read the monthly board packs.",
)
READ_PACKS = Capability(
    "read_packs",
    lambda user: user.is_superuser or user.role in PACK_READER_ROLES,
    "Board packs are for board members, LA leaders and regional analysts.",
)
BUILD_PACKS = Capability(
    "build_packs",
    lambda user: user.is_superuser or user.is_staff or user.role == c.Role.LA_ADMIN,
    "Only administrators build board packs.",
)

# Information governance: who read which children's records (the read audit), for the admin's own LA.
SEE_AUDIT = Capability(
    "see_audit",
    lambda user: _la_member(user) and user.role == c.Role.LA_ADMIN,
    "Only LA administrators see who has read children's records.",
)

# A legal hold keeps a case past its LA's retention period: set by an LA's administrators (for
# their own LA's cases) or a superuser, never by caseworkers.
SET_LEGAL_HOLD = Capability(
    "set_legal_hold",
    lambda user: user.is_superuser or (_la_member(user) and user.role == c.Role.LA_ADMIN),
    "Only LA administrators place cases on legal hold or release them.",
)

# Service accounts (API tokens) of an LA: created, given tokens and revoked by its administrators.
MANAGE_SERVICE_ACCOUNTS = Capability(
    "manage_service_accounts",
    lambda user: _la_member(user) and user.role == c.Role.LA_ADMIN,
    "Only LA administrators manage the LA's service accounts and their API tokens.",
)

# Statutory returns (the CIN census module, the SSD table) name every child of the LA: its
# administrators and team managers send them, not every caseworker.
EXPORT_RETURNS = Capability(
    "export_returns",
    lambda user: _la_member(user) and user.role in (c.Role.LA_ADMIN, c.Role.TEAM_MANAGER),
    "Only LA administrators and team managers download the statutory returns.",
)
# The regional data exercise: how completely each LA records each field, aggregates only.
SEE_DATA_EXERCISE = Capability(
    "see_data_exercise",
    lambda user: _regional(user) or user.role == c.Role.BOARD_MEMBER,
    "The regional data exercise is for regional analysts and board members.",
)

# Tracker imports: an LA's administrators from the pages, its read-and-write service accounts (data
# teams) from the API. Saved column mappings are the administrators' to keep.
IMPORT_TRACKERS = Capability(
    "import_trackers",
    lambda user: _la_member(user) and user.role in (c.Role.LA_ADMIN, c.Role.API_WRITE),
    "Only LA administrators and data teams import trackers.",
)
SAVE_IMPORT_MAPPINGS = Capability(
    "save_import_mappings",
    lambda user: _la_member(user) and user.role == c.Role.LA_ADMIN,
    "Only LA administrators save import mappings.",
)

CAPABILITIES: dict[str, Capability] = {
    capability.name: capability
    for capability in (
        SEE_IDENTIFIABLE,
        WRITE_CASES,
        RUN_MEETINGS,
        SEE_REGION,
        SEE_DASHBOARD,
        READ_PACKS,
        BUILD_PACKS,
        SEE_AUDIT,
        SET_LEGAL_HOLD,
        MANAGE_SERVICE_ACCOUNTS,
        IMPORT_TRACKERS,
        SAVE_IMPORT_MAPPINGS,
        EXPORT_RETURNS,
        SEE_DATA_EXERCISE,
    )
}


def is_own_la_scope(user, *, scope_type: str, local_authority_id: int | None) -> bool:
    """Whether a scope is the user's own LA or one of its areas or teams (its staff see its figures exactly)."""
    return (
        SEE_IDENTIFIABLE(user)
        and scope_type in (c.ScopeKind.LA, c.ScopeKind.AREA, c.ScopeKind.TEAM)
        and local_authority_id == user.local_authority_id
    )


def can_see_aggregates(user, *, scope_type: str, local_authority_id: int | None) -> bool:
    """Aggregate figures of a scope: the region and each LA for regional roles; an LA's own users
    their LA, its areas and its teams."""
    if SEE_REGION(user) and scope_type in (REGION, c.ScopeKind.LA):
        return True
    return is_own_la_scope(user, scope_type=scope_type, local_authority_id=local_authority_id)


def ensure(user, capability: Capability) -> None:
    """403 (Django's PermissionDenied) unless the user has the capability."""
    if not capability(user):
        raise PermissionDenied(capability.denied)


V = TypeVar("V", bound=Callable)


def requires(capability: Capability) -> Callable[[V], V]:
    """View decorator: sign-in required (else to the sign-in page), then the capability (else 403)."""

    def decorator(view: V) -> V:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            ensure(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


class CapabilityPermission(BasePermission):
    """DRF permission asking one capability (see ``permission_class``)."""

    capability: Capability

    def has_permission(self, request, view) -> bool:
        return self.capability(request.user)


@cache
def permission_class(capability: Capability) -> type[BasePermission]:
    """The DRF permission class for a capability: DRF answers 401/403 with the capability's message."""
    name = "".join(part.title() for part in capability.name.split("_"))
    return type(f"Can{name}", (CapabilityPermission,), {"capability": capability, "message": capability.denied})


class UserCapabilities:
    """The capabilities of one user for templates: ``{% if may.write_cases %}``, asked when used."""

    def __init__(self, user):
        self._user = user

    def __getitem__(self, name: str) -> bool:
        return CAPABILITIES[name](self._user)


# ---------------------------------------------------------------------------
# Tenancy: every identifiable record is fetched through its LA
# ---------------------------------------------------------------------------

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
    m.Person,
    m.FamilyMember,
    m.Professional,
    m.CaseNote,
    m.DocumentLink,
)


def get_visible(model_or_queryset: type[M] | models.QuerySet[M], *, user, **lookup) -> M:
    """The record if it belongs to the user's LA, else 404 (never a bare ``.objects.get``)."""
    queryset = model_or_queryset if isinstance(model_or_queryset, models.QuerySet) else model_or_queryset.objects.all()
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def ensure_own_record(user, instance: m.CaseRecord) -> None:
    """403 unless the record belongs to the user's LA (services refuse to write another LA's record)."""
    if instance.local_authority_id is None or instance.local_authority_id != user.local_authority_id:
        raise PermissionDenied("A record can only be saved in the user's own local authority.")
