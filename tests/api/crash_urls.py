"""A URL conf for one test: the project's URLs and a plain Django view under ``/api/`` that crashes."""

from django.urls import include, path

from plo_tracker import urls as project_urls


def crashing_view(request):
    raise RuntimeError("synthetic failure outside DRF")


urlpatterns = [path("api/v1/crash/", crashing_view), path("", include(project_urls.urlpatterns))]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
