"""The billing console's API (platform host, platform staff only): the figures of billing/console.py
as JSON. Amounts are Money objects: minor units, currency and the formatted text."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from billing import console
from billing.models import Plan, SubscriptionStatus


class MoneySerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units (cents) of the currency.")
    currency = serializers.CharField()
    formatted = serializers.CharField(source="format")


class MrrSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    paying = MoneySerializer(many=True, help_text="Active and past-due subscriptions, per currency.")
    trial = MoneySerializer(many=True, help_text="Trialing subscriptions: what they would bring, not revenue.")
    paying_count = serializers.IntegerField()
    trial_count = serializers.IntegerField()


class MrrChangeSerializer(serializers.Serializer):
    currency = serializers.CharField()
    now = MoneySerializer()
    before = MoneySerializer()
    change = MoneySerializer()
    percent = serializers.FloatField(allow_null=True, help_text="Of `before`; null when it was 0.")


class MrrPointSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The month the point ends, e.g. 'Mar 2026'.")
    mrr = MrrSerializer()


class ChurnedSerializer(serializers.Serializer):
    marketplace = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    at = serializers.DateTimeField()
    to_status = serializers.CharField()
    reason = serializers.CharField()


class ChurnSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    paying_at_start = serializers.IntegerField()
    churned_count = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="Churned ÷ paying at the start; null when none paid.")
    churned = ChurnedSerializer(many=True)


class PlanStatusCountsSerializer(serializers.Serializer):
    plan = serializers.CharField(help_text="The plan's code; blank for the totals row.")
    plan_name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Marketplaces per subscription status.")
    total = serializers.IntegerField()


class FailedPaymentSerializer(serializers.Serializer):
    marketplace = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    status = serializers.CharField()
    collection = serializers.CharField()
    past_due_since = serializers.DateTimeField(allow_null=True)
    suspends_at = serializers.DateTimeField(allow_null=True)
    invoices = serializers.ListField(child=serializers.CharField())
    open_total = MoneySerializer(allow_null=True)
    attempts = serializers.IntegerField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_failure = serializers.CharField()


class TenantRowSerializer(serializers.Serializer):
    marketplace = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    plan = serializers.CharField()
    plan_name = serializers.CharField()
    status = serializers.CharField()
    collection = serializers.CharField()
    interval = serializers.CharField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    period_end = serializers.DateTimeField()
    mrr = MoneySerializer(help_text="Its part of MRR now: 0 unless active or past due.")
    monthly_equivalent = MoneySerializer()
    open_total = MoneySerializer(allow_null=True)
    failed_attempts = serializers.IntegerField()
    gmv = MoneySerializer(help_text="This month, in the marketplace's currency.")
    platform_fee = MoneySerializer(help_text="The platform's fees taken this month.")


class ConsoleSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    mrr = MrrSerializer()
    mrr_30_days_ago = MrrSerializer()
    mrr_change = MrrChangeSerializer(many=True)
    mrr_history = MrrPointSerializer(many=True)
    churn = ChurnSerializer()
    by_plan_and_status = PlanStatusCountsSerializer(many=True)
    failed_payments = FailedPaymentSerializer(many=True)
    tenants = TenantRowSerializer(many=True)


class ConsoleFilterSerializer(serializers.Serializer):
    plan = serializers.SlugField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices, required=False, allow_blank=True)

    def validate_plan(self, value: str) -> str:
        if value and not Plan.objects.filter(code=value).exists():
            raise serializers.ValidationError("No such plan.")
        return value


class ConsoleView(APIView):
    # Every marketplace's figures: platform staff who see all marketplaces and manage billing.
    permission_classes = [Allowed("platform.tenants.view_all"), Allowed("platform.billing.manage")]

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", str, description="Only marketplaces on this plan (its code)."),
            OpenApiParameter("status", str, enum=SubscriptionStatus.values, description="Only this status."),
        ],
        responses={200: ConsoleSerializer},
        summary="Billing console (staff): MRR, 12 months of MRR, churn, failed payments, every marketplace",
    )
    def get(self, request):
        filters = ConsoleFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        figures = console.console_overview(**filters.validated_data)
        return Response(ConsoleSerializer(figures).data)
