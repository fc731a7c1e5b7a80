from django.urls import path

from reporting.views import packs as pack_views

app_name = "board_packs"

urlpatterns = [
    path("", pack_views.pack_list, name="list"),
    path("build/", pack_views.pack_build, name="build"),
    path("<int:pk>/download/", pack_views.pack_download, name="download"),
]
