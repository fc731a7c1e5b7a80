"""URL configuration for PLO Tracker."""

from django.contrib import admin
from django.urls import include, path

from plo_tracker import views
from reporting.views import dashboard as dashboard_views
from reporting.views import data_exercise as data_exercise_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("cases.api.urls", "api"))),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("data-exercise/", data_exercise_views.data_exercise, name="data_exercise"),
    path("board-packs/", include("reporting.urls")),
    path("", include("cases.urls")),
]

handler403 = "plo_tracker.views.permission_denied"
handler404 = "plo_tracker.views.page_not_found"
handler500 = "plo_tracker.views.server_error"
