"""Every list is a changes feed: cursor pages in the order records last changed.

A case system keeps the ``updated_since`` of its last run (the ``updated_at`` of the last record
it took) and asks for what changed after it; ``next`` links walk the rest. The cursor is opaque
and stable while records change: a record changed during the walk moves to the end of the feed,
so the client sees it again on a later page or run, never misses it.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


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


class ChangesCursorPagination(StrictPageSize, CursorPagination):
    ordering = ("updated_at", "id")
