"""API conventions: one error shape, pagination on every list."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.common.errors import DomainError

logger = logging.getLogger("api")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    out[f"{key}.{sub}"] = messages
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    return {"non_field_errors": [str(v) for v in (detail if isinstance(detail, list) else [detail])]}


def exception_handler(exc, context):
    """Render every error as `{"error": {"code", "message", "fields"}}`."""
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", "Something went wrong on our side; please try again."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "Some fields are invalid: " + ", ".join(sorted(fields)) + "."
        if list(fields) == ["non_field_errors"]:
            message = fields["non_field_errors"][0]
        response.data = error_body("validation_failed", message, fields)
    else:
        code = getattr(exc, "default_code", "error")
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, (list, dict)):
            detail = "; ".join(str(v) for v in (detail.values() if isinstance(detail, dict) else detail))
        response.data = error_body(str(getattr(detail, "code", None) or code), str(detail))
    return response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def json_object(request) -> dict:
    """The request body as a dict, or a 400 saying a JSON object is expected."""
    from marketplace.common.errors import ValidationFailed

    if not isinstance(request.data, dict):
        raise ValidationFailed("Send a JSON object.")
    return dict(request.data)


class FileUploadSerializer(serializers.Serializer):
    """Documents a multipart upload of one file named `file` (checked by the service, by content)."""

    file = serializers.FileField()


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "amount": {"type": "integer", "description": "minor units"},
            "currency": {"type": "string"},
            "formatted": {"type": "string"},
        },
    }
)
class MoneyField(serializers.Field):
    """An amount in minor units shown with its currency: `{"amount", "currency", "formatted"}`. The
    source is the amount; the currency is read from the same object (`currency` by default)."""

    def __init__(self, *, currency: str = "currency", **kwargs):
        self.currency_path = currency.split(".")
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        currency = instance
        for name in self.currency_path:
            currency = getattr(currency, name)
        return super().get_attribute(instance), currency

    def to_representation(self, value) -> dict:
        from marketplace.common.money import Money

        amount, currency = value
        return Money(amount, currency).as_dict()
