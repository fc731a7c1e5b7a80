"""Check the tracker's stored facts against their definition, or rebuild them."""

from django.core.management.base import CommandError

from cases import services
from plo_tracker.lib.tenancy import MaintenanceCommand


class Command(MaintenanceCommand):
    help = (
        "Compare the stored tracker facts and concluded dates (kept current by triggers) with the views that "
        "define them; --rebuild recomputes them all, as after a load with triggers off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recompute every stored row from the view.")

    def handle(self, *args, rebuild, **options):
        if rebuild:
            count = services.facts_rebuild()
            self.stdout.write(f"Rebuilt the tracker facts: {count:,} open cases.")
            return
        drift = services.facts_drift()
        if drift:
            shown = ", ".join(str(family_id) for family_id in drift[:20])
            more = f" and {len(drift) - 20:,} more" if len(drift) > 20 else ""
            raise CommandError(
                f"{len(drift):,} families' stored tracker facts differ from their definition, or their concluded "
                f"dates do (family ids {shown}{more}). "
                "Run with --rebuild."
            )
        self.stdout.write("The stored tracker facts and concluded dates match their definition.")
