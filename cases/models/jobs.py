"""The job outbox: background work asked for from a page, recorded in the asker's transaction.

A request that queues a job (a board pack, a large tracker import) writes a ``QueuedJob`` in its own
transaction; the job is sent to the workers once that commits (``plo_tracker.lib.queue``). When the
broker (Redis) is down the row waits, and the relay sends it when Redis is back: at a worker's start,
every minute from beat, or ``manage.py send_queued_jobs``. A row holds the task's name and its ids,
never a name of a person.

The row belongs to the LA whose rows the asking transaction showed (an import run's LA), under
row-level security. Regional work (a board pack asked for by a superuser, who is shown no LA's rows)
has no LA: those rows name no child and are the one kind every role reads
(``cases.row_security.SHARED_WHEN_NO_LA``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models.organisations import LocalAuthority


class JobStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be sent to the workers"
    SENT = "sent", "Sent to the workers"
    FAILED = "failed", "Could not be sent (see the last error)"


class QueuedJob(models.Model):
    """One job asked for by a user: which task with which ids, and whether it reached the workers."""

    task = models.CharField(max_length=200, help_text="The Celery task's name, e.g. 'reporting.build_board_pack'.")
    args = models.JSONField(default=list, blank=True, help_text="Positional arguments: ids, dates, flags.")
    kwargs = models.JSONField(default=dict, blank=True, help_text="Keyword arguments: ids, dates, flags.")
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="LA whose rows the asking transaction showed; empty for regional work.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.WAITING)
    attempts = models.PositiveIntegerField(default=0, help_text="Times sending it was tried and failed.")
    last_error = models.TextField(blank=True, help_text="Why the last try to send it failed.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=JobStatus.SENT, sent_at__isnull=False) | ~models.Q(status=JobStatus.SENT),
                name="queuedjob_sent_has_sent_at",
            )
        ]
        # The relay reads the waiting rows only: a small index however long the history grows.
        indexes = [models.Index(fields=["id"], condition=models.Q(status=JobStatus.WAITING), name="queuedjob_waiting")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} ({self.get_status_display()})"
