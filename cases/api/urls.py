"""``/api/v1/``: the endpoints of each part of the schema, the OpenAPI schema and its documentation.

The documentation is Swagger UI from the project's own static files (drf-spectacular-sidecar), under
the same Content-Security-Policy as every page. ReDoc is not offered: it loads web fonts from a CDN
and injects inline styles.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cases.api import families, imports, meetings, people, pre_proceedings, proceedings, reference, tracker
from reporting import api as reporting_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# JSON only: no ".json" suffix routes.
router.include_format_suffixes = False
for module in (families, people, pre_proceedings, proceedings, meetings, tracker, imports, reference, reporting_api):
    for prefix, viewset in module.ROUTES:
        router.register(prefix, viewset, basename=prefix.replace("-", "_"))

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
