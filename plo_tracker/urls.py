"""URL configuration for PLO Tracker."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from plo_tracker import views
from reporting.views import dashboard as dashboard_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("board-packs/", include("reporting.urls")),
    path("", include("cases.urls")),
]

handler403 = "plo_tracker.views.permission_denied"
handler404 = "plo_tracker.views.page_not_found"
handler500 = "plo_tracker.views.server_error"
