"""Send the jobs asked for while the job queue (Redis) was down: the job outbox, for operators."""

from django.core.management.base import CommandError

from plo_tracker.lib import queue
from plo_tracker.lib.tenancy import MaintenanceCommand


class Command(MaintenanceCommand):
    help = (
        "Send the queued jobs still waiting for the broker (board packs, tracker imports asked for while "
        "Redis was down). Workers do the same when they start, and beat every minute. Exits 1 while "
        "jobs still wait (the broker is still down)."
    )

    def handle(self, *args, **options):
        relayed = queue.send_waiting()
        self.stdout.write(
            f"Sent {relayed.sent:,} queued jobs; {relayed.failed:,} could not be sent; "
            f"{relayed.waiting:,} still waiting."
        )
        if relayed.waiting:
            raise CommandError(f"The job queue is not available: {relayed.waiting:,} jobs still wait for it.")
