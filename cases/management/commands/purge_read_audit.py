"""Remove read audit records older than the retention period (PLO_AUDIT_RETENTION_DAYS)."""

from django.conf import settings

from cases import audit
from plo_tracker.lib.tenancy import MaintenanceCommand


class Command(MaintenanceCommand):
    help = (
        "Remove read audit records (who read which children's records) older than PLO_AUDIT_RETENTION_DAYS, "
        "through the database's one purge path. Celery runs the same every night."
    )

    def handle(self, *args, **options):
        removed = audit.purge()
        days = settings.PLO_AUDIT_RETENTION_DAYS
        self.stdout.write(f"Removed {removed:,} read audit records older than {days:,} days.")
