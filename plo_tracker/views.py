"""Service-wide views: home, health check and error pages."""

from __future__ import annotations

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.api import errors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by class name
        return f"error: {type(exc).__name__}"
    return "ok"


def _redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report database and Redis status; 503 when either is down."""
    checks = {"database": _database_status(), "redis": _redis_status()}
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


# Under /api/ the error pages are JSON in the API's one error format (cases.api.errors).
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if errors.is_api(request):
        return errors.json_error(404, "not_found", "There is no such endpoint or record.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if errors.is_api(request):
        return errors.json_error(500, "error", "Server Error (500)")
    return render(request, "500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 page, saying why (the refused capability's message, see cases/permissions.py)."""
    if errors.is_api(request):
        return errors.json_error(403, "permission_denied", str(exception) or "You may not do this.")
    return render(request, "403.html", {"reason": str(exception)}, status=403)
