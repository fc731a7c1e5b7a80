"""Every list is a changes feed: pages in the order records last changed, walked with ``next`` links.

A case system keeps the ``updated_since`` of its last run (the ``updated_at`` of the last record
it took) and asks for what changed after it; ``next`` links walk the rest. The cursor names the
last record of the page (its ``updated_at`` and id), and the next page starts after it, so pages
stay right however many records share one moment: a bulk load writes thousands with the same
``updated_at``, which an offset within a moment (DRF's ``CursorPagination``, capped at 1,000)
cannot walk. A record changed during the walk moves to the end of the feed, so the client sees it
again on a later page or run, never misses it. The feed only goes forward: ``previous`` is null.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.db.models import Q
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class StrictPageSize:
    """A ``page_size`` of 1 to 1,000 (100 if not given), or a 400 naming it; for every paged list."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    cursor_query_description = "The page to read: the `next` or `previous` link of the page before."
    page_size_query_description = "Records per page (at most 1,000; 100 if not given)."

    def get_page_size(self, request) -> int:
        """The page size asked for: a whole number from 1 to the maximum, else a 400 naming ``page_size``.

        DRF ignores a page size it cannot read; a client asking for 5,000 or "ten" is told instead.
        """
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdecimal() or not 1 <= int(value) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"Enter a whole number from 1 to {self.max_page_size:,}."]}
            )
        return int(value)

    # The list's path, for the links of the page in the OpenAPI examples (set by ``schema.AutoSchema``).
    example_path = "/api/v1/families/"

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """DRF's page schema, with ``next`` and ``previous`` examples that are links of this list."""
        response = super().get_paginated_response_schema(schema)
        base = f"https://plo-tracker.example{self.example_path}"
        links = response.get("properties", {})
        if "next" in links:
            links["next"]["example"] = f"{base}?cursor=cD0yMDI2LTA5LTE0KzA4JTNBMDUlM0EzMS42NjI5MDQlMkIwMCUzQTAw"
        if "previous" in links:
            links["previous"]["example"] = (
                f"{base}?cursor=cj0xJnA9MjAyNi0wMy0wOSsxNCUzQTIxJTNBNDguNzMwMDIxJTJCMDAlM0EwMA%3D%3D"
            )
        return response

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class ChangesCursorPagination(StrictPageSize, BasePagination):
    """Keyset pages over (``updated_at``, id): each ``next`` cursor is the last record of its page."""

    cursor_query_param = "cursor"
    invalid_cursor = "This cursor is not one of this list's: follow the `next` link of the page before."

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        queryset = queryset.order_by("updated_at", "id")
        after = self.decode_cursor(request)
        if after is not None:
            moment, pk = after
            queryset = queryset.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        return self.page

    def decode_cursor(self, request) -> tuple[dt.datetime, int] | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            moment, pk = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii").split("|")
            return dt.datetime.fromisoformat(moment), int(pk)
        except (ValueError, UnicodeError, binascii.Error):
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor]}) from None

    @staticmethod
    def encode_cursor(record) -> str:
        return base64.urlsafe_b64encode(f"{record.updated_at.isoformat()}|{record.pk}".encode("ascii")).decode("ascii")

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.encode_cursor(self.page[-1]))

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.get_next_link(), "previous": None, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        base = f"https://plo-tracker.example{self.example_path}"
        cursor = self.encode_cursor(_Example)
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri", "example": f"{base}?cursor={cursor}"},
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "Always null: the feed only goes forward.",
                    "example": None,
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The page to read: the `next` link of the page before.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": self.page_size_query_description,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class _Example:
    """The last record of a page, for the schema's example ``next`` link."""

    pk = 48213
    updated_at = dt.datetime(2026, 9, 14, 8, 5, 31, 662904, tzinfo=dt.UTC)
