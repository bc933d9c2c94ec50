"""Demo marketplaces for `make run`: a university, an agency and a law firm, each with an admin,
providers and clients. Later features add their sample data through provisioning seeders."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserStatus
from tenants.context import tenant_context
from tenants.models import JoinPolicy, Tenant, TenantKind
from tenants.services import tenant_provision

DEMO_PASSWORD = "demo-marketplace-2026"  # noqa: S105 - printed for the demo on purpose
PLATFORM_STAFF = "staff@platform.example.com"
OPERATOR = "operator@platform.example.com"

DEMO_MARKETPLACES = [
    {
        "slug": "uni",
        "name": "Northbridge University Tutoring",
        "kind": TenantKind.UNIVERSITY,
        "domain": "northbridge.example.edu",
        "join_policy": JoinPolicy.EMAIL_DOMAIN,
        "providers": [("Amira Haddad", "amira"), ("Jonas Becker", "jonas")],
        "clients": [("Priya Raman", "priya"), ("Tom Okafor", "tom")],
    },
    {
        "slug": "agency",
        "name": "Brightside Creative Agency",
        "kind": TenantKind.AGENCY,
        "domain": "brightside.example.com",
        "join_policy": JoinPolicy.OPEN,
        "providers": [("Lena Fischer", "lena"), ("Marco Rossi", "marco")],
        "clients": [("Acme Robotics", "acme"), ("Greenleaf Foods", "greenleaf")],
    },
    {
        "slug": "lawfirm",
        "name": "Hartwell & Co Legal Advice",
        "kind": TenantKind.LAW_FIRM,
        "domain": "hartwell.example.com",
        "join_policy": JoinPolicy.APPROVAL,
        "providers": [("Sarah Hartwell", "sarah"), ("David Chen", "david")],
        "clients": [("Nora Lindqvist", "nora"), ("Owen Price", "owen")],
    },
]


def _platform_user(email: str, **flags) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, email_verified_at=timezone.now(), **flags)
    return user


def _member(name: str, email: str, **roles) -> None:
    if not User.objects.filter(email=email).exists():
        User.objects.create_user(
            email, DEMO_PASSWORD, full_name=name, status=UserStatus.ACTIVE, email_verified_at=timezone.now(), **roles
        )


def _ensure_catalogue(tenant: Tenant) -> None:
    """Marketplaces created before the catalogue existed get the starter tree of their kind."""
    from marketplace.catalogue.models import Category
    from marketplace.catalogue.seeds import TREES, create_tree

    if not Category.objects.exists() and tenant.kind in TREES:
        create_tree(TREES[tenant.kind])


def seed_demo() -> list[Tenant]:
    """Create whatever part of the demo is missing (safe to run again)."""
    _platform_user(PLATFORM_STAFF, full_name="Platform Staff", is_staff=True, is_superuser=True)
    operator = _platform_user(OPERATOR, full_name="Olivia Operator", is_operator=True)
    tenants = []
    for spec in DEMO_MARKETPLACES:
        tenant = Tenant.objects.filter(schema_name=spec["slug"]).first()
        if tenant is None:
            tenant = tenant_provision(
                name=spec["name"],
                slug=spec["slug"],
                kind=spec["kind"],
                admin_email=f"admin@{spec['domain']}",
                admin_password=DEMO_PASSWORD,
                admin_name="Demo Admin",
                owner=operator,
            )
        with transaction.atomic():
            tenant.join_policy = spec["join_policy"]
            tenant.allowed_email_domains = [spec["domain"]] if spec["join_policy"] == JoinPolicy.EMAIL_DOMAIN else []
            tenant.save(update_fields=["join_policy", "allowed_email_domains", "updated_at"])
            with tenant_context(tenant):
                _ensure_catalogue(tenant)
                for name, handle in spec["providers"]:
                    _member(name, f"{handle}@{spec['domain']}", is_provider=True)
                for name, handle in spec["clients"]:
                    _member(name, f"{handle}@{spec['domain']}", is_client=True)
        tenants.append(tenant)
    return tenants
