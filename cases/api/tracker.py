"""The tracker: every open case of the LA with its stage, weeks, flags and red/amber/green status.

The rows are the tracker page's, from the same selectors and presenters: the list is filtered and
paged on the stored facts (``tracker.tracker_facts``, filtered by the page's ``TrackerFilter``),
and the cases of a page are loaded with ``tracker.tracker_cases`` and shown through
``presenters.case_rows`` (flags, the status in words, what is due next, the next hearing).

A row is worked out for today: its flags and status move with the date, not only when a record
changes, and the facts table keeps no time of change. So the list is not a changes feed in the
order records changed: it is cursor-paged by case id (``TrackerCursorPagination``), which stays
stable while rows come and go, and ``updated_since`` narrows it to cases whose case record (the
family: name, reference, team, social worker) changed on or after a moment.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from functools import cached_property
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from cases import models as m
from cases import presenters
from cases.api.base import RecordViewSet
from cases.api.filtering import ChangesSinceFilter, StrictFilterBackend
from cases.api.pagination import StrictPageSize
from cases.filters import RAGS, STAGES, TrackerFilter
from cases.flags import FLAGS
from cases.selectors import tracker


class TrackerApiFilter(TrackerFilter):
    """The tracker page's filters (area, team, social worker, stage, flag, weeks, status), plus
    ``updated_since``. The page's name search and sort are not offered: the list is in case-id order."""

    updated_since = ChangesSinceFilter(
        field_name="family__updated_at",
        lookup_expr="gte",
        label=(
            "Only cases whose case record (family name, reference, team, social worker) changed on or after "
            "this moment (ISO 8601 with a time zone). Flags and status move with the date as well: read the "
            "whole list for today's picture."
        ),
    )

    def filter_weeks(self, queryset, name, value: str):
        # The bands are the thresholds' (``weeks_bands``), such as "0-12" or "40+": typed for the schema.
        return super().filter_weeks(queryset, name, value)

    class Meta(TrackerFilter.Meta):
        fields = ["area", "team", "social_worker", "stage", "flag", "weeks", "rag", "updated_since"]


def _api_filters(filters: dict) -> dict:
    """The page's filters for the API: without its name search, sort and forecast band, with labels and the flag choices
    for the schema. Copies: the page's own filter objects are left as they are."""
    # The forecast band is the page's only while a forecast is shown; the API has no forecast yet.
    filters = {name: copy.deepcopy(value) for name, value in filters.items() if name not in ("q", "sort", "band")}
    # The page sets the flag choices per request, from the thresholds in force; the codes do not change.
    filters["flag"].extra["choices"] = [(flag.code, flag.code) for flag in FLAGS]
    for name, label in (("area", "Area id"), ("team", "Team id"), ("social_worker", "Social worker (user) id")):
        filters[name].label = f"{label}, of the caller's LA."
    return filters


TrackerApiFilter.base_filters = _api_filters(TrackerApiFilter.base_filters)


class TrackerFilterBackend(StrictFilterBackend):
    """Builds the page's filter with what it needs: the caller and the thresholds in force."""

    def get_filterset_kwargs(self, request, queryset, view):
        user = request.user
        if not getattr(user, "is_authenticated", False):
            # Only the schema's generator asks with no one signed in: the filters, with no LA's choices.
            user = SimpleNamespace(local_authority_id=None)
        return {**super().get_filterset_kwargs(request, queryset, view), "user": user, "limits": view.limits}


class TrackerCursorPagination(StrictPageSize, CursorPagination):
    """Cursor pages by case (family) id, one row per case: a row's flags change with the date, not
    with a change time."""

    ordering = ("family_id",)
    cursor_query_description = "The page to read: the `next` or `previous` link of the page before (case-id order)."


class FlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[flag.code for flag in FLAGS], help_text="The flag's stable code.")
    label = serializers.CharField(help_text="The flag in words, with the thresholds in force.")
    severity = serializers.ChoiceField(choices=["red", "amber"])
    hint = serializers.CharField()


class DueSerializer(serializers.Serializer):
    label = serializers.CharField()
    date = serializers.DateField()
    overdue = serializers.BooleanField()
    detail = serializers.CharField()


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TrackerChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    expected_due_date = serializers.DateField(allow_null=True)


