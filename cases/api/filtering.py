"""Query parameters read strictly: a filter given is a filter applied, or a 400 naming it.

django-filter ignores a parameter it cannot read: ``?statutory=maybe`` or ``?updated_since=`` lists
everything, as if the filter had not been asked for. A case system that sent a bad value would
take the whole table for the records it wanted, or store a wrong watermark; here it is told.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation

from cases.models.records import EARLIEST_DATE

UNREADABLE = "Give a value this filter can read, or leave the parameter out."
# A client's clock may run a little ahead of ours; a moment beyond that is a wrong watermark.
CLOCK_SKEW = dt.timedelta(days=1)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a parameter that is given but reads as nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if filterset.is_valid():
            for name in filterset.filters:
                given = request.query_params.getlist(name)
                if given and filterset.form.cleaned_data.get(name) in (None, "", [], ()):
                    filterset.form.add_error(name, forms.ValidationError(UNREADABLE, code="invalid"))
        if filterset.errors:
            raise translate_validation(filterset.errors)
        return filterset.qs


def validate_moment(value: dt.datetime) -> None:
    """A change time to ask about: from the earliest date any record may hold to about now."""
    if value.date() < EARLIEST_DATE:
        raise forms.ValidationError(f"Enter a moment on or after {EARLIEST_DATE:%-d %B %Y}.", code="invalid")
    if value > timezone.now() + CLOCK_SKEW:
        raise forms.ValidationError("Enter a moment that has passed: nothing changes in the future.", code="invalid")


class ChangesSinceFilter(django_filters.IsoDateTimeFilter):
    """``updated_since``: an ISO 8601 moment with its time zone, bounded, compared in UTC."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, validators=[validate_moment], **kwargs)

    def filter(self, qs, value):
        # Python reads offsets up to a day; PostgreSQL only to 16 hours: compare in UTC.
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return super().filter(qs, value)
