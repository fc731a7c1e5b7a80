"""Reads of the read audit for the access log: only the administrator's own LA, newest first."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from cases import models as m
from cases.permissions import SEE_AUDIT


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the service's time zone (UK time)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def read_audit_list(
    *,
    user,
    reader_id: int | None = None,
    child_ids: list[int] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[m.ReadAudit]:
    """Reads of the user's LA's records, filtered by who read, which children and the days (inclusive,
    UK time); nothing for anyone who may not see the audit."""
    if not SEE_AUDIT(user):
        return m.ReadAudit.objects.none()
    reads = m.ReadAudit.objects.filter(local_authority_id=user.local_authority_id)
    if reader_id is not None:
        reads = reads.filter(user_id=reader_id)
    if child_ids is not None:
        reads = reads.filter(child_ids__overlap=child_ids)
    if start is not None:
        reads = reads.filter(at__gte=_start_of(start))
    if end is not None:
        reads = reads.filter(at__lt=_start_of(end + dt.timedelta(days=1)))
    return reads.order_by("-at", "-pk")


def read_audit_readers(*, user) -> QuerySet[m.User]:
    """The people of the user's LA, for choosing whose reads to list."""
    if not SEE_AUDIT(user):
        return m.User.objects.none()
    return m.User.objects.filter(local_authority_id=user.local_authority_id).order_by("username")


def children_with_reference(*, user, la_child_id: str) -> list[int]:
    """The children of the user's LA with this LA child ID (as the LA's case system gives it)."""
    return list(
        m.Child.objects.visible_to(user).filter(la_child_id__iexact=la_child_id.strip()).values_list("pk", flat=True)
    )


def child_references(*, user, child_ids: list[int]) -> dict[int, str]:
    """LA child ID of each of these children still held (another LA's children are left out)."""
    if not child_ids:
        return {}
    return dict(m.Child.objects.visible_to(user).filter(pk__in=child_ids).values_list("pk", "la_child_id"))


def read_audit_records_named(reads: QuerySet[m.ReadAudit]) -> tuple[list[int], list[int]]:
    """Every family and every child these reads name, in one query (to audit a download of them)."""
    try:
        sql, params = reads.order_by().values("family_ids", "child_ids").query.sql_with_params()
    except EmptyResultSet:
        return [], []
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH reads AS ({sql}) SELECT"  # noqa: S608 - Django's own SQL for the queryset, with its params
            " ARRAY(SELECT DISTINCT f FROM reads, unnest(reads.family_ids) f ORDER BY f),"
            " ARRAY(SELECT DISTINCT c FROM reads, unnest(reads.child_ids) c ORDER BY c)",
            params,
        )
        families, children = cursor.fetchone()
    return families, children
