"""Build the LFJB board pack for a month, with the same service the monthly task runs."""

import datetime as dt

from django.core.management.base import CommandError

from plo_tracker.lib.tenancy import MaintenanceCommand
from reporting.services import board_packs


class Command(MaintenanceCommand):
    help = "Render and store the board pack for a month (metrics for the month must have been computed)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month, YYYY-MM.")

    def handle(self, *args, month, **options):
        try:
            year, number = month.split("-")
            first = dt.date(int(year), int(number), 1)
            if len(year) != 4:
                raise ValueError
        except ValueError:
            raise CommandError(f"--month must be a month in the form YYYY-MM, not {month!r}.") from None
        try:
            pack = board_packs.board_pack_generate(month=first)
        except board_packs.MetricsMissingError as error:
            raise CommandError(f"{error} Run: manage.py compute_metrics --period {month}") from None
        self.stdout.write(
            f"Board pack for {first:%B %Y}: {pack.file.name}, {pack.page_count} pages, "
            f"{pack.size_bytes:,} bytes, rendered in {pack.render_seconds:.1f} s (sha256 {pack.sha256[:12]})."
        )
