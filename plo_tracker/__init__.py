"""PLO Tracker: the regional Public Law Outline case tracker."""

from plo_tracker.celery import app as celery_app

__all__ = ("celery_app",)
