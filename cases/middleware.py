"""Each request runs in one transaction in which the database shows only the user's LA's rows.

Row-level security (``cases.row_security``) shows the app's database role the identifiable rows of
the LA set for the transaction, and none when no LA is set: aggregate-only users (board members,
regional analysts), anonymous users and anyone without ``SEE_IDENTIFIABLE`` read none at all.

The middleware opens the transaction itself, rather than leaving it to ``ATOMIC_REQUESTS``: that
wraps only the view, so a template response rendered after it (the admin's, a generic view's)
would query outside the transaction, with no LA set. A 5xx response rolls the transaction back, as
ATOMIC_REQUESTS would. A streaming response (the CSV export) reads its rows after the middleware
has returned, so its content runs in a transaction of its own with the same LA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse

from cases.permissions import SEE_IDENTIFIABLE
from plo_tracker.lib import tenancy

# The request attribute naming the LA the transaction shows (the API resets it once a token is known).
LA_SHOWN = "plo_local_authority_shown"


def local_authority_of(user) -> int | None:
    """The LA whose rows the database shows this user: their own, when they may see identifiable data."""
    return user.local_authority_id if SEE_IDENTIFIABLE(user) else None


class LocalAuthorityMiddleware:
    """Run the request in a transaction that shows the database's rows of the user's LA only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Inside a transaction already (a test's), the request joins it: a savepoint would add nothing.
        outermost = not transaction.get_connection().in_atomic_block
        with transaction.atomic(savepoint=False):
            local_authority_id = local_authority_of(request.user)
            tenancy.set_local_authority(local_authority_id)
            setattr(request, LA_SHOWN, local_authority_id)
            response = self.get_response(request)
            if response.status_code >= 500 and outermost:
                transaction.set_rollback(True)
        if response.streaming and not response.is_async and not isinstance(response, FileResponse):
            response.streaming_content = _in_transaction(response.streaming_content, local_authority_id)
        return response


def _in_transaction(content: Iterator[bytes], local_authority_id: int | None) -> Iterator[bytes]:
    with transaction.atomic(savepoint=False):
        tenancy.set_local_authority(local_authority_id)
        yield from content
