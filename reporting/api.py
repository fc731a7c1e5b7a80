"""The stored metrics through the API: aggregate figures, with the dashboard's small-number rule.

``metrics`` gives the figures of one month and one scope exactly as the dashboard would show them to
the caller: the scopes are the dashboard's (``selectors.scopes_for``, that is
``permissions.can_see_aggregates``): an LA's staff and service accounts their LA, its areas and its
teams, exactly; regional analysts the region and each LA, through disclosure control
(``selectors.regional_figures`` over the same 13-month table of the region and its LAs as the
dashboard and the board pack, so a figure is withheld alike everywhere). A withheld figure comes
out as ``value: null`` with ``suppressed: true``, never the number. They are aggregates: no read
audit. ``metric-definitions`` is the catalogue (``reporting.catalogue``) in words.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response

from cases import thresholds
from cases.permissions import SEE_DASHBOARD, permission_class
from plo_tracker.lib.dates import add_months
from reporting import catalogue, selectors
from reporting.charts import SUPPRESSED
from reporting.models import MetricValue, ScopeType

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class ScopeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The scope as the `scope` parameter takes it: `la:3`, `area:7`, `region:`.")
    type = serializers.ChoiceField(choices=ScopeType.choices)
    id = serializers.IntegerField(allow_null=True, help_text="The LA's, area's or team's id; none for the region.")
    label = serializers.CharField()
    exact = serializers.BooleanField(help_text="Whether the caller sees this scope's figures unsuppressed.")


class MetricFigureSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="The metric's code (`/metric-definitions/`).")
    dimension = serializers.CharField(
        help_text="The breakdown value (a band, reason or driver code); empty: the total."
    )
    unit = serializers.ChoiceField(choices=[unit.value for unit in catalogue.Unit])
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        coerce_to_string=False,
        allow_null=True,
        help_text="The figure; null when suppressed or when nothing was recorded.",
    )
    suppressed = serializers.BooleanField(help_text="Withheld by the small-number rule (shown as [c] on pages).")


# The list's body is one object (the month, the scope and its figures), not an array of them.
@extend_schema_serializer(many=False)
class MetricsSerializer(serializers.Serializer):
    period = serializers.DateField(allow_null=True, help_text="The month (its first day); none when none is stored.")
    scope = ScopeSerializer()
    threshold = serializers.IntegerField(help_text="The small-number threshold: counts from 1 to it less 1 are [c].")
    results = MetricFigureSerializer(many=True)


class MetricDefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="With the thresholds in force.")
    unit = serializers.ChoiceField(choices=[unit.value for unit in catalogue.Unit])
    definition = serializers.CharField(help_text="Exactly what is counted (REFERENCE.md section 4).")
    dimension = serializers.CharField(help_text="What its breakdown values are; empty: it has none.")
    higher_is_better = serializers.BooleanField(allow_null=True)
    share_of = serializers.CharField(allow_null=True, help_text="For a share: the count it is a share of.")


class _NoStore:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


def _period(value: str | None, today: dt.date) -> dt.date | None:
    """The month asked for (``YYYY-MM``), or the latest complete month with stored figures."""
    if not value:
        return selectors.latest_period(today)[0]
    match = PERIOD.match(value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise exceptions.ValidationError({"period": ["Enter a month as YYYY-MM, such as 2025-04."]})
    return dt.date(int(match[1]), int(match[2]), 1)


@extend_schema_view(
    list=extend_schema(
        summary="A month's figures for one scope, suppressed as the dashboard shows them to the caller",
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="The month, YYYY-MM (default: the latest with figures)."
            ),
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                description="A scope of `/metric-scopes/`, such as `la:3` (default: the widest the caller may see).",
            ),
            OpenApiParameter("metric", OpenApiTypes.STR, description="Only this metric (a code)."),
        ],
        responses=MetricsSerializer,
    )
)
@extend_validation_errors(["invalid"], field_name="scope", actions=["list"])
@extend_validation_errors(["invalid"], field_name="metric", actions=["list"])
@extend_validation_errors(["invalid"], field_name="period", actions=["list"])
class MetricViewSet(_NoStore, viewsets.GenericViewSet):
    """Stored figures (computed nightly) of one month and scope. An LA's users see their LA, its areas and
    its teams exactly; regional analysts the region and each LA with small numbers suppressed (`value`
    null, `suppressed` true). A count with no figure listed counted none."""

    permission_classes = [permission_class(SEE_DASHBOARD)]
    serializer_class = MetricsSerializer
    pagination_class = None
    filter_backends = ()

    def list(self, request, *args, **kwargs):
        user = request.user
        scopes = selectors.scopes_for(user)
        wanted = request.query_params.get("scope")
        scope = next((s for s in scopes if s.key == wanted), None) if wanted else next(iter(scopes), None)
        if scope is None:
            # The same answer for a scope that does not exist and one the caller may not see.
            raise exceptions.ValidationError({"scope": ["Choose a scope you may see (see /metric-scopes/)."]})
        metric = request.query_params.get("metric")
        if metric and metric not in catalogue.BY_CODE:
            raise exceptions.ValidationError({"metric": ["Choose a metric code of /metric-definitions/."]})
        period = _period(request.query_params.get("period"), timezone.localdate())
        exact = selectors.sees_exact_figures(user, scope)
        threshold = selectors.small_number_threshold()
        results = []
        if period is not None:
            results = self.figures(scope, period, exact=exact, metric=metric)
        body = {
            "period": period,
            "scope": {**vars(scope), "key": scope.key, "exact": exact},
            "threshold": threshold,
            "results": results,
        }
        return Response(self.get_serializer(body).data)

    def figures(self, scope: selectors.Scope, period: dt.date, *, exact: bool, metric: str | None) -> list[dict]:
        """The scope's stored figures for the month, each as the dashboard would show it to this caller."""
        own = [(scope.type, scope.id)] if exact else []
        if scope.type in (ScopeType.REGION, ScopeType.LA):
            # The dashboard's and board pack's table: the region and its LAs over the 13 months to the period.
            figures = selectors.regional_figures(first=add_months(period, -12), last=period, exact=own)
        else:
            # An area or a team: seen by its own LA's staff only, exactly (``can_see_aggregates``).
            rows = MetricValue.objects.filter(scope_type=scope.type, scope_id=scope.id, period=period)
            figures = selectors._read(rows, threshold=selectors.small_number_threshold(), exact=own)
        results = []
        for code, scope_type, scope_id, dimension, when in sorted(figures.values, key=lambda key: (key[0], key[3])):
            spec = catalogue.BY_CODE.get(code)
            if spec is None or (scope_type, scope_id, when) != (scope.type, scope.id, period):
                continue
            if metric and code != metric:
                continue
            shown = figures.shown(code, scope_type, scope_id, when, dimension)
            withheld = shown is SUPPRESSED
            results.append(
                {
                    "metric": code,
                    "dimension": dimension,
                    "unit": spec.unit.value,
                    "value": None if withheld else shown,
                    "suppressed": withheld,
                }
            )
        return results


