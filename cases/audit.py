"""The read audit: every view, export, print and API read of children's records is recorded.

- Each route that shows identifiable data calls ``record_read(request, kind=..., families=...)``
  once, in the request and before the response goes back. The insert is not caught: if it fails,
  the read fails with it, so nothing is shown that was not recorded.
- It records who (user id, username, role), the LA, the families and children (ids only), the
  route (URL name and path, never the query string, which can hold a search for a name), the
  client address and how (view, export, print, api); the database stamps the time.
- Given only families, the children recorded are every child of those families, worked out in
  the same INSERT: a family's name identifies its children, so a page naming the family is a read
  of each child's record. One query per read, whatever the number of cases shown.
- The table is append-only in the database (migration 0018). ``purge`` is the one way rows go:
  it calls the database's purge function with ``PLO_AUDIT_RETENTION_DAYS``.

The client address is ``REMOTE_ADDR``: the project trusts no proxy's forwarded-for header, so
behind a proxy it is the proxy's address until one is configured as trusted.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.http import HttpRequest

from cases import models as m
from cases.models import ReadKind

VIEW, EXPORT, PRINT, API = ReadKind.VIEW, ReadKind.EXPORT, ReadKind.PRINT, ReadKind.API

# Plain names of the routes that are audited, for the access log. Others show their URL name.
ROUTE_LABELS = {
    "cases:list": "Case list",
    "tasks:list": "My tasks",
    "cases:detail": "Case page",
    "cases:new": "Open a new case: possible duplicates",
    "cases:reopen": "Reopen for a repeat episode",
    "cases:milestone_new": "Milestone form",
    "cases:milestone_edit": "Milestone form",
    "cases:person_new": "Add a parent or carer",
    "cases:member_edit": "Parent or carer form",
    "cases:professional_new": "Professional form",
    "cases:professional_edit": "Professional form",
    "cases:note_new": "Case note form",
    "cases:note_edit": "Case note form",
    "cases:document_new": "Document link form",
    "cases:document_edit": "Document link form",
    "tracker:list": "Tracker",
    "tracker:meeting": "Meeting",
    "tracker:meeting_item": "Meeting: one case",
    "tracker:meeting_print": "Meeting record",
    "access_log": "Access log",
}


def _ids(records: Iterable) -> list[int]:
    return sorted({record if isinstance(record, int) else record.pk for record in records})


def record_read(
    request: HttpRequest,
    *,
    kind: ReadKind,
    families: Iterable[m.Family | int] = (),
    children: Iterable[m.Child | int] | None = None,
) -> None:
    """Record that the signed-in user read these families' (and children's) records, or nothing if none.

    ``children`` defaults to every child of ``families``; pass it when a read shows only some.
    """
    user = request.user
    family_ids = _ids(families)
    if children is None:
        if not family_ids:
            return
        child_ids = ArraySubquery(
            m.Child.objects.visible_to(user).filter(family_id__in=family_ids).order_by("pk").values("pk")
        )
    else:
        child_ids = _ids(children)
        if not family_ids and not child_ids:
            return
    match = request.resolver_match
    m.ReadAudit.objects.create(
        kind=kind,
        user_id=user.pk,
        username=user.get_username(),
        role=user.role,
        local_authority_id=user.local_authority_id,
        family_ids=family_ids,
        child_ids=child_ids,
        route_name=match.view_name if match else "",
        path=request.path[:2000],
        client_address=request.META.get("REMOTE_ADDR") or None,
    )


def record_command_read(
    *, command: str, local_authority_id: int, kind: ReadKind, families: Iterable[m.Family | int]
) -> None:
    """Record that a management command (``manage.py <command>``, run by someone with the server's
    access) read these families' records; no user signed in, so the command stands for the reader."""
    family_ids = _ids(families)
    if not family_ids:
        return
    name = f"manage.py {command}"
    m.ReadAudit.objects.create(
        kind=kind,
        user_id=0,
        username=name,
        role="command",
        local_authority_id=local_authority_id,
        family_ids=family_ids,
        child_ids=ArraySubquery(
            m.Child.objects.filter(local_authority_id=local_authority_id, family_id__in=family_ids)
            .order_by("pk")
            .values("pk")
        ),
        route_name=f"command:{command}",
        path=name,
        client_address=None,
    )


def route_label(route_name: str) -> str:
    """The plain name of an audited route (its URL name if it has none)."""
    return ROUTE_LABELS.get(route_name, route_name)


def purge(*, retention_days: int | None = None) -> int:
    """Remove audit rows older than the retention period (``PLO_AUDIT_RETENTION_DAYS``); the number removed.

    Through the database's ``cases_read_audit_purge``: the only path its append-only trigger lets
    a DELETE through, and only for rows older than the cutoff it works out from its own clock.
    """
    days = settings.PLO_AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_read_audit_purge(%s)", [days])
        (removed,) = cursor.fetchone()
    return removed
