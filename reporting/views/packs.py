"""The board pack archive: board members and LA leaders list packs by month and download them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import constants as c
from reporting import tasks
from reporting.models import BoardPack, BoardPackDownload, PeriodSnapshot
from reporting.services.metrics import month_start

PACK_ROLES = {c.Role.BOARD_MEMBER, c.Role.REGIONAL_ANALYST, c.Role.LA_ADMIN}


def can_read_packs(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in PACK_ROLES)


def can_build_packs(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_staff or user.role == c.Role.LA_ADMIN)


def _readers_only(request: HttpRequest) -> None:
    if not can_read_packs(request.user):
        raise PermissionDenied("Board packs are for board members, LA leaders and regional analysts.")


@login_required
def pack_list(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    packs = BoardPack.objects.order_by("-month")
    months = list(
        PeriodSnapshot.objects.filter(period__lt=month_start(timezone.localdate()))
        .order_by("-period")
        .values_list("period", flat=True)[:24]
    )
    return render(
        request,
        "reporting/board_packs.html",
        {"packs": packs, "months": months, "can_build": can_build_packs(request.user)},
    )


@login_required
def pack_download(request: HttpRequest, pk: int) -> FileResponse:
    _readers_only(request)
    pack = BoardPack.objects.filter(pk=pk).first()
    if pack is None or not pack.file:
        raise Http404
    BoardPackDownload.objects.create(pack=pack, user=request.user)
    return FileResponse(
        pack.file.open("rb"),
        as_attachment=True,
        filename=f"plo-board-pack-{pack.month:%Y-%m}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_POST
def pack_build(request: HttpRequest) -> HttpResponse:
    """Queue a pack build (it is rendered by a worker, never in this request)."""
    if not can_build_packs(request.user):
        raise PermissionDenied("Only administrators build board packs.")
    try:
        month = dt.date.fromisoformat(request.POST.get("month", ""))
    except ValueError:
        raise Http404 from None
    if not PeriodSnapshot.objects.filter(period=month).exists():
        messages.error(request, f"Metrics for {month:%B %Y} have not been computed yet.")
        return redirect("board_packs:list")
    user_id = request.user.pk
    transaction.on_commit(lambda: tasks.build_board_pack.delay(month.isoformat(), user_id))
    messages.success(request, f"The board pack for {month:%B %Y} is being built. Refresh this page in a minute.")
    return redirect("board_packs:list")
