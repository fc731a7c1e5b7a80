"""Filters of the tracker list (django-filter), on the annotated tracker facts (``tracker.tracker_facts``)."""

from __future__ import annotations

import django_filters

from cases import constants as c
from cases import models as m
from cases.selectors import tracker
from cases.selectors.cases import family_search
from cases.thresholds import Thresholds
from reporting.forecast import display

STAGES = [("pre_proceedings", "Pre-proceedings"), ("proceedings", "Proceedings")]
RAGS = [("red", "Red"), ("amber", "Amber"), ("green", "Green")]
SORTS = {
    "urgency": ("rag_order", "started_on", "pk"),
    "weeks": ("started_on", "pk"),
    "weeks_asc": ("-started_on", "pk"),
    "name": ("family__name", "pk"),
    "social_worker": ("social_worker__last_name", "social_worker__first_name", "family__name", "pk"),
}
ALL = "All"
SORT_CHOICES = [
    ("urgency", "Red and amber first"),
    ("weeks", "Longest first"),
    ("weeks_asc", "Shortest first"),
    ("name", "Family name"),
    ("social_worker", "Social worker"),
]
# Offered only while the breach forecast is shown (``display.forecast_status``).
FORECAST_SORT = ("forecast", "Most likely to pass 26 weeks first")


class TrackerFilter(django_filters.FilterSet):
    """Area, team, social worker, stage, flag, weeks band and status; all within the user's LA."""

    # Choices are the user's LA's own, set per request: a value from another LA is not a valid choice.
    area = django_filters.ChoiceFilter(field_name="team__area_id", label="Area", empty_label=ALL)
    team = django_filters.ChoiceFilter(field_name="team_id", label="Team", empty_label=ALL)
    social_worker = django_filters.ChoiceFilter(field_name="social_worker_id", label="Social worker", empty_label=ALL)
    stage = django_filters.ChoiceFilter(choices=STAGES, label="Stage", empty_label=ALL)
    # Flag and weeks choices name thresholds: set per request from the thresholds in force.
    flag = django_filters.ChoiceFilter(method="filter_flag", label="Flag", empty_label=ALL)
    weeks = django_filters.ChoiceFilter(method="filter_weeks", label="Weeks", empty_label=ALL)
    rag = django_filters.ChoiceFilter(choices=RAGS, label="Status", empty_label=ALL)
    band = django_filters.ChoiceFilter(
        choices=display.BAND_CHOICES, method="filter_band", label="Forecast", empty_label=ALL
    )
    q = django_filters.CharFilter(method="filter_search", label="Name or LA reference")
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="sort_by", label="Sort by", empty_label=None)

    class Meta:
        model = m.TrackerRow
        fields = ["area", "team", "social_worker", "stage", "flag", "weeks", "rag", "band", "q"]

    def __init__(self, data=None, *args, user, limits: Thresholds, forecast: bool = False, **kwargs):
        """``forecast``: the breach forecast is shown, and the queryset has ``display.with_forecast``."""
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.forecast = forecast
        if forecast:
            self.filters["sort"].extra["choices"] = [*SORT_CHOICES, FORECAST_SORT]
        else:
            self.filters.pop("band", None)  # no forecast shown (or the API): nothing to filter by
        self.bands = tracker.weeks_bands(limits)
        self.filters["flag"].extra["choices"] = [(flag.code, flag.label) for flag in tracker.worded_flags(limits)]
        self.filters["weeks"].extra["choices"] = [(band, f"{band} weeks") for band in self.bands]
        la = user.local_authority_id
        self.filters["area"].extra["choices"] = list(
            m.Area.objects.filter(local_authority_id=la).order_by("name").values_list("pk", "name")
        )
        self.filters["team"].extra["choices"] = list(
            m.Team.objects.filter(local_authority_id=la).order_by("name").values_list("pk", "name")
        )
        # Everyone who can hold a case in the LA.
        workers = (
            m.User.objects.filter(
                local_authority_id=la, is_active=True, role__in=[c.Role.SOCIAL_WORKER, c.Role.TEAM_MANAGER]
            )
            .order_by("last_name", "first_name", "pk")
            .values_list("pk", "first_name", "last_name", "username")
        )
        self.filters["social_worker"].extra["choices"] = [
            (pk, f"{first} {last}".strip() or username) for pk, first, last, username in workers
        ]

    def filter_flag(self, queryset, name, value):
        return queryset.filter(**{f"flag_{value}": True}) if value in tracker.FLAGS_BY_CODE else queryset

    def filter_weeks(self, queryset, name, value):
        low, high = self.bands[value]
        queryset = queryset.filter(days_elapsed__gte=low * 7)
        return queryset.filter(days_elapsed__lt=high * 7) if high is not None else queryset

    def filter_band(self, queryset, name, value):
        return display.filter_band(queryset, value) if self.forecast else queryset

    def filter_search(self, queryset, name, value):
        # The case list's search; the tracker's rows are open cases, so it finds open ones only.
        if not value.strip():
            return queryset
        return queryset.filter(family_id__in=family_search(user=self.user, query=value).values("pk"))

    def sort_by(self, queryset, name, value):
        return queryset  # applied last, in ``qs``

    @property
    def qs(self):
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if sort == FORECAST_SORT[0] and self.forecast:
            return display.order_by_probability(queryset)
        return queryset.order_by(*SORTS.get(sort or "urgency", SORTS["urgency"]))
