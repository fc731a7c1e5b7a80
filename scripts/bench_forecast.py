"""Nightly forecast training time (backtest, fit and the month's forecasts): goal under 60 s at national size.

``make bench`` runs ``run()`` on its national-sized database. At small scale, against the database
of ``DATABASE_URL`` (for example one seeded with ``seed_demo`` at scale 1):
``python scripts/bench_forecast.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GOAL_S = 60


def run() -> None:
    from django.utils import timezone

    from plo_tracker.lib import tenancy
    from reporting.forecast import services

    started = time.perf_counter()
    with tenancy.maintenance():
        model, stored = services.forecast_run(as_of=timezone.localdate())
    seconds = time.perf_counter() - started
    print(
        f"forecast nightly training: {seconds:.1f} s (goal {GOAL_S} s), {model.training_cases:,} applications, "
        f"{model.backtest_cases:,} backtest forecasts, {stored:,} stored; shown: {model.shown}",
        flush=True,
    )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plo_tracker.settings")
    import django

    django.setup()
    run()
