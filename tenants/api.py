"""Platform API (public schema): sign-ups, marketplaces, their lifecycle; and the marketplace's
own public description on every marketplace host."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed, can
from billing.models import Interval
from marketplace.common.errors import NotFound, PermissionDenied
from tenants import selectors
from tenants.models import Domain, MarketplaceSignup, Tenant, TenantKind
from tenants.services import tenant_close, tenant_provision, tenant_reactivate, tenant_suspend
from tenants.services.domains import (
    custom_domains,
    dns_records,
    domain_add,
    domain_check_now,
    domain_make_primary,
    domain_remove,
    verified_custom_domains,
)
from tenants.services.provisioning import slug_errors
from tenants.services.signup import signup_create


class TenantSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    slug = serializers.CharField(source="schema_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["id", "name", "slug", "kind", "status", "status_reason", "join_policy", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, tenant: Tenant) -> str:
        return selectors.tenant_primary_url(tenant)


class TenantCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=63)
    kind = serializers.ChoiceField(choices=TenantKind.choices)
    admin_email = serializers.CharField(max_length=254)
    admin_password = serializers.CharField(required=False, write_only=True)
    plan = serializers.CharField(max_length=40, required=False, default="enterprise")
    interval = serializers.ChoiceField(choices=Interval.choices, required=False, default=Interval.MONTH)


class SignupCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=63)
    kind = serializers.ChoiceField(choices=TenantKind.choices)
    plan = serializers.CharField(max_length=40, required=False, default="starter")
    interval = serializers.ChoiceField(choices=Interval.choices, required=False, default=Interval.MONTH)


class SignupSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    marketplace = TenantSerializer(source="tenant", read_only=True)

    class Meta:
        model = MarketplaceSignup
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "plan",
            "billing_interval",
            "status",
            "error",
            "marketplace",
            "created_at",
        ]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class SlugAvailabilitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    available = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField())
    host = serializers.CharField()


class MarketplaceInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    join_policy = serializers.CharField()
    allowed_email_domains = serializers.ListField(child=serializers.CharField())


def _visible_tenants(user):
    tenants = selectors.marketplaces()
    return tenants if can(user, "platform.tenants.view_all") else tenants.filter(owner=user)


def _tenant_or_404(user, public_id: str) -> Tenant:
    tenant = _visible_tenants(user).filter(public_id=public_id).first()
    if tenant is None:
        raise NotFound("No such marketplace.")
    return tenant


class TenantListCreateView(generics.ListAPIView):
    serializer_class = TenantSerializer

    def get_queryset(self):
        return _visible_tenants(self.request.user)

    @extend_schema(
        request=TenantCreateSerializer,
        responses={201: TenantSerializer},
        summary="Create a marketplace now (platform staff)",
    )
    def post(self, request):
        if not can(request.user, "platform.tenants.manage"):
            raise PermissionDenied("Only platform staff can create marketplaces directly; operators use sign-ups.")
        data = TenantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = tenant_provision(actor=request.user, **data.validated_data)
        return Response(TenantSerializer(tenant).data, status=status.HTTP_201_CREATED)


class TenantDetailView(APIView):
    @extend_schema(responses={200: TenantSerializer}, summary="One marketplace")
    def get(self, request, public_id: str):
        return Response(TenantSerializer(_tenant_or_404(request.user, public_id)).data)


class TenantSuspendView(APIView):
    permission_classes = [Allowed("platform.tenants.manage")]

    @extend_schema(request=ReasonSerializer, responses={200: TenantSerializer}, summary="Suspend a marketplace")
    def post(self, request, public_id: str):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = tenant_suspend(
            actor=request.user, tenant=_tenant_or_404(request.user, public_id), reason=data.validated_data["reason"]
        )
        return Response(TenantSerializer(tenant).data)


class TenantReactivateView(APIView):
    permission_classes = [Allowed("platform.tenants.manage")]

    @extend_schema(
        request=None, responses={200: TenantSerializer}, summary="Reactivate a suspended or closed marketplace"
    )
    def post(self, request, public_id: str):
        tenant = tenant_reactivate(actor=request.user, tenant=_tenant_or_404(request.user, public_id))
        return Response(TenantSerializer(tenant).data)


class TenantCloseView(APIView):
    @extend_schema(
        request=ReasonSerializer, responses={200: TenantSerializer}, summary="Close a marketplace (owner or staff)"
    )
    def post(self, request, public_id: str):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = tenant_close(
            actor=request.user, tenant=_tenant_or_404(request.user, public_id), reason=data.validated_data["reason"]
        )
        return Response(TenantSerializer(tenant).data)


class SignupCreateView(APIView):
    permission_classes = [Allowed("platform.signup")]

    @extend_schema(
        request=SignupCreateSerializer,
        responses={202: SignupSerializer},
        summary="Launch a marketplace: validated now, provisioned in the background",
    )
    def post(self, request):
        data = SignupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signup = signup_create(owner=request.user, admin_password=None, **data.validated_data)
        signup.refresh_from_db()
        return Response(SignupSerializer(signup).data, status=status.HTTP_202_ACCEPTED)


class SignupDetailView(APIView):
    @extend_schema(responses={200: SignupSerializer}, summary="Progress of a sign-up")
    def get(self, request, public_id: str):
        signup = (
            MarketplaceSignup.objects.filter(public_id=public_id, owner=request.user).select_related("tenant").first()
        )
        if signup is None:
            raise NotFound("No such sign-up.")
        return Response(SignupSerializer(signup).data)


class SlugAvailabilityView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: SlugAvailabilitySerializer}, summary="Is this marketplace address free?")
    def get(self, request, slug: str):
        slug = slug.lower()
        errors = slug_errors(slug)
        return Response(
            {"slug": slug, "available": not errors, "errors": errors, "host": f"{slug}.{settings.PLATFORM_DOMAIN}"}
        )


class MarketplaceInfoView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: MarketplaceInfoSerializer}, summary="This marketplace's public description")
    def get(self, request):
        tenant = request.tenant
        return Response(
            {
                "name": tenant.name,
                "slug": tenant.schema_name,
                "kind": tenant.kind,
                "join_policy": tenant.join_policy,
                "allowed_email_domains": tenant.allowed_email_domains,
            }
        )


class DomainSerializer(serializers.ModelSerializer):
    dns_records = serializers.SerializerMethodField()
    last_check_error = serializers.SerializerMethodField(
        help_text="What the last DNS check found, as a sentence (empty when verified or never checked)"
    )

    class Meta:
        model = Domain
        fields = [
            "domain",
            "kind",
            "is_primary",
            "verification",
            "verified_at",
            "dns_records",
            "last_checked_at",
            "last_check_result",
            "last_check_error",
            "next_check_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_last_check_error(self, domain: Domain) -> str:
        return "" if domain.last_check_result in ("", "verified") else domain.last_check_message

    @extend_schema_field(serializers.ListField(child=serializers.DictField(child=serializers.CharField())))
    def get_dns_records(self, domain: Domain) -> list[dict[str, str]]:
        return dns_records(domain) if domain.kind == "custom" else []


class DomainCreateSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=253, help_text="e.g. market.example.edu")


class DomainListView(APIView):
    permission_classes = [Allowed("domains.manage")]

    @extend_schema(responses={200: DomainSerializer(many=True)}, summary="This marketplace's custom domains")
    def get(self, request):
        return Response(DomainSerializer(custom_domains(request.tenant), many=True).data)

    @extend_schema(
        request=DomainCreateSerializer,
        responses={201: DomainSerializer},
        summary="Add a custom domain (needs a plan with custom domains): pending until its DNS record is seen",
    )
    def post(self, request):
        data = DomainCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        domain = domain_add(actor=request.user, tenant=request.tenant, domain=data.validated_data["domain"])
        domain.tenant = request.tenant
        return Response(DomainSerializer(domain).data, status=status.HTTP_201_CREATED)


class DomainDetailView(APIView):
    permission_classes = [Allowed("domains.manage")]

    @extend_schema(responses={204: None}, summary="Remove a custom domain")
    def delete(self, request, domain: str):
        domain_remove(actor=request.user, tenant=request.tenant, domain=domain)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DomainCheckView(APIView):
    permission_classes = [Allowed("domains.manage")]

    @extend_schema(
        request=None,
        responses={200: DomainSerializer},
        summary="Check a pending custom domain's DNS now (429 when checked a moment ago)",
    )
    def post(self, request, domain: str):
        row = domain_check_now(actor=request.user, tenant=request.tenant, domain=domain)
        row.tenant = request.tenant
        return Response(DomainSerializer(row).data)


class DomainPrimaryView(APIView):
    permission_classes = [Allowed("domains.manage")]

    @extend_schema(
        request=None,
        responses={200: DomainSerializer},
        summary="Make a verified custom domain (or the platform subdomain) the primary domain",
    )
    def post(self, request, domain: str):
        row = domain_make_primary(actor=request.user, tenant=request.tenant, domain=domain)
        row.tenant = request.tenant
        return Response(DomainSerializer(row).data)


class VerifiedDomainSerializer(serializers.ModelSerializer):
    marketplace = serializers.CharField(source="tenant.schema_name", read_only=True)
    target = serializers.SerializerMethodField(help_text="The marketplace's platform host the domain points to")

    class Meta:
        model = Domain
        fields = ["domain", "marketplace", "target", "is_primary", "verified_at"]
        read_only_fields = fields

    def get_target(self, domain: Domain) -> str:
        return f"{domain.tenant.schema_name}.{settings.PLATFORM_DOMAIN}"


class VerifiedDomainListView(generics.ListAPIView):
    """Every verified custom domain of a marketplace that is online: what a certificate controller
    (e.g. cert-manager with an ingress per domain) issues certificates for. Platform staff."""

    permission_classes = [Allowed("platform.tenants.view_all")]
    serializer_class = VerifiedDomainSerializer

    def get_queryset(self):
        return verified_custom_domains()

    @extend_schema(summary="Verified custom domains of every online marketplace (platform staff)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
