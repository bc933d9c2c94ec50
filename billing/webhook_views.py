"""The billing provider's webhook endpoint on the platform host: /api/v1/billing/webhooks/<provider>/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.webhooks import billing_webhook_receive

RECEIVED = inline_serializer(
    "BillingWebhookReceived",
    {
        "received": serializers.BooleanField(),
        "duplicate": serializers.BooleanField(),  # delivered before: acknowledged, not processed again
        "outcome": serializers.CharField(),  # what processing did, e.g. "PLT-2026-000042 paid by in_…"
    },
)


class BillingWebhookView(APIView):
    """Events from the platform's billing provider. No authentication, so no CSRF check: the
    provider's signature is the proof."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Receive a billing provider event (signed); 400 when the signature or the customer is refused",
        request=None,
        responses={200: RECEIVED},
    )
    def post(self, request, provider: str):
        receipt = billing_webhook_receive(provider, request.body, dict(request.headers))
        return Response({"received": True, "duplicate": receipt.duplicate, "outcome": receipt.outcome})
