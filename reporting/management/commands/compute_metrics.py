"""Compute the stored metrics now, with the same service the nightly task runs."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from plo_tracker.lib.tenancy import MaintenanceCommand
from reporting.models import MetricRun
from reporting.services import metrics


def parse_month(value: str, option: str) -> dt.date:
    try:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1) if len(year) == 4 and len(month) == 2 else dt.date(0, 0, 0)
    except ValueError:
        raise CommandError(f"{option} must be a month in the form YYYY-MM, not {value!r}.") from None


class Command(MaintenanceCommand):
    help = (
        "Compute metrics for every scope. Default: the nightly window (the last 12 months plus any month "
        "missed or provisional). --period one month; --since a month up to now; --all every month with data."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--period", help="One month, YYYY-MM.")
        group.add_argument("--since", help="From this month (YYYY-MM) to the current month.")
        group.add_argument("--all", action="store_true", help="Every month from the first case activity.")
        parser.add_argument("--as-of", help="Date treated as today, YYYY-MM-DD (default: today).")

    def handle(self, *args, period, since, all, as_of, **options):
        today = timezone.localdate()
        if as_of:
            try:
                today = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of must be a date in the form YYYY-MM-DD, not {as_of!r}.") from None
        current = metrics.month_start(today)
        window = None
        if period:
            month = parse_month(period, "--period")
            if month > current:
                raise CommandError(f"--period {period} is in the future.")
            window = metrics.Window(first=month, last=month, as_of=today)
        elif since:
            month = parse_month(since, "--since")
            if month > current:
                raise CommandError(f"--since {since} is in the future.")
            window = metrics.Window(first=month, last=current, as_of=today)
        elif all:
            window = metrics.full_window(as_of=today)
        run = metrics.metrics_compute(window=window, trigger=MetricRun.Trigger.COMMAND, as_of=today)
        if run.status == MetricRun.Status.SKIPPED:
            raise CommandError("Another metrics run is in progress; nothing was computed. Try again later.")
        self.stdout.write(
            f"Run {run.pk}: {run.rows_written:,} values for {run.first_period:%B %Y} to {run.last_period:%B %Y} "
            f"in {run.duration_seconds:.1f} s."
        )
