"""The board pack archive: board members and LA leaders list packs by month and download them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.permissions import BUILD_PACKS, READ_PACKS, requires
from plo_tracker.lib import queue
from plo_tracker.lib.dates import month_start
from reporting import tasks
from reporting.models import BoardPack, BoardPackDownload, PeriodSnapshot


@requires(READ_PACKS)
def pack_list(request: HttpRequest) -> HttpResponse:
    packs = BoardPack.objects.order_by("-month")
    months = list(
        PeriodSnapshot.objects.filter(period__lt=month_start(timezone.localdate()))
        .order_by("-period")
        .values_list("period", flat=True)[:24]
    )
    return render(
        request,
        "reporting/board_packs.html",
        {"packs": packs, "months": months},
    )


@requires(READ_PACKS)
def pack_download(request: HttpRequest, pk: int) -> FileResponse:
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


@requires(BUILD_PACKS)
@require_POST
def pack_build(request: HttpRequest) -> HttpResponse:
    """Queue a pack build (it is rendered by a worker, never in this request)."""
    try:
        month = dt.date.fromisoformat(request.POST.get("month", ""))
    except ValueError:
        raise Http404 from None
    if not PeriodSnapshot.objects.filter(period=month).exists():
        messages.error(request, f"Metrics for {month:%B %Y} have not been computed yet.")
        return redirect("board_packs:list")
    # Recorded with this request; sent once it commits, or when Redis is back (plo_tracker/lib/queue.py).
    queued = queue.enqueue(tasks.build_board_pack, month.isoformat(), request.user.pk, requested_by=request.user)
    if queued.waiting:
        messages.warning(request, queue.QUEUED_MESSAGE.format(what=f"the board pack for {month:%B %Y}"))
    else:
        messages.success(request, f"The board pack for {month:%B %Y} is being built. Refresh this page in a minute.")
    return redirect("board_packs:list")
