"""The one Celery application. Configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plo_tracker.settings")

app = Celery("plo_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def send_queued_jobs_when_ready(sender=None, **kwargs) -> None:
    """A worker that starts has a broker: send the jobs asked for while there was none (the job outbox)."""
    from django.db import DatabaseError, connections

    from plo_tracker.lib import queue, tenancy

    try:
        with tenancy.maintenance():
            queue.send_waiting()
    except DatabaseError:
        # The worker works without this; beat's relay (every minute) sends them instead.
        queue.logger.exception("The queued jobs could not be sent at the worker's start")
    finally:
        # This runs in the worker's main process, which does no other database work.
        connections.close_all()
