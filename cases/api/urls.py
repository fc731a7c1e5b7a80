"""``/api/v1/``: the endpoints of each part of the schema, the OpenAPI schema and its documentation."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cases.api import families, meetings, pre_proceedings, proceedings, reference, tracker

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for module in (families, pre_proceedings, proceedings, meetings, tracker, reference):
    for prefix, viewset in module.ROUTES:
        router.register(prefix, viewset, basename=prefix.replace("-", "_"))

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]
