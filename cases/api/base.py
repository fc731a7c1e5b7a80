"""The one base of every API endpoint: tenancy, capabilities, audit, concurrency and the changes feed.

``RecordViewSet`` is written once so no endpoint can forget a rule:

- **Tenancy.** The queryset is the selector's, through ``visible_to(user)``: another LA's record is
  a 404. A token is only known once DRF has authenticated the request (after the middleware), so
  the LA of the row-level security is set here for the rest of the request's transaction.
- **Capabilities.** ``read_capability`` to read, ``write_capability`` to write (``cases.permissions``):
  a read-only user or token gets 403 on a write, with the capability's message.
- **Read audit.** Every list page and record read is recorded (``cases.audit``, kind API) with the
  families and children it shows.
- **Writes** build the model instance from the serializer's fields and hand it to ``save_record``,
  which calls the service the page's form calls: validation, who and when, the change history.
- **Concurrency.** Reads carry an ``ETag``; ``PATCH`` needs ``If-Match`` (412 when stale, 428 when
  missing). ``POST`` honours ``Idempotency-Key``. There is no PUT or DELETE: records are corrected,
  not replaced or removed.
- **Changes feed.** Every list takes ``updated_since`` (records changed on or after it) and is cursor-
  paginated in the order records changed (``cases.api.pagination``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any, ClassVar

import django_filters
from django.db import models
from django.urls import reverse
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from cases import audit, thresholds
from cases import models as m
from cases.api import concurrency, idempotency
from cases.api.filtering import ChangesSinceFilter
from cases.middleware import LA_SHOWN, local_authority_of
from cases.permissions import SEE_IDENTIFIABLE, WRITE_CASES, Capability, permission_class
from plo_tracker.lib import tenancy


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A link to another record, by id, among the records of the caller's LA only.

    Another LA's id reads as one that does not exist ("Invalid pk"), so nothing is disclosed.
    """

    def get_queryset(self):
        request = self.context.get("request")
        user = request.user if request else None
        if hasattr(self.queryset, "visible_to"):
            return self.queryset.visible_to(user)
        # Organisation rows (teams, staff): those of the caller's LA.
        if not SEE_IDENTIFIABLE(user):
            return self.queryset.none()
        return self.queryset.filter(local_authority_id=user.local_authority_id)


class RecordSerializer(serializers.ModelSerializer):
    """Fields of a case record: those of the model plus who and when, read-only."""

    # Null for a record made outside the service (a data migration or import) with no user.
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    serializer_related_field = VisibleRelatedField
    RECORD_FIELDS: ClassVar[tuple[str, ...]] = ("id", "created_at", "created_by", "updated_at", "updated_by")


class ChangesFilterSet(django_filters.FilterSet):
    """The filter every list has: what changed on or after a moment (the changes feed)."""

    updated_since = ChangesSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Only records changed on or after this moment (ISO 8601 with a time zone).",
    )


