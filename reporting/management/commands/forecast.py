"""Train the breach forecast and store this month's forecasts, with the service the nightly task runs."""

import datetime as dt
import json

from django.core.management.base import CommandError
from django.utils import timezone

from plo_tracker.lib.tenancy import MaintenanceCommand
from reporting.forecast import backtest as bt
from reporting.forecast import services


class Command(MaintenanceCommand):
    help = (
        "Train the breach forecast on concluded applications (with its rolling backtest) and store a forecast "
        "for every open application this month. --backtest also prints the backtest by month and, last, its "
        "figures as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Date treated as today, YYYY-MM-DD (default: today).")
        parser.add_argument("--backtest", action="store_true", help="Print the backtest table and its JSON figures.")
        parser.add_argument(
            "--months", type=int, default=bt.BACKTEST_MONTHS, help=f"Months backtested (default {bt.BACKTEST_MONTHS})."
        )

    def handle(self, *args, as_of, backtest, months, **options):
        today = timezone.localdate()
        if as_of:
            try:
                today = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of must be a date in the form YYYY-MM-DD, not {as_of!r}.") from None
        if not 1 <= months <= 60:
            raise CommandError("--months must be between 1 and 60.")
        model, stored = services.forecast_run(as_of=today, months=months)
        self.stdout.write(
            f"Model {model.version}: trained on {model.training_cases:,} applications "
            f"in {model.duration_seconds:.1f} s; {stored:,} forecasts stored for {today:%B %Y}."
        )
        self.stdout.write(model.note)
        if backtest:
            self.write_table(model.validation)
            self.stdout.write(json.dumps(model.validation.get("headline", {})))

    def write_table(self, validation: dict) -> None:
        self.stdout.write(
            f"{'Month':<8} {'Cases':>6} {'Passed':>6}  {'C model':>7} {'C KM':>6} {'C rule':>6}  "
            f"{'Brier model':>11} {'KM':>6} {'rule':>6}  {'Calib gap':>9}"
        )

        def fmt(value) -> str:
            return "-" if value is None else f"{value:.3f}"

        rows = [*validation.get("months", []), {"month": "All", **validation.get("pooled", {})}]
        for row in rows:
            model, km, rule = (row.get(k, {}) for k in ("model", "km", "rule"))
            cases = row.get("cases", model.get("cases", 0))
            passed = row.get("breached", "")
            self.stdout.write(
                f"{row['month'][:7]:<8} {cases:>6} {passed:>6}  {fmt(model.get('c_index')):>7} "
                f"{fmt(km.get('c_index')):>6} {fmt(rule.get('c_index')):>6}  {fmt(model.get('brier')):>11} "
                f"{fmt(km.get('brier')):>6} {fmt(rule.get('brier')):>6}  {fmt(model.get('calibration_max_gap')):>9}"
            )
