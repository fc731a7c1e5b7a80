"""One JSON error format for everything under ``/api/`` (drf-standardized-errors).

``{"type": "validation_error" | "client_error" | "server_error", "errors": [{"code", "detail",
"attr"}]}``: ``attr`` names the field of a validation error (``non_field_errors`` for a rule on
the whole record). The services' Django ``ValidationError`` (model rules, date bounds, date
order) keeps its field names; a refused capability keeps its message. A URL under ``/api/`` that
matches no endpoint, and a server error, answer in the same format (``json_error``), never with
an HTML page.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status
from rest_framework.settings import api_settings

API_PREFIX = "/api/"


class PreconditionFailed(exceptions.APIException):
    """412: the record changed since the client read it (its If-Match is not the current ETag)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it: read it again and reapply your change."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """428: an update must say which version it changes (If-Match with the ETag of a read)."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the record you read, so a newer change is not overwritten."
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    """409/422-style refusals that are about the request as a whole, not one field."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the record's current state."
    default_code = "conflict"


def validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """The services' ValidationError as DRF's, field by field (a rule on the record: non_field_errors)."""
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
            for name, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


class ApiExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, Http404):
            return exceptions.NotFound()
        if isinstance(exc, PermissionDenied):
            return exceptions.PermissionDenied(str(exc) or None)
        if isinstance(exc, DjangoValidationError):
            return validation_error(exc)
        return exc


def exception_handler(exc, context):
    return ApiExceptionHandler(exc, context).run()


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status_code: int, code: str, detail: str) -> JsonResponse:
    """An error in the API's format, for responses made outside DRF (no endpoint matched, a crash)."""
    kind = "server_error" if status_code >= 500 else "client_error"
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]},
        status=status_code,
        headers={"Cache-Control": "no-store"},
    )
