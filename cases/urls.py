from django.urls import path

from cases import views

urlpatterns = [
    path("data-dictionary/", views.data_dictionary, name="data_dictionary"),
]
