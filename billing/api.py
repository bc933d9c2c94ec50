"""Billing API. Platform host: plans (anyone reads what is offered; platform staff manage them) and a
marketplace's subscription (its owner or platform staff). Marketplace host: the plan, status and
usage against limits, for the marketplace's admins."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed, can, require
from billing import invoices, selectors, services
from billing.models import (
    BillingAccount,
    Interval,
    InvoiceStatus,
    Plan,
    PlanVersion,
    Subscription,
    SubscriptionEvent,
    SubscriptionPayment,
    TenantInvoice,
    TenantInvoiceLine,
)
from billing.pdf import invoice_pdf
from marketplace.common.errors import NotFound
from tenants import selectors as tenant_selectors
from tenants.models import Tenant


class PlanVersionSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "number",
            "currency",
            "monthly_price",
            "yearly_price",
            "trial_days",
            "platform_fee_bps",
            "limits",
            "features",
            "created_at",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    terms = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["code", "name", "rank", "retired_at", "terms"]
        read_only_fields = fields

    @extend_schema(responses=PlanVersionSerializer)
    def get_terms(self, plan: Plan) -> dict:
        return PlanVersionSerializer(max(plan.versions.all(), key=lambda version: version.number)).data


class PlanTermsSerializer(serializers.Serializer):
    currency = serializers.CharField(max_length=3)
    monthly_price = serializers.IntegerField()
    yearly_price = serializers.IntegerField()
    trial_days = serializers.IntegerField()
    platform_fee_bps = serializers.IntegerField()
    limits = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    features = serializers.ListField(child=serializers.CharField())


class PlanCreateSerializer(PlanTermsSerializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=80)
    rank = serializers.IntegerField()


class PlanUpdateSerializer(PlanTermsSerializer):
    name = serializers.CharField(max_length=80)


class SubscriptionEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubscriptionEvent
        fields = ["action", "from_status", "to_status", "reason", "data", "created_at"]
        read_only_fields = fields


class SubscriptionSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    marketplace = serializers.CharField(source="tenant.public_id", read_only=True)
    plan = serializers.CharField(source="plan_version.plan.code", read_only=True)
    plan_name = serializers.CharField(source="plan_version.plan.name", read_only=True)
    terms = PlanVersionSerializer(source="plan_version", read_only=True)
    scheduled_plan = serializers.CharField(source="scheduled_version.plan.code", read_only=True, default=None)
    scheduled_interval = serializers.CharField(read_only=True)  # blank unless a downgrade is scheduled

    class Meta:
        model = Subscription
        fields = [
            "id",
            "marketplace",
            "plan",
            "plan_name",
            "terms",
            "interval",
            "status",
            "trial_ends_at",
            "current_period_start",
            "current_period_end",
            "scheduled_plan",
            "scheduled_interval",
        ]
        read_only_fields = fields


class SubscriptionDetailSerializer(SubscriptionSerializer):
    events = SubscriptionEventSerializer(many=True, read_only=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "events"]
        read_only_fields = fields


class SubscriptionChangeSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=40)
    interval = serializers.ChoiceField(choices=Interval.choices, required=False)


class PaymentRecordSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units (cents) of the subscription's currency.")
    reference = serializers.CharField(max_length=100, help_text="The provider's id; recording it again is a no-op.")
    currency = serializers.CharField(max_length=3, required=False)


class SubscriptionPaymentSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    subscription = SubscriptionDetailSerializer(read_only=True)

    class Meta:
        model = SubscriptionPayment
        fields = ["id", "reference", "amount", "currency", "period_start", "period_end", "created_at", "subscription"]
        read_only_fields = fields


class UsageFigureSerializer(serializers.Serializer):
    used = serializers.IntegerField(allow_null=True)
    limit = serializers.IntegerField(allow_null=True)


class UsagePeriodSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class PaymentMethodSerializer(serializers.ModelSerializer):
    brand = serializers.CharField(source="card_brand")
    last4 = serializers.CharField(source="card_last4")
    expires = serializers.CharField(source="card_expires")

    class Meta:
        model = BillingAccount
        fields = ["provider", "brand", "last4", "expires"]
        read_only_fields = fields


class BillingOverviewSerializer(SubscriptionSerializer):
    usage_period = UsagePeriodSerializer(read_only=True)
    usage = serializers.DictField(child=UsageFigureSerializer(), read_only=True)
    payment_method = PaymentMethodSerializer(read_only=True, allow_null=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "usage_period", "usage", "payment_method"]
        read_only_fields = fields


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenantInvoiceLine
        fields = ["kind", "description", "amount", "charged"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = TenantInvoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "plan_name",
            "interval",
            "period_start",
            "period_end",
            "currency",
            "subtotal",
            "tax_label",
            "tax_rate_bps",
            "tax",
            "total",
            "fees_collected",
            "issued_at",
            "due_at",
            "paid_at",
            "payment_reference",
            "attempts",
            "last_failure",
            "bill_to_name",
            "bill_to_email",
            "lines",
        ]
        read_only_fields = fields


class CardSerializer(serializers.Serializer):
    card = serializers.CharField(
        max_length=100, help_text="A test card number (local provider) or a Stripe PaymentMethod id (pm_…)."
    )


def _plan_or_404(code: str) -> Plan:
    plan = selectors.plans_offered(include_retired=True).filter(code=code).first()
    if plan is None:
        raise NotFound("No such plan.")
    return plan


def _tenant_or_404(user, public_id: str) -> Tenant:
    tenants = tenant_selectors.marketplaces()
    if not can(user, "platform.tenants.view_all"):
        tenants = tenants.filter(owner=user)
    tenant = tenants.filter(public_id=public_id).first() if user.is_authenticated else None
    if tenant is None:
        raise NotFound("No such marketplace.")
    return tenant


class PlanListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PlanSerializer(many=True)}, summary="Plans on offer (staff: ?all=1 adds retired)")
    def get(self, request):
        everything = request.query_params.get("all") == "1" and can(request.user, "platform.billing.manage")
        return Response(PlanSerializer(selectors.plans_offered(include_retired=everything), many=True).data)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer}, summary="Create a plan (staff)")
    def post(self, request):
        require(request.user, "platform.billing.manage")
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_create(actor=request.user, **data.validated_data)
        return Response(PlanSerializer(_plan_or_404(plan.code)).data, status=status.HTTP_201_CREATED)


class PlanDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PlanSerializer}, summary="One plan and its current terms")
    def get(self, request, code: str):
        return Response(PlanSerializer(_plan_or_404(code)).data)

    @extend_schema(
        request=PlanUpdateSerializer,
        responses={200: PlanSerializer},
        summary="Change a plan (staff): new terms are a new version; subscribers keep theirs",
    )
    def patch(self, request, code: str):
        require(request.user, "platform.billing.manage")
        data = PlanUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        plan = services.plan_update(actor=request.user, plan=_plan_or_404(code), **data.validated_data)
        return Response(PlanSerializer(_plan_or_404(plan.code)).data)


class PlanRetireView(APIView):
    permission_classes = [Allowed("platform.billing.manage")]

    @extend_schema(request=None, responses={200: PlanSerializer}, summary="Stop offering a plan (staff)")
    def post(self, request, code: str):
        plan = services.plan_retire(actor=request.user, plan=_plan_or_404(code))
        return Response(PlanSerializer(_plan_or_404(plan.code)).data)


class SubscriptionView(APIView):
    @extend_schema(responses={200: SubscriptionDetailSerializer}, summary="A marketplace's subscription and its events")
    def get(self, request, public_id: str):
        subscription = selectors.subscription_for(_tenant_or_404(request.user, public_id))
        return Response(SubscriptionDetailSerializer(subscription).data)


class SubscriptionChangeView(APIView):
    @extend_schema(
        request=SubscriptionChangeSerializer,
        responses={200: SubscriptionDetailSerializer},
        summary="Change plan: upgrades now (prorated), downgrades at the period's end (409 lists what to reduce)",
    )
    def post(self, request, public_id: str):
        data = SubscriptionChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = selectors.subscription_for(_tenant_or_404(request.user, public_id))
        services.subscription_change(
            actor=request.user,
            subscription=subscription,
            plan_code=data.validated_data["plan"],
            interval=data.validated_data.get("interval"),
        )
        return Response(SubscriptionDetailSerializer(selectors.subscription_for(subscription.tenant)).data)


class SubscriptionPaymentView(APIView):
    permission_classes = [Allowed("platform.billing.manage")]

    @extend_schema(
        request=PaymentRecordSerializer,
        responses={201: SubscriptionPaymentSerializer},
        summary="Record a payment (staff): active at once, the period advances; same reference = no-op",
    )
    def post(self, request, public_id: str):
        data = PaymentRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.subscription_payment_record(
            actor=request.user, tenant=_tenant_or_404(request.user, public_id), **data.validated_data
        )
        payment.subscription = selectors.subscription_for(payment.subscription.tenant)
        return Response(SubscriptionPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class BillingOverviewView(APIView):
    permission_classes = [Allowed("billing.view")]

    @extend_schema(responses={200: BillingOverviewSerializer}, summary="This marketplace's plan, status and usage")
    def get(self, request):
        subscription = selectors.subscription_for(request.tenant)
        usage = selectors.usage_against_limits(subscription)
        subscription.usage_period, subscription.usage = usage["period"], usage["limits"]
        account = BillingAccount.objects.filter(tenant=request.tenant).first()
        subscription.payment_method = account if account and account.has_payment_method else None
        return Response(BillingOverviewSerializer(subscription).data)


class MarketplaceChangePlanView(APIView):
    permission_classes = [Allowed("billing.manage")]

    @extend_schema(
        request=SubscriptionChangeSerializer,
        responses={200: SubscriptionDetailSerializer},
        summary="Change this marketplace's plan: upgrades now, paid with the saved card (402 when refused); "
        "downgrades at the period's end (409 lists what to reduce)",
    )
    def post(self, request):
        data = SubscriptionChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.subscription_change(
            actor=request.user,
            subscription=selectors.subscription_for(request.tenant),
            plan_code=data.validated_data["plan"],
            interval=data.validated_data.get("interval"),
        )
        return Response(SubscriptionDetailSerializer(selectors.subscription_for(request.tenant)).data)


class PaymentMethodView(APIView):
    permission_classes = [Allowed("billing.manage")]

    @extend_schema(
        request=CardSerializer,
        responses={200: PaymentMethodSerializer},
        summary="Save the card the platform charges this marketplace's invoices to",
    )
    def post(self, request):
        data = CardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = invoices.card_save(tenant=request.tenant, token=data.validated_data["card"])
        return Response(PaymentMethodSerializer(account).data)


class InvoiceListView(APIView):
    permission_classes = [Allowed("billing.view")]

    @extend_schema(responses={200: InvoiceSerializer(many=True)}, summary="The platform's invoices to this marketplace")
    def get(self, request):
        return Response(InvoiceSerializer(selectors.invoices_of(request.tenant), many=True).data)


class InvoiceDetailView(APIView):
    permission_classes = [Allowed("billing.view")]

    @extend_schema(responses={200: InvoiceSerializer}, summary="One invoice")
    def get(self, request, public_id: str):
        return Response(InvoiceSerializer(selectors.invoice_for(request.tenant, public_id)).data)


class InvoicePdfView(APIView):
    permission_classes = [Allowed("billing.view")]

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="One invoice as PDF")
    def get(self, request, public_id: str):
        invoice = selectors.invoice_for(request.tenant, public_id)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{slugify(invoice.number)}.pdf"'
        return response


class InvoicePayView(APIView):
    permission_classes = [Allowed("billing.manage")]

    @extend_schema(
        request=None,
        responses={200: InvoiceSerializer},
        summary="Pay an open invoice with the saved card (402 with the card's answer; 409 when paid already)",
    )
    def post(self, request, public_id: str):
        invoice = invoices.invoice_pay_now(invoice=selectors.invoice_for(request.tenant, public_id))
        if invoice.status != InvoiceStatus.PAID:  # the refused attempt is committed and kept on the invoice
            raise invoices.PaymentFailed(
                f"The payment of invoice {invoice.number} failed: {invoice.last_failure}",
                fields={"payment_method": [invoice.last_failure]},
            )
        return Response(InvoiceSerializer(selectors.invoice_for(request.tenant, public_id)).data)
