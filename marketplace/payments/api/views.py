from __future__ import annotations

import datetime
import logging
import zoneinfo

from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from config.api import json_object
from marketplace.common.errors import NotFound, ValidationFailed
from marketplace.configuration.selectors import marketplace_settings
from marketplace.payments import payouts, selectors
from marketplace.payments.gateways import gateway
from marketplace.payments.gateways.base import InvalidWebhook
from marketplace.payments.models import PayeeAccount, Payout, PayoutSchedule, ReconciliationReport
from marketplace.payments.webhooks import webhook_store
from marketplace.providers.selectors import provider_of

log = logging.getLogger(__name__)


class EarningsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    available = serializers.IntegerField(help_text="Released to you and not paid out (negative after a clawback).")
    pending = serializers.IntegerField(help_text="Paid by clients, still in escrow until the work is done.")
    in_transit = serializers.IntegerField()
    paid_out = serializers.IntegerField()
    minimum_payout = serializers.IntegerField()


class PayeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayeeAccount
        fields = ["gateway", "account", "onboarding_url", "payouts_enabled", "details", "schedule", "updated_at"]


class PayeeWriteSerializer(serializers.Serializer):
    schedule = serializers.ChoiceField(choices=PayoutSchedule.choices, required=False)
    bank_account = serializers.CharField(
        required=False, help_text="Local test processor only: 000123456789 is paid, 000111111116 fails."
    )


class PayoutSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)

    class Meta:
        model = Payout
        fields = ["id", "amount", "currency", "status", "failure_message", "created_at", "settled_at"]


class PayoutRequestSerializer(serializers.Serializer):
    amount = serializers.IntegerField(required=False, help_text="Minor units; all that is available when left out.")
    idempotency_key = serializers.CharField(
        required=False, help_text="Send the same key to retry safely: the first payout is returned."
    )


class PaymentSerializer(serializers.Serializer):
    booking = serializers.CharField(source="booking.public_id")
    listing = serializers.CharField(source="booking.listing.title")
    kind = serializers.CharField(help_text="hold (paid or authorised), capture, refund or void")
    status = serializers.CharField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class ReconciliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReconciliationReport
        fields = ["day", "gateway", "checked", "mismatches", "created_at"]


_FIGURES = {name: serializers.IntegerField() for name in selectors.FIGURES}
TotalsSerializer = inline_serializer(
    "MoneyTotals",
    {
        "currency": serializers.CharField(),
        "from": serializers.DateTimeField(),
        "to": serializers.DateTimeField(),
        **_FIGURES,
        "escrow_held": serializers.IntegerField(),
        "owed_to_providers": serializers.IntegerField(),
        "payouts_in_transit": serializers.IntegerField(),
        "periods": inline_serializer("MoneyPeriod", {"period": serializers.DateTimeField(), **_FIGURES}, many=True),
    },
)


def _currency() -> str:
    return marketplace_settings().currency


class EarningsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: EarningsSerializer}, summary="Your earnings: available, pending, in transit")
    def get(self, request):
        return Response(EarningsSerializer(payouts.earnings(provider_of(request.user), _currency())).data)


class PayeeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PayeeSerializer}, summary="Where your payouts go")
    def get(self, request):
        payee = PayeeAccount.objects.filter(provider=provider_of(request.user)).first()
        if payee is None:
            raise NotFound("You have not set up payouts yet: POST to this address to start.")
        return Response(PayeeSerializer(payee).data)

    @extend_schema(
        request=PayeeWriteSerializer,
        responses={200: PayeeSerializer},
        summary="Set up payouts (or refresh their status, change the schedule)",
    )
    def post(self, request):
        data = json_object(request)
        payee = payouts.payee_onboard(
            provider_of(request.user),
            email=request.user.email,
            return_url=request.build_absolute_uri("/"),
            bank_account=str(data.get("bank_account", "")),
            schedule=str(data.get("schedule", "")),
        )
        return Response(PayeeSerializer(payee).data)


class PayoutsView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PayoutSerializer

    def get_queryset(self):
        return Payout.objects.filter(provider=provider_of(self.request.user))

    @extend_schema(summary="Your payouts, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PayoutRequestSerializer, responses={201: PayoutSerializer}, summary="Ask for a payout")
    def post(self, request):
        data = json_object(request)
        provider = provider_of(request.user)
        key = data.get("idempotency_key") or f"{timezone.now().timestamp()}"
        if not isinstance(key, str) or not 1 <= len(key) <= 100:
            raise ValidationFailed(
                "Use an idempotency key of 1 to 100 characters.", fields={"idempotency_key": ["Too long."]}
            )
        payout = payouts.payout_request(
            provider,
            amount=data.get("amount"),
            currency=_currency(),
            key=f"{connection.schema_name}:payout:{provider.public_id}:{key}",
        )
        return Response(PayoutSerializer(payout).data, status=status.HTTP_201_CREATED)


class MyPaymentsView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PaymentSerializer

    def get_queryset(self):
        return selectors.client_payments(self.request.user)

    @extend_schema(summary="What you paid and had back, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MoneyTotalsView(APIView):
    permission_classes = [Allowed("payments.view_totals")]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="First day (YYYY-MM-DD, marketplace time); default 30 days ago"),
            OpenApiParameter("to", str, description="Last day, included (YYYY-MM-DD); default today"),
            OpenApiParameter("per", str, enum=["day", "month"], description="Add a row per day or month"),
        ],
        responses={200: TotalsSerializer},
        summary="GMV, commission, fees, escrow held, refunds and payouts for a period",
    )
    def get(self, request):
        settings = marketplace_settings()
        zone = zoneinfo.ZoneInfo(settings.time_zone)
        today = timezone.localdate(timezone=zone)
        first = _day(request.query_params.get("from"), "from", today - datetime.timedelta(days=29))
        last = _day(request.query_params.get("to"), "to", today)
        per = request.query_params.get("per", "")
        if last < first:
            raise ValidationFailed("The period ends before it starts.", fields={"to": ["On or after from."]})
        if per not in ("", "day", "month"):
            raise ValidationFailed("Group per day or month.", fields={"per": ["day or month."]})
        since = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
        until = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        totals = selectors.money_totals(currency=settings.currency, since=since, until=until, per=per, zone=zone)
        return Response(totals)


def _day(value, name: str, default: datetime.date) -> datetime.date:
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"Give {name} as YYYY-MM-DD.", fields={name: ["YYYY-MM-DD."]}) from None


class ReconciliationView(generics.ListAPIView):
    permission_classes = [Allowed("payments.view_totals")]
    serializer_class = ReconciliationSerializer
    queryset = ReconciliationReport.objects.all()

    @extend_schema(summary="Daily comparisons of the ledger with the payment processor, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WebhookView(APIView):
    """Events from the payment processor. Unauthenticated by design: the signature is the proof."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "WebhookReceived", {"received": serializers.BooleanField(), "duplicate": serializers.BooleanField()}
            )
        },
        summary="Receive a payment processor event (signed)",
    )
    def post(self, request, gateway_name: str):
        processor = gateway()
        if gateway_name != processor.name:
            raise NotFound(f"This marketplace takes payments through {processor.name}, not {gateway_name}.")
        try:
            message = processor.parse_webhook(payload=request.body, headers=dict(request.headers))
        except InvalidWebhook as exc:
            log.warning("refused a %s webhook on %s: %s", gateway_name, connection.schema_name, exc)
            raise ValidationFailed(f"The event was refused: {exc}.", code="invalid_signature") from None
        _, new = webhook_store(processor.name, message)
        return Response({"received": True, "duplicate": not new})