def changes_filterset(model: type[models.Model], *fields: str) -> type[django_filters.FilterSet]:
    """A filter set with ``updated_since`` and exact filters on ``fields`` (links by id)."""
    meta = type("Meta", (), {"model": model, "fields": list(fields)})
    return type(f"{model.__name__}Filter", (ChangesFilterSet,), {"Meta": meta})


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read (and, with ``writable``, create and correct) one kind of the LA's records."""

    model: ClassVar[type[m.CaseRecord]]
    read_capability: ClassVar[Capability] = SEE_IDENTIFIABLE
    write_capability: ClassVar[Capability] = WRITE_CASES
    writable: ClassVar[bool] = False
    # Fields given when the record is created and never changed afterwards (the family of a child).
    create_only: ClassVar[tuple[str, ...]] = ()
    select_related: ClassVar[tuple[str, ...]] = ("created_by", "updated_by")
    prefetch_related: ClassVar[tuple[Any, ...]] = ()
    lookup_value_regex = r"\d+"

    http_method_names: ClassVar[list[str]] = ["get", "head", "options"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.http_method_names = (
            ["get", "post", "patch", "head", "options"] if cls.writable else ["get", "head", "options"]
        )

    # -- who may ----------------------------------------------------------------------------
    def get_permissions(self):
        capabilities = [self.read_capability]
        if self.request is not None and self.request.method not in ("GET", "HEAD", "OPTIONS"):
            capabilities.append(self.write_capability)
        return [permission_class(capability)() for capability in capabilities]

    def perform_authentication(self, request) -> None:
        super().perform_authentication(request)
        # The middleware set the LA of the session's user; a token's user is only known now.
        local_authority_id = local_authority_of(request.user)
        if local_authority_id != getattr(request._request, LA_SHOWN, None):
            tenancy.set_local_authority(local_authority_id)
            setattr(request._request, LA_SHOWN, local_authority_id)

    @cached_property
    def limits(self) -> thresholds.Thresholds:
        """The thresholds in force; the schema's generator, which answers no request, reads the shipped ones."""
        if getattr(self, "swagger_fake_view", False):
            return thresholds.shipped()
        return thresholds.current()

    # -- what -------------------------------------------------------------------------------
    def base_queryset(self) -> models.QuerySet:
        """The records the caller may see (a viewset whose page has a selector calls it here)."""
        return self.model.objects.visible_to(self.request.user)

    def get_queryset(self) -> models.QuerySet:
        queryset = self.base_queryset().select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.request.method == "PATCH":
            # The row stays locked from the If-Match check to the save: two updates cannot both pass.
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_filterset_class(self):
        return getattr(self, "filterset_class", None) or changes_filterset(self.model)

    # -- the read audit -----------------------------------------------------------------------
    def families_of(self, records: Iterable[m.CaseRecord]) -> list[int]:
        return [record.family_id for record in records]

    def children_of(self, records: Iterable[m.CaseRecord]) -> list[int] | None:
        """The children the records show (None: every child of their families)."""
        return None

    def audit_read(self, records: list[m.CaseRecord]) -> None:
        audit.record_read(
            self.request, kind=audit.API, families=self.families_of(records), children=self.children_of(records)
        )

    # -- reads ------------------------------------------------------------------------------
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = list(self.paginate_queryset(queryset))
        self.audit_read(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.audit_read([instance])
        return Response(self.get_serializer(instance).data, headers={"ETag": concurrency.etag_of(instance)})

    # -- writes -----------------------------------------------------------------------------
    def save_record(self, instance: m.CaseRecord, data: dict[str, Any], *, created: bool) -> m.CaseRecord:
        """Save through the record's service (each writable viewset names its own)."""
        raise NotImplementedError

    def build(self, data: dict[str, Any]) -> m.CaseRecord:
        """A new, unsaved record from the serializer's fields (many-to-many links are the service's)."""
        instance = self.model(**{name: value for name, value in data.items() if not self._is_many(name)})
        # A new record is the caller's LA's (the services give a case's records their family's LA).
        instance.local_authority_id = self.request.user.local_authority_id
        return instance

    def _is_many(self, name: str) -> bool:
        field = next((f for f in self.model._meta.get_fields() if f.name == name), None)
        return bool(field is not None and field.many_to_many)

    def _written(self, instance: m.CaseRecord, status_code: int, headers: dict[str, str] | None = None) -> Response:
        instance.refresh_from_db()
        data = self.get_serializer(instance).data
        return Response(data, status=status_code, headers={**(headers or {}), "ETag": concurrency.etag_of(instance)})

    def create(self, request, *args, **kwargs):
        def run() -> Response:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            instance = self.save_record(self.build(serializer.validated_data), serializer.validated_data, created=True)
            location = reverse(f"api:{self.basename}-detail", kwargs={"pk": instance.pk})
            return self._written(instance, status.HTTP_201_CREATED, {"Location": location})

        return idempotency.replay_or_run(request, run)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        concurrency.ensure_current(request.headers.get("If-Match"), instance)
        fixed = sorted(name for name in self.create_only if name in request.data)
        if fixed:
            raise exceptions.ValidationError(
                {name: ["This is set when the record is created and cannot be changed."] for name in fixed}
            )
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            if not self._is_many(name):
                setattr(instance, name, value)
        self.save_record(instance, serializer.validated_data, created=False)
        return self._written(instance, status.HTTP_200_OK)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response
