"""Queueing background work from a request, when the broker (Redis) may be down."""

from __future__ import annotations

import logging

from celery import current_app
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

QUEUE_DOWN_MESSAGE = (
    "The job queue is not available at the moment, so {what} could not be started. "
    "Nothing was lost: try again in a few minutes."
)


def broker_available() -> bool:
    """Whether the workers' broker answers now (always True when tasks run in-process)."""
    if current_app.conf.task_always_eager:
        return True
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except (OperationalError, OSError) as error:
        logger.warning("The broker is unavailable: %s", error)
        return False
    return True


def enqueue(task, *args, **kwargs) -> bool:
    """Send ``task`` to the workers; False (logged) when the broker cannot be reached."""
    try:
        task.delay(*args, **kwargs)
    except OperationalError as error:
        logger.error("Could not queue %s%s: the broker is unavailable (%s)", task.name, args, error)
        return False
    return True
