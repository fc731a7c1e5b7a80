"""Service-level tasks that belong to no single app."""

from celery import shared_task
from django.core.cache import cache


@shared_task(name="plo_tracker.ping", soft_time_limit=10, time_limit=20)
def ping(token: str) -> str:
    """Record a token in the cache and return it: proves a worker consumes the broker."""
    cache.set(f"ping:{token}", "pong", timeout=300)
    return token
