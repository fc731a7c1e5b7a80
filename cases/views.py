"""Case pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def data_dictionary(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/data_dictionary.html")