class TrackerRowSerializer(serializers.Serializer):
    """One open case as the tracker shows it today (``presenters.CaseRow``)."""

    id = serializers.IntegerField(help_text="The case (family) id, as in `/families/{id}/`.")
    la_reference = serializers.CharField()
    name = serializers.CharField(help_text="Family name.")
    children = TrackerChildSerializer(many=True)
    stage = serializers.ChoiceField(choices=[code for code, _ in STAGES])
    started_on = serializers.DateField(help_text="Start of the stage (episode start or issue date).")
    days_elapsed = serializers.IntegerField()
    weeks = serializers.IntegerField(help_text="Whole weeks since the start of the stage.")
    rag = serializers.ChoiceField(choices=[code for code, _ in RAGS], help_text="Red, amber or green status.")
    reason = serializers.CharField(help_text="The status in words.")
    flags = FlagSerializer(many=True, help_text="Flags raised today, most severe first.")
    next_due = DueSerializer(allow_null=True, help_text="What is due next (none when nothing is due).")
    next_hearing = serializers.DateField(allow_null=True, help_text="The next listed hearing from today, if any.")
    timetable_end = serializers.DateField(allow_null=True, help_text="In court: the timetable end with extensions.")
    team = NamedSerializer(allow_null=True)
    area = NamedSerializer(allow_null=True)
    social_worker = NamedSerializer(allow_null=True, help_text="Allocated social worker (none: not allocated).")

    def to_representation(self, row):
        case = row["case"]
        due = row["next_due"]
        team = case.team
        worker = case.social_worker
        data = {
            "id": case.pk,
            "la_reference": case.la_reference,
            "name": case.name,
            "children": list(case.children.all()),
            "stage": case.stage,
            "started_on": case.started_on,
            "days_elapsed": case.days_elapsed,
            "weeks": row["weeks"],
            "rag": case.rag,
            "reason": row["reason"],
            "flags": [
                {"code": flag.code, "label": flag.label, "severity": flag.severity, "hint": flag.hint}
                for flag in row["flags"]
            ],
            "next_due": (
                {"label": due.label, "date": due.date, "overdue": due.overdue, "detail": due.detail} if due else None
            ),
            "next_hearing": case.next_hearing,
            "timetable_end": case.timetable_end if case.stage == "proceedings" else None,
            "team": {"id": team.pk, "name": team.name} if team else None,
            "area": {"id": team.area.pk, "name": team.area.name} if team else None,
            "social_worker": (
                {"id": worker.pk, "name": worker.get_full_name() or worker.get_username()} if worker else None
            ),
        }
        return super().to_representation(data)


@extend_schema_view(
    list=extend_schema(summary="Open cases on the tracker, with flags and status worked out for today"),
    retrieve=extend_schema(summary="One open case as the tracker shows it today"),
)
class TrackerViewSet(RecordViewSet):
    """Every open pre-proceedings episode and proceedings case of the LA, as the tracker page shows them.

    Filters are the page's: `area`, `team`, `social_worker`, `stage`, `flag`, `weeks`, `rag`; a value
    of another LA is refused on its parameter. Pages are in case-id order (not a changes feed: flags
    move with the date). Every read is in the read audit.
    """

    model = m.TrackerRow
    serializer_class = TrackerRowSerializer
    filterset_class = TrackerApiFilter
    filter_backends = [TrackerFilterBackend]
    pagination_class = TrackerCursorPagination
    select_related = ()

    @cached_property
    def today(self) -> dt.date:
        return timezone.localdate()

    def base_queryset(self) -> models.QuerySet:
        return tracker.tracker_facts(user=self.request.user, today=self.today)

    def get_queryset(self) -> models.QuerySet:
        return self.base_queryset()

    def families_of(self, records):
        return [row["case"].pk for row in records]

    def rows(self, facts: list[m.TrackerRow]) -> list[presenters.CaseRow]:
        """The page's rows for these facts rows, in their order (a few queries, whatever their number)."""
        cases = tracker.tracker_cases([row.pk for row in facts], user=self.request.user, today=self.today)
        flags = tracker.worded_flags(self.limits)
        return list(presenters.case_rows(cases, today=self.today, flags=flags))

    def list(self, request, *args, **kwargs):
        facts = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        rows = self.rows(facts)
        self.audit_read(rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        rows = self.rows([self.get_object()])
        if not rows:
            raise exceptions.NotFound  # the case closed as it was read
        self.audit_read(rows)
        data = self.get_serializer(rows[0]).data
        # A row has no time of change: its version is its content (it changes with the date too).
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()
        return Response(data, headers={"ETag": f'"{digest[:32]}"'})


ROUTES = [("tracker", TrackerViewSet)]
