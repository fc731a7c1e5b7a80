"""Load synthetic demo data for the four LAs (deterministic for a given seed, scale, years and date)."""

import datetime as dt

from django.core.management.base import CommandError
from django.db import connection

from cases import demo
from plo_tracker.lib.tenancy import MaintenanceCommand


class Command(MaintenanceCommand):
    help = "Generate synthetic PLO data for Essex, Suffolk, Southend-on-Sea and Thurrock."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5, help="Years of history to generate (default 5).")
        parser.add_argument("--scale", type=float, default=1.0, help="1 = the region's real volume; 30 = national.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same data).")
        parser.add_argument("--as-of", help="Date treated as today, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if case data already exists (for make run)."
        )

    def handle(self, *args, years, scale, seed, as_of, if_empty, **options):
        if years < 1 or years > 30:
            raise CommandError("--years must be between 1 and 30.")
        if scale <= 0 or scale > 100:
            raise CommandError("--scale must be above 0 and at most 100.")
        as_of_date = None
        if as_of:
            try:
                as_of_date = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of must be a date in the form YYYY-MM-DD, not {as_of!r}.") from None
        if demo.has_case_data():
            if if_empty:
                self.stdout.write("Case data already loaded; nothing to do.")
                return
            raise CommandError(
                f"Database {connection.settings_dict['NAME']!r} already holds case data. "
                "Seed an empty database (or use --if-empty)."
            )
        self.stdout.write(f"Seeding scale {scale:g}, {years} years, seed {seed}...")
        summary = demo.seed_demo(seed=seed, scale=scale, years=years, as_of=as_of_date)
        for line in summary.lines():
            self.stdout.write(line)
