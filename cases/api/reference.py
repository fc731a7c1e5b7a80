"""Reference data and the data dictionary: the code lists, thresholds and comparators every LA shares.

Code lists (courts, hearing types, order outcomes, assessment types, delay drivers and reasons),
the thresholds the tracker measures against and the comparators the dashboard and board pack show,
each with its source and vintage where it has one. They hold no case data: any signed-in caller or
token reads them, with no read audit. They keep no time of change, so they are not changes feeds:
pages are in code order. Inactive codes are listed too (`active`): old records still carry them.

The data dictionary is the ``data-dictionary/`` page's (``cases.dictionary``), public as the page is.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from cases import dictionary
from cases import models as m
from cases.api.pagination import StrictPageSize


class CodeOrderPagination(StrictPageSize, CursorPagination):
    """Cursor pages in code order (reference rows have no time of change to page them by)."""

    ordering = ("code",)


class IdOrderPagination(CodeOrderPagination):
    ordering = ("id",)


def code_serializer(model, *extra: str) -> type[serializers.ModelSerializer]:
    """The serializer of a code list: its code, label, description, order, whether in use, and ``extra``."""
    meta = type(
        "Meta", (), {"model": model, "fields": ("code", "label", "description", "sort_order", "active", *extra)}
    )
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


class ReferenceViewSet(viewsets.ReadOnlyModelViewSet):
    """One reference table, read-only, for any authenticated caller."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = CodeOrderPagination
    filterset_fields: tuple[str, ...] = ("active",)

    def get_queryset(self):
        return self.queryset.all()


def code_list(model, doc: str, *extra: str, filters: tuple[str, ...] = ("active",)) -> type[ReferenceViewSet]:
    name = model._meta.verbose_name_plural
    return extend_schema_view(
        list=extend_schema(summary=f"The {name}"), retrieve=extend_schema(summary=f"One of the {name}, by code")
    )(
        type(
            f"{model.__name__}ViewSet",
            (ReferenceViewSet,),
            {
                "__doc__": doc,
                "queryset": model.objects.all(),
                "serializer_class": code_serializer(model, *extra),
                "filterset_fields": filters,
            },
        )
    )


CourtViewSet = code_list(m.Court, "The family court hearing centres of the area.")
HearingTypeViewSet = code_list(m.HearingType, "Types of hearing in care proceedings (PD12A).")
OrderOutcomeViewSet = code_list(
    m.OrderOutcome, "Final outcomes of proceedings for a child, and whether each concludes them.", "concludes"
)
AssessmentTypeViewSet = code_list(
    m.AssessmentType,
    "Kinds of assessment, with the good-practice target in weeks (none: the assessment's due date).",
    "target_weeks",
    "source",
    "vintage",
)
DelayDriverViewSet = code_list(m.DelayDriver, "The Trailblazer delay drivers (top level of the taxonomy).", "source")
DelayReasonViewSet = code_list(
    m.DelayReason,
    "Delay and adjournment reason codes, each mapped to one driver (`driver`, a driver's code).",
    "driver",
    "category",
    "source",
    filters=("active", "driver"),
)


class ThresholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Threshold
        fields = ("code", "label", "value", "unit", "statutory", "source", "vintage")


@extend_schema_view(
    list=extend_schema(summary="The thresholds the tracker measures against"),
    retrieve=extend_schema(summary="One threshold, by code"),
)
class ThresholdViewSet(ReferenceViewSet):
    """Statutory and local timescales (days or weeks) behind the flags, what is due and the metrics."""

    queryset = m.Threshold.objects.all()
    serializer_class = ThresholdSerializer
    filterset_fields = ("statutory",)


class ComparatorSerializer(serializers.ModelSerializer):
    heading = serializers.CharField(read_only=True, help_text="How the figure is named wherever it is shown.")

    class Meta:
        model = m.NationalComparator
        fields = ("id", "metric", "kind", "label", "heading", "value", "unit", "source", "vintage", "uncertain")


@extend_schema_view(
    list=extend_schema(summary="Comparators: national figures, the region's baseline, LAs' own figures, exemplars"),
    retrieve=extend_schema(summary="One comparator"),
)
class ComparatorViewSet(ReferenceViewSet):
    """Figures to compare with, each labelled as what it is (`kind`); only `national` ones are England's."""

    queryset = m.NationalComparator.objects.all()
    serializer_class = ComparatorSerializer
    pagination_class = IdOrderPagination
    filterset_fields = ("metric", "kind")


# -- the data dictionary --------------------------------------------------------------------------


class DictionaryFieldSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The field's name in the API and extracts.")
    label = serializers.CharField()
    kind = serializers.CharField(help_text="Date, Text, Code, Link, ...")
    required = serializers.BooleanField()
    description = serializers.CharField()
    allowed = serializers.ListField(child=serializers.CharField(), help_text="Allowed values, `code - label`.")
    cin = serializers.CharField(help_text="The Children in Need census item it maps to, if any.")
    ssd = serializers.CharField(help_text="The standard safeguarding dataset item it maps to, if any.")
    note = serializers.CharField()


class DictionaryModelSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The record's name (also its id here).")
    label = serializers.CharField()
    description = serializers.CharField()
    fields = DictionaryFieldSerializer(many=True)


@extend_schema_view(
    list=extend_schema(summary="The data dictionary: every kind of record and its fields"),
    retrieve=extend_schema(summary="One kind of record and its fields, by name"),
)
class DataDictionaryViewSet(viewsets.GenericViewSet):
    """The agreed regional terminology, generated from the models (as the public `data-dictionary/` page):
    every field with its meaning, allowed values and CIN/SSD mapping. Open to anyone, like the page."""

    permission_classes = [permissions.AllowAny]
    serializer_class = DictionaryModelSerializer
    pagination_class = None
    filter_backends = ()
    lookup_field = "name"
    lookup_value_regex = r"[A-Za-z]+"

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(dictionary.build(), many=True).data)

    def retrieve(self, request, *args, name: str, **kwargs):
        entry = next((entry for entry in dictionary.build() if entry.name == name), None)
        if entry is None:
            raise NotFound
        return Response(self.get_serializer(entry).data)


ROUTES = [
    ("courts", CourtViewSet),
    ("hearing-types", HearingTypeViewSet),
    ("order-outcomes", OrderOutcomeViewSet),
    ("assessment-types", AssessmentTypeViewSet),
    ("delay-drivers", DelayDriverViewSet),
    ("delay-reasons", DelayReasonViewSet),
    ("thresholds", ThresholdViewSet),
    ("comparators", ComparatorViewSet),
    ("data-dictionary", DataDictionaryViewSet),
]
