"""Template context shared by every page."""

from django.conf import settings

from cases.permissions import UserCapabilities


def service(request):
    """The service name, and which navigation item is the current page.

    ``nav_current`` is the URL namespace (cases, tracker, board_packs) or else the URL name (home,
    dashboard); empty on pages no URL matched, such as a 404 for a mistyped address.
    """
    match = getattr(request, "resolver_match", None)
    return {
        "service_name": settings.PLO_SERVICE_NAME,
        "nav_current": (match.namespace or match.url_name or "") if match else "",
    }


def capabilities(request):
    """``may``: what the signed-in user may do, asked in templates as ``{% if may.write_cases %}``.

    Templates ask the same named predicates as views and services (cases/permissions.py).
    """
    return {"may": UserCapabilities(getattr(request, "user", None))}
