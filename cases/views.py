"""Case pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def data_dictionary(request: HttpRequest) -> HttpResponse:
    """The agreed regional terminology, generated from the models (public: it holds no case data)."""
    from cases import dictionary

    return render(
        request,
        "cases/data_dictionary.html",
        {"models": dictionary.build(), "reference_tables": dictionary.reference_tables()},
    )
