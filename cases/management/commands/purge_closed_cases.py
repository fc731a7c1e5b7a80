"""Remove closed cases past their LA's retention period (README "Retention")."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from cases import services
from plo_tracker.lib.tenancy import MaintenanceCommand


class Command(MaintenanceCommand):
    help = (
        "Remove every closed case whose LA's retention period has passed since it closed, with its records "
        "and change history, except cases on legal hold. Prints counts per LA and per model, never names."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; change nothing.")
        parser.add_argument("--as-of", help="Date treated as today, YYYY-MM-DD, today or earlier (default: today).")

    def handle(self, *args, dry_run, as_of, **options):
        today = timezone.localdate()
        if as_of:
            try:
                as_of_date = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {as_of!r}.") from None
            # A later date would remove cases before their retention period has passed.
            if as_of_date > today:
                raise CommandError("--as-of must be today or earlier.")
            today = as_of_date
        summaries = services.closed_cases_purge(today=today, dry_run=dry_run)
        for summary in summaries:
            self.stdout.write(summary.describe(dry_run=dry_run))
        total = sum(summary.cases for summary in summaries)
        cases = f"{total} closed {'case' if total == 1 else 'cases'}"
        if dry_run:
            self.stdout.write(f"Dry run: {cases} would be removed. Nothing was changed.")
        else:
            self.stdout.write(f"Removed {cases}.")
