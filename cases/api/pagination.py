"""Every list is a changes feed: cursor pages in the order records last changed.

A case system keeps the ``updated_since`` of its last run (the ``updated_at`` of the last record
it took) and asks for what changed after it; ``next`` links walk the rest. The cursor is opaque
and stable while records change: a record changed during the walk moves to the end of the feed,
so the client sees it again on a later page or run, never misses it.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class ChangesCursorPagination(CursorPagination):
    ordering = ("updated_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    cursor_query_description = "The page to read: the `next` or `previous` link of the page before."
    page_size_query_description = "Records per page (at most 1,000; 100 if not given)."
