"""One error shape for every API error: {"error": {"code", "message", "fields"}}.

The exception handler maps DRF's exceptions and the domain's errors to HTTP;
the 404/500 handlers give unknown /api/ URLs and crashes the same shape.
"""
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from executions.errors import BudgetSpent, ExecutionError, ExecutionNotCancellable, RunningLimitReached
from executions.services.approvals import ApprovalUnavailable

logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class PaymentRequired(exceptions.APIException):
    """A spent monthly budget: not a rate (429 would invite a retry), and not
    the request's fault (400): more budget is needed."""

    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_detail = "The monthly budget is spent."
    default_code = "budget_spent"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's state."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Temporal did not answer; try again."
    default_code = "unavailable"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail) -> dict:
    """DRF's nested error details → {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list[str] | dict:
    if isinstance(value, dict):
        return _flatten(value)
    if isinstance(value, list):
        if any(isinstance(item, dict) for item in value):
            return {str(i): _messages(item) for i, item in enumerate(value) if item}
        return [str(item) for item in value]
    return [str(value)]


def _translate(exc: Exception) -> Exception:
    """Django and domain errors → the DRF exception that carries their status."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RunningLimitReached):
        return exceptions.Throttled(detail=exc.messages[0])
    if isinstance(exc, BudgetSpent):
        return PaymentRequired(detail=exc.messages[0])
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, ApprovalUnavailable):
        return ServiceUnavailable(str(exc))
    if isinstance(exc, ExecutionNotCancellable):
        return Conflict(str(exc), code="not_cancellable")
    if isinstance(exc, ProtectedError):
        return Conflict("It is still referenced by executions.", code="protected")
    if isinstance(exc, ExecutionError):
        return Conflict(str(exc))
    return exc


def api_exception_handler(exc: Exception, context) -> Response | None:
    exc = _translate(exc)
    if not isinstance(exc, exceptions.APIException):
        logger.exception("unhandled API error", exc_info=exc)
        set_rollback()
        body = error_body("server_error", "An unexpected error occurred.")
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = error_body("invalid", "The request has invalid fields.", fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = error_body(code, str(exc.detail))
    return Response(body, status=exc.status_code, headers=headers)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _wants_json(request):
        body = error_body("server_error", "An unexpected error occurred.")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
