"""Listings to browse and book on the discovery pages: at alpha (a university) an instant-booking
calculus listing open 09:00-17:00 London time every day, with two add-ons; at beta (an agency) a
brand-identity listing booked through a quote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.bookings.services import schedule_set
from marketplace.catalogue.listings import listing_create, listing_transition
from marketplace.catalogue.models import Category, Listing
from marketplace.providers.models import Badge, ProviderProfile
from tenants.context import tenant_context
from tests.factories import UserFactory

WEEK = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)]
ADD_ONS = [
    {"name": "Worked solutions", "price": 800},
    {"name": "Extra half hour", "price": 2500, "extra_minutes": 30},
]


def make_provider(email: str, name: str, *, status: str = "approved", badge: bool = True) -> ProviderProfile:
    user = UserFactory(email=email, is_provider=True, full_name=name)
    profile = ProviderProfile.objects.create(
        user=user,
        headline=f"{name.split()[0]} teaches with patience",
        bio="Ten years of helping students pass their exams.",
        skills=["Calculus", "Exam technique"],
        languages=["English", "French"],
        status=status,
    )
    if badge:
        Badge.objects.create(profile=profile, kind="identity_verified")
    return profile


def make_listing(profile, category_slug: str, *, title: str, attributes: dict, packages: list, **extra) -> Listing:
    listing = listing_create(
        user=profile.user,
        category=Category.objects.get(slug=category_slug).public_id,
        title=title,
        description=f"{title}: sessions planned around your course and your questions.",
        attributes=attributes,
        packages=packages,
        **extra,
    )
    return listing_transition(user=profile.user, listing=listing, action="submit")


@pytest.fixture
def tutoring(tenant_a) -> Listing:
    with tenant_context(tenant_a):
        tess = make_provider("tutor@example.org", "Tess Tutor")
        listing = make_listing(
            tess,
            "calculus",
            title="Calculus exam coaching",
            attributes={"level": "Advanced", "format": "Online"},
            packages=[
                {"name": "Hour", "price": 6000, "duration_minutes": 60, "includes": ["Past papers"]},
                {"name": "Double", "price": 11000, "duration_minutes": 120},
            ],
            add_ons=ADD_ONS,
        )
        schedule_set(
            user=tess.user, time_zone="Europe/London", weekly=WEEK, min_notice_minutes=60, buffer_after_minutes=15
        )
        UserFactory(email="client@example.org", full_name="Cleo Client")
        UserFactory(email="rival@example.org", full_name="Rita Rival")
        return listing


@pytest.fixture
def statistics(tenant_a, tutoring) -> Listing:
    """A second, cheaper listing at alpha by another provider, for sorting and filtering."""
    with tenant_context(tenant_a):
        sam = make_provider("stats@example.org", "Sam Statistician", badge=False)
        return make_listing(
            sam,
            "statistics",
            title="Statistics for beginners",
            attributes={"level": "Introductory", "format": "Either"},
            packages=[{"name": "Hour", "price": 3000, "duration_minutes": 60}],
        )


@pytest.fixture
def branding_quote(tenant_b) -> Listing:
    with tenant_context(tenant_b):
        lena = make_provider("designer@example.org", "Lena Designer")
        listing = make_listing(
            lena,
            "brand-identity",
            title="Brand identity for startups",
            attributes={"deliverable_formats": ["Figma", "PDF"]},
            packages=[{"name": "Starter", "price": 90000, "delivery_days": 14}],
        )
        UserFactory(email="buyer@example.org", full_name="Bea Buyer")
        return listing


def user(tenant, email: str):
    from accounts.models import User

    with tenant_context(tenant):
        return User.objects.get(email=email)


def day(days_ahead: int = 10):
    return (datetime.now(UTC) + timedelta(days=days_ahead)).date()
