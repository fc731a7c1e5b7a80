"""Template context shared by every page."""

from django.conf import settings


def service(request):
    return {"service_name": settings.PLO_SERVICE_NAME}
