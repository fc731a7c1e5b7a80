from django.urls import include, path

from cases import views

case_patterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="new"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/<slug:kind>/new/", views.milestone, name="milestone_new"),
    path("<int:case_id>/<slug:kind>/<int:pk>/", views.milestone, name="milestone_edit"),
]

urlpatterns = [
    path("data-dictionary/", views.data_dictionary, name="data_dictionary"),
    path("cases/", include((case_patterns, "cases"))),
]
