"""Demo marketplaces for `make run`: a university, an agency and a law firm, each with an admin,
providers and clients, and a past of bookings, payments and reviews (`tenants.demo_history`). Later
features add their sample data through provisioning seeders."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserStatus
from branding.demo import ensure_demo_branding
from tenants.context import tenant_context
from tenants.demo_history import seed_history
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
        "time_zone": "Europe/London",
        "join_policy": JoinPolicy.EMAIL_DOMAIN,
        "providers": [("Amira Haddad", "amira"), ("Jonas Becker", "jonas")],
        "clients": [("Priya Raman", "priya"), ("Tom Okafor", "tom")],
        "listings": [
            (
                "amira",
                "calculus",
                "Calculus I exam preparation",
                "Limits, derivatives and integrals with past papers from the last five years, one topic per session.",
                {"level": "Introductory", "format": "Online"},
                [("Single session", 3500, 60), ("Five-session bundle", 15000, 300)],
            ),
            (
                "amira",
                "statistics",
                "Statistics for social sciences",
                "Regression, hypothesis tests and SPSS/R walk-throughs for psychology and sociology students.",
                {"level": "Intermediate", "format": "Either"},
                [("Single session", 4000, 60), ("Exam week pack", 18000, 300)],
            ),
            (
                "jonas",
                "programming-in-python",
                "Python from zero to first project",
                "Variables to classes, then a small data project of your choice; ideal for first-year engineers.",
                {"level": "Introductory", "format": "Online"},
                [("Taster", 2500, 45), ("Project mentoring", 22000, 480)],
            ),
            (
                "jonas",
                "exam-preparation",
                "Linear algebra exam study group",
                "Weekly group of up to eight: matrices, eigenvalues and proofs, with a mock exam before finals.",
                {"group_size": 8},
                [("Per seat, one evening", 1500, 120)],
            ),
        ],
    },
    {
        "slug": "agency",
        "name": "Brightside Creative Agency",
        "kind": TenantKind.AGENCY,
        "domain": "brightside.example.com",
        "time_zone": "Europe/Berlin",
        "join_policy": JoinPolicy.OPEN,
        "providers": [("Lena Fischer", "lena"), ("Marco Rossi", "marco")],
        "clients": [("Acme Robotics", "acme"), ("Greenleaf Foods", "greenleaf")],
        "listings": [
            (
                "lena",
                "brand-identity",
                "Brand identity for early-stage startups",
                "Logo, colour palette, type system and a one-page brand guide, delivered as editable Figma files.",
                {"deliverable_formats": ["Figma", "PDF"]},
                [("Starter", 90000, None), ("Complete identity", 240000, None)],
            ),
            (
                "lena",
                "ux-ui-design",
                "UX audit of your web app",
                "Heuristic review, five recorded user tests and a prioritised list of fixes with annotated screens.",
                {"deliverable_formats": ["Figma"]},
                [("Audit", 150000, None)],
            ),
            (
                "marco",
                "web-applications",
                "Django web application, end to end",
                "From data model to deployment: a production-ready Django app with tests, CI and documentation.",
                {"tech_stack": ["Python", "JavaScript"], "years_experience": 12},
                [("MVP", 800000, None), ("MVP + six months support", 1400000, None)],
            ),
        ],
    },
    {
        "slug": "lawfirm",
        "name": "Hartwell & Co Legal Advice",
        "kind": TenantKind.LAW_FIRM,
        "domain": "hartwell.example.com",
        "time_zone": "Europe/London",
        "join_policy": JoinPolicy.APPROVAL,
        "providers": [("Sarah Hartwell", "sarah"), ("David Chen", "david")],
        "clients": [("Nora Lindqvist", "nora"), ("Owen Price", "owen")],
        "listings": [
            (
                "sarah",
                "divorce-and-separation",
                "Initial divorce consultation",
                "A confidential first meeting: your "
                "options, likely costs and next steps, with a written summary afterwards.",
                {"conflict_check": "(to be filled in by the client)", "jurisdiction": "England and Wales"},
                [("45-minute consultation", 12000, 45)],
            ),
            (
                "david",
                "unfair-dismissal",
                "Unfair dismissal claim review",
                "Review of your dismissal letter and contract, an assessment of your claim, and a settlement strategy.",
                {"conflict_check": "(to be filled in by the client)", "jurisdiction": "England and Wales"},
                [("Document review", 25000, 60), ("Review + negotiation", 90000, 240)],
            ),
            (
                "sarah",
                "residential-conveyancing",
                "Fixed-fee home purchase or sale",
                "Searches, contract review, exchange and completion for a home in England and Wales. Tell us "
                "about the property and we quote a fixed fee before you commit.",
                {"conflict_check": "(to be filled in by the client)", "jurisdiction": "England and Wales"},
                [("Purchase or sale", 95000, None)],
            ),
        ],
    },
]


# What some demo packages include and the add-ons clients can choose (by listing title).
DEMO_EXTRAS = {
    "Calculus I exam preparation": {
        "includes": {
            "Single session": ["One topic, worked through with past papers", "Notes sent after the session"],
            "Five-session bundle": ["A revision plan for your exam", "Notes sent after every session"],
        },
        "add_ons": [
            {"name": "Marked mock exam", "price": 1200, "extra_days": 2},
            {"name": "Extra 30 minutes", "price": 1500, "extra_minutes": 30},
        ],
    },
    "Python from zero to first project": {
        "add_ons": [{"name": "Written code review", "price": 2000, "extra_days": 2}],
    },
    "Brand identity for early-stage startups": {
        "includes": {
            "Starter": ["Logo in two versions", "Colour palette"],
            "Complete identity": ["Logo system", "Colour palette and type", "One-page brand guide"],
        },
        "add_ons": [{"name": "Business card design", "price": 15000, "extra_days": 3}],
    },
    "Initial divorce consultation": {
        "includes": {"45-minute consultation": ["Your options and likely costs", "A written summary afterwards"]},
        "add_ons": [{"name": "Letter to the other party", "price": 6000, "extra_days": 3}],
    },
}


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


def _ensure_listings(spec: dict) -> None:
    """Approved providers (with a badge) and live listings, so the demo looks like a working market."""
    from marketplace.catalogue.listings import listing_create, listing_transition
    from marketplace.catalogue.models import Category, Listing
    from marketplace.providers.models import Badge, ProviderProfile, ProviderStatus

    if Listing.objects.exists():
        return
    for name, handle in spec["providers"]:
        user = User.objects.get(email=f"{handle}@{spec['domain']}")
        profile, _ = ProviderProfile.objects.get_or_create(
            user=user,
            defaults={
                "headline": f"{name.split()[0]} — {spec['name']}",
                "status": ProviderStatus.APPROVED,
                "skills": [],
                "languages": ["English"],
                "bio": f"{name} has worked with {spec['name']} clients for years.",
            },
        )
        Badge.objects.get_or_create(profile=profile, kind="identity_verified")
    for handle, slug, title, description, attributes, packages in spec["listings"]:
        user = User.objects.get(email=f"{handle}@{spec['domain']}")
        extras = DEMO_EXTRAS.get(title, {})
        listing = listing_create(
            user=user,
            category=Category.objects.get(slug=slug).public_id,
            title=title,
            description=description,
            attributes=attributes,
            pricing_model="session" if packages[0][2] else "fixed",
            packages=[
                {
                    "name": package,
                    "price": price,
                    "includes": extras.get("includes", {}).get(package, []),
                    **({"duration_minutes": minutes} if minutes else {}),
                }
                for package, price, minutes in packages
            ],
            add_ons=extras.get("add_ons", []),
        )
        listing_transition(user=user, listing=listing, action="submit")
        skills = ProviderProfile.objects.get(user=user)
        skills.skills = list(dict.fromkeys([*skills.skills, Category.objects.get(slug=slug).name]))
        skills.save(update_fields=["skills"])


# The picture each demo listing gets (a motif drawn in the marketplace's colours).
COVERS = {
    "Calculus I exam preparation": "chart",
    "Statistics for social sciences": "chart",
    "Python from zero to first project": "code",
    "Linear algebra exam study group": "people",
    "Brand identity for early-stage startups": "pen",
    "Django web application, end to end": "code",
    "UX audit of your web app": "megaphone",
    "Initial divorce consultation": "scales",
    "Unfair dismissal claim review": "scales",
    "Fixed-fee home purchase or sale": "house",
}


def _ensure_covers(tenant: Tenant) -> None:
    """Each demo listing without a picture gets one (through the same service providers use)."""
    from branding.demo import MOTIFS, cover_upload
    from marketplace.catalogue.images import listing_image_add
    from marketplace.catalogue.models import Listing

    for number, listing in enumerate(Listing.objects.filter(images__isnull=True).select_related("provider__user")):
        motif = COVERS.get(listing.title, MOTIFS[number % len(MOTIFS)])
        upload = cover_upload(listing.title, tenant.kind, motif, seed=number)
        listing_image_add(user=listing.provider.user, listing=listing, upload=upload)


def _ensure_availability(spec: dict) -> None:
    """Providers open on weekdays (and Saturday mornings) in the marketplace's time zone, so slots
    can be booked straight away."""
    from marketplace.bookings.models import AvailabilitySchedule
    from marketplace.bookings.services import schedule_set

    weekly = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]
    weekly.append({"weekday": 5, "start": "10:00", "end": "13:00"})
    for _name, handle in spec["providers"]:
        user = User.objects.get(email=f"{handle}@{spec['domain']}")
        if not AvailabilitySchedule.objects.filter(provider__user=user, listing__isnull=True).exists():
            schedule_set(user=user, time_zone=spec["time_zone"], weekly=weekly, buffer_after_minutes=15)


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
                _ensure_listings(spec)
                _ensure_availability(spec)
                ensure_demo_branding(kind=tenant.kind, admin=User.objects.get(email=f"admin@{spec['domain']}"))
                _ensure_covers(tenant)
                from cms.seeds import cms_seed  # the kind's pages, for marketplaces made before them

                cms_seed(tenant=tenant, admin=User.objects.get(email=f"admin@{spec['domain']}"))
        # Weeks of bookings, payments and reviews; committed inside the marketplace's schema, where the
        # e-mails and live updates it queues after commit must run.
        with tenant_context(tenant), transaction.atomic():
            seed_history(spec)
        tenants.append(tenant)
    return tenants
