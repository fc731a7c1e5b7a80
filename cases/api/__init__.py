"""The REST API, v1 (``/api/v1/``): the same services and selectors as the pages, so it cannot drift.

- ``auth``: who is calling (a person's verified browser session, or a service account's token),
  and the throttle per token.
- ``base``: the one base viewset. It applies the LA (row-level security and ``visible_to``), the
  capability for reads and for writes, the read audit, ETags and ``If-Match``, the
  ``Idempotency-Key`` and the changes feed (``updated_since``), so no endpoint can forget them.
- ``errors``: one JSON error format (drf-standardized-errors) for every error under ``/api/``.
- One module per part of the schema (``families``, ``pre_proceedings``, ``proceedings``,
  ``meetings``, ``tracker``, ``reference``) with its serializers and viewsets, and ``urls``.

Serializers only name fields: a write builds the model instance and hands it to the service that
the page's form calls; a read comes from the selector the page uses.
"""