@extend_schema_view(list=extend_schema(summary="The scopes whose figures the caller may read, widest first"))
class MetricScopeViewSet(_NoStore, viewsets.GenericViewSet):
    """The region, LAs, areas and teams the caller may ask `/metrics/` for, and whether it sees them exactly."""

    permission_classes = [permission_class(SEE_DASHBOARD)]
    serializer_class = ScopeSerializer
    pagination_class = None
    filter_backends = ()

    def list(self, request, *args, **kwargs):
        user = request.user
        scopes = [
            {**vars(scope), "key": scope.key, "exact": selectors.sees_exact_figures(user, scope)}
            for scope in selectors.scopes_for(user)
        ]
        return Response(self.get_serializer(scopes, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Every metric: its code, label, unit and exact definition"),
    retrieve=extend_schema(summary="One metric's definition, by code"),
)
class MetricDefinitionViewSet(_NoStore, viewsets.GenericViewSet):
    """The catalogue of metrics (and the board pack's data-quality counts), worded with the thresholds in force."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MetricDefinitionSerializer
    pagination_class = None
    filter_backends = ()
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_]+"

    def _definition(self, metric: catalogue.Metric, limits) -> dict:
        worded = metric.worded(limits)
        return {
            "code": worded.code,
            "label": worded.label,
            "unit": worded.unit.value,
            "definition": worded.definition,
            "dimension": worded.dimension.value,
            "higher_is_better": worded.higher_is_better,
            "share_of": worded.share_of,
        }

    def list(self, request, *args, **kwargs):
        limits = thresholds.current()
        definitions = [self._definition(metric, limits) for metric in catalogue.BY_CODE.values()]
        return Response(self.get_serializer(definitions, many=True).data)

    def retrieve(self, request, *args, code: str, **kwargs):
        metric = catalogue.BY_CODE.get(code)
        if metric is None:
            raise exceptions.NotFound
        return Response(self.get_serializer(self._definition(metric, thresholds.current())).data)


ROUTES = [
    ("metrics", MetricViewSet),
    ("metric-scopes", MetricScopeViewSet),
    ("metric-definitions", MetricDefinitionViewSet),
]
