"""The OpenAPI description (drf-spectacular, with drf-standardized-errors' error responses).

Besides what the views say of themselves, each operation documents the API's own rules:
``PATCH`` needs ``If-Match`` and can answer 412 or 428; ``POST`` takes ``Idempotency-Key`` and can
answer 422 for a reused key; reads return an ``ETag``. The error bodies are the one error format.
Each operation carries the worked examples of ``cases.api.examples``.
"""

from __future__ import annotations

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from drf_standardized_errors import openapi
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from drf_standardized_errors.openapi_utils import get_django_filter_backends, get_filter_forms
from rest_framework import serializers

from cases.api import idempotency

STATUS_CHECKS = {
    "400": "_should_add_validation_or_parse_error_response",
    "401": "_should_add_http401_error_response",
    "403": "_should_add_http403_error_response",
    "404": "_should_add_http404_error_response",
    "405": "_should_add_http405_error_response",
    "406": "_should_add_http406_error_response",
    "415": "_should_add_http415_error_response",
    "429": "_should_add_http429_error_response",
    "500": "_should_add_http500_error_response",
}


def _error_response(name: str, codes: list[str]) -> type[serializers.Serializer]:
    """The error body for a status of the API's own: one error with one of ``codes``."""
    error = type(
        f"{name}Error",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=[(code, code) for code in codes]),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    return type(
        f"{name}ErrorResponse",
        (serializers.Serializer,),
        {"type": serializers.ChoiceField(choices=ClientErrorEnum.choices), "errors": error(many=True)},
    )


OWN_ERRORS = {
    "409": _error_response("Conflict", ["conflict"]),
    "412": _error_response("PreconditionFailed", ["precondition_failed"]),
    "422": _error_response("IdempotencyKey", ["idempotency_key_reused", "idempotency_key_invalid"]),
    "428": _error_response("PreconditionRequired", ["precondition_required"]),
}
RECORD_ACTIONS = frozenset({"retrieve", "create", "partial_update"})


class AutoSchema(openapi.AutoSchema):
    def _should_add_validation_or_parse_error_response(self) -> bool:
        return self._should_add_parse_error_response() or self._should_add_validation_error_response()

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        """Besides each filter's own codes: ``invalid`` for any filter given a value it cannot read
        (``filtering.StrictFilterBackend``), ``null_characters_not_allowed`` for a filter by a linked
        record, and ``page_size`` on a paged list."""
        extra = super()._get_extra_validation_errors()
        if self.method == "PATCH":
            # A field given when the record is created is refused on a correction, naming it.
            for name in getattr(self.view, "create_only", ()):
                extra[name] = {*extra.get(name, ()), "invalid"}
        if self.method != "GET":
            return extra
        filter_forms = get_filter_forms(self.view, get_django_filter_backends(self.get_filter_backends()))
        for form in filter_forms:
            for name, field in form.fields.items():
                extra[name] = {*extra.get(name, ()), "invalid"}
                if isinstance(field, forms.ModelChoiceField):  # and its multiple-choice subclass
                    # Django refuses a null character in a linked record's id before looking it up.
                    extra[name].add(ProhibitNullCharactersValidator.code)
        paginator = self._get_paginator()
        name = getattr(paginator, "page_size_query_param", None)
        if name:
            extra[name] = {"invalid"}
        if hasattr(paginator, "invalid_cursor"):  # a changes feed's cursor it cannot read (a 400 naming it)
            extra[paginator.cursor_query_param] = {"invalid"}
        return extra

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        # The library adds error responses only for views on its own handler; ours wraps it.
        if status_code in responses:
            return False
        if status_code in STATUS_CHECKS:
            return getattr(self, STATUS_CHECKS[status_code])()
        return False

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        extra = []
        if self.method == "PATCH":
            extra = ["412", "428"]
        elif self.method == "POST" and getattr(self.view, "writable", False):
            extra = ["422"]
        extra += [code for code in getattr(self.view, "error_statuses", ()) if code not in extra]
        for code in extra:
            responses[code] = self._get_response_for_code(OWN_ERRORS[code], code)
        return responses

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "PATCH":
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the record as you read it: a stale one is refused with 412.",
                )
            )
        if self.method == "POST" and getattr(self.view, "writable", False):
            parameters.append(
                OpenApiParameter(
                    idempotency.HEADER,
                    {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_LENGTH, "pattern": "^[ -~]+$"},
                    OpenApiParameter.HEADER,
                    required=False,
                    description="A key of your own (a UUID): a retry gets the first answer, not a second record.",
                )
            )
        return parameters

    def _get_paginator(self):
        paginator = super()._get_paginator()
        if paginator is not None:
            # The links of a page in the examples are this list's (``pagination.StrictPageSize``).
            paginator.example_path = self.path
        return paginator

    def get_examples(self) -> list[OpenApiExample]:
        """The endpoint's worked examples (``cases.api.examples``) for this operation: the record it
        answers (a list shows it as the one row of a page), and for a write its request body.
        drf-standardized-errors adds the error bodies' examples to the error responses."""
        examples = list(super().get_examples())
        # Imported here: the examples name the viewsets, whose modules import this one.
        from cases.api.examples import for_view

        endpoint = for_view(self.view)
        if endpoint is None:
            return examples
        action = getattr(self.view, "action", None)
        pairs = {
            "create": (endpoint.create, endpoint.created, "201"),
            "partial_update": (endpoint.patch, endpoint.patched, "200"),
            **{name: (request, response, "200") for name, (request, response) in endpoint.actions.items()},
        }
        # Any other action (a list or a read) answers the record (a list its own, shorter, form if it has one).
        shown = endpoint.listed if action == "list" and endpoint.listed is not None else endpoint.record
        request, response, status_code = pairs.get(action, (None, shown, "200"))
        if request is not None:
            examples.append(_example(request, request_only=True))
        if response is not None:
            examples.append(
                _example(response, response_only=True, status_codes=[status_code, *response.other_statuses])
            )
        return examples

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        etags = getattr(self.view, "etags", True)  # a view whose records have no version says so
        if etags and status_code in ("200", "201") and getattr(self.view, "action", None) in RECORD_ACTIONS:
            headers = {**headers, "ETag": {"schema": {"type": "string"}, "description": "The record's version."}}
        return headers


def _example(example, **kwargs) -> OpenApiExample:
    return OpenApiExample(
        example.summary,
        value=example.value,
        summary=example.summary,
        description=example.description,
        media_type=example.media_type,
        **kwargs,
    )


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.auth.ServiceTokenAuthentication"
    name = "serviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A service account's token, issued by an LA administrator: `Token plo_...`.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.auth.VerifiedSessionAuthentication"
    name = "browserSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A signed-in person's session, second factor verified (writes need the CSRF token).",
        }
