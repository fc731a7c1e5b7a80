"""Compute the regional data exercise's figures now and store them, with the service the nightly task runs."""

from plo_tracker.lib.tenancy import MaintenanceCommand
from reporting.models import MetricRun
from reporting.services import completeness


class Command(MaintenanceCommand):
    help = "Count every LA's records of each data dictionary field and store them as the data exercise's new snapshot."

    def handle(self, *args, **options):
        snapshot = completeness.completeness_compute(trigger=MetricRun.Trigger.COMMAND)
        fields = snapshot.figures.exclude(field="").filter(local_authority__isnull=True).count()
        self.stdout.write(
            f"Data exercise snapshot {snapshot.pk}: {fields} fields as at {snapshot.as_at.day} {snapshot.as_at:%B %Y} "
            f"in {snapshot.duration_seconds:.1f} s."
        )
