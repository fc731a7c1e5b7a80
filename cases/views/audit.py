"""The access log: who read which children's records in the administrator's LA, with a CSV download.

For LA administrators (``SEE_AUDIT``), their own LA only. The page and the download show
children's LA child IDs, so they are reads too: each is recorded in the audit it lists.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import audit, exports
from cases import constants as c
from cases import models as m
from cases.forms.audit import AccessLogForm
from cases.permissions import SEE_AUDIT, requires
from cases.selectors import audit as selectors

PAGE_SIZE = 50
CSV_HEADERS = [
    "Date and time",
    "User ID",
    "Username",
    "Role",
    "How",
    "Page",
    "Path",
    "Client address",
    "Family IDs",
    "Child IDs",
    "LA child IDs",
]


def _role_label(role: str) -> str:
    return c.Role(role).label if role in c.Role.values else role


def _kind_label(kind: str) -> str:
    return m.ReadKind(kind).label if kind in m.ReadKind.values else kind


@requires(SEE_AUDIT)
def access_log(request: HttpRequest) -> HttpResponse:
    """Reads of children's records in the user's LA, by who, which child and the days, newest first."""
    form = AccessLogForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        reads = m.ReadAudit.objects.none()  # the errors are shown, and no reads
    else:
        reads = selectors.read_audit_list(user=request.user, **(form.filters() if form.is_bound else {}))
        if request.GET.get("export") == "csv":
            return _csv(request, reads)
    page = Paginator(reads, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    named = sorted({child for read in rows for child in read.child_ids})
    references = selectors.child_references(user=request.user, child_ids=named)
    audit.record_read(
        request,
        kind=audit.VIEW,
        families={family for read in rows for family in read.family_ids},
        children=named,
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "cases/access_log.html",
        {
            "form": form,
            "page": page,
            "rows": [
                {
                    "read": read,
                    "role": _role_label(read.role),
                    "kind": _kind_label(read.kind),
                    "route": audit.route_label(read.route_name),
                    "children": [references.get(child, f"Record {child} (no longer held)") for child in read.child_ids],
                }
                for read in rows
            ],
            "query": query.urlencode(),
            "retention_days": settings.PLO_AUDIT_RETENTION_DAYS,
        },
    )


def _csv(request: HttpRequest, reads: QuerySet[m.ReadAudit]) -> HttpResponse:
    """Every read listed (all pages), recorded as an export of the children they name."""
    families, children = selectors.read_audit_records_named(reads)
    references = selectors.child_references(user=request.user, child_ids=children)
    audit.record_read(request, kind=audit.EXPORT, families=families, children=children)

    def lines() -> Iterator[list]:
        for read in reads.iterator(chunk_size=2000):
            yield [
                timezone.localtime(read.at).isoformat(timespec="seconds"),
                read.user_id,
                read.username,
                _role_label(read.role),
                _kind_label(read.kind),
                audit.route_label(read.route_name),
                read.path,
                read.client_address or "",
                " ".join(str(family) for family in read.family_ids),
                " ".join(str(child) for child in read.child_ids),
                "; ".join(references.get(child, "") for child in read.child_ids),
            ]

    stamp = f"access-log-{request.user.local_authority.short_name.lower().replace(' ', '-')}"
    return exports.csv_response(lines(), filename=f"{stamp}-{timezone.localdate():%Y-%m-%d}", headers=CSV_HEADERS)
