"""Time to build the regional board pack at national size (called by scripts/bench.py)."""

from __future__ import annotations

import logging
import time


def run() -> None:
    from django.utils import timezone

    from plo_tracker.lib.dates import add_months, month_start
    from reporting.services import board_packs

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    month = add_months(month_start(timezone.localdate()), -1)
    started = time.perf_counter()
    rendered = board_packs.board_pack_render(month=month)
    seconds = time.perf_counter() - started
    print(
        f"board pack for {month:%B %Y}: {seconds:.2f} s in all ({rendered.seconds:.2f} s rendering), "
        f"{rendered.page_count} pages, {len(rendered.content):,} bytes",
        flush=True,
    )
