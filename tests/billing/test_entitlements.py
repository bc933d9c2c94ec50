"""Each plan gate, enforced in the service where the thing happens; each shown next to the other
marketplace (on its Enterprise trial), which the first one's plan must not affect."""

import pytest

from accounts.models import User
from accounts.services import invitation_create
from billing import entitlements
from billing.models import Subscription
from billing.services import subscription_transition
from marketplace.bookings.models import Booking
from marketplace.bookings.services import booking_create
from marketplace.catalogue.listings import listing_create, listing_transition
from marketplace.catalogue.models import Category, Listing
from marketplace.providers.models import ProviderProfile
from marketplace.providers.services import provider_review
from tenants.context import tenant_context
from tests.bookings.test_booking_api import (
    _agency_listing,
    _auth,
    _book,
    _day,
    _inquire,
    _slots,
    _studio_listing,
    tutoring_listing,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _admin(tenant) -> User:
    return User.objects.get(email=f"admin@{tenant.schema_name}.test")


def test_features_fee_and_the_cheapest_plan_that_has_a_feature(tenant_a, tenant_b, put_on_plan):
    put_on_plan(tenant_a)

    with pytest.raises(entitlements.FeatureNotInPlan) as refused:
        entitlements.require_feature(tenant_a, "custom_domain")

    assert refused.value.status_code == 403
    assert (
        refused.value.message
        == "Custom domains are not part of this marketplace's plan. Upgrade to Growth to use them."
    )
    assert not entitlements.has_feature(tenant_a, "custom_domain")
    assert entitlements.has_feature(tenant_b, "custom_domain")
    entitlements.require_feature(tenant_b, "opensearch")
    assert (entitlements.platform_fee_bps(tenant_a), entitlements.platform_fee_bps(tenant_b)) == (900, 200)


def test_bookings_a_month_are_limited_by_the_plan(api_a, api_b, tenant_a, tenant_b, put_on_plan):
    # given one booking a month for alpha; a tutoring listing in alpha, a studio in beta
    put_on_plan(tenant_a, limits={"bookings_per_month": 1})
    tutoring = tutoring_listing(api_a, tenant_a)
    studio = _studio_listing(tenant_b)

    # when each marketplace takes two bookings
    slots = _slots(api_a, tutoring, _day())
    first = _book(api_a, tutoring, slots[0]["starts_at"])
    refused = _book(api_a, tutoring, slots[2]["starts_at"])
    inquiries = [_inquire(api_b, studio), _inquire(api_b, studio)]

    # then alpha's second is refused with the plan that allows more; beta takes both
    assert (first.status_code, refused.status_code) == (201, 402)
    error = refused.json()["error"]
    assert error["code"] == "plan_limit_reached"
    assert error["message"] == (
        "This marketplace's plan (Tiny) allows 1 bookings a month; 1 are in use. Starter allows 200 bookings a month."
    )
    assert len({inquiry["id"] for inquiry in inquiries}) == 2
    with tenant_context(tenant_a):
        assert Booking.objects.count() == 1


def test_a_suspended_marketplace_takes_no_new_bookings(api_a, api_b, tenant_a, tenant_b):
    # given a listing in each marketplace; alpha suspended for not paying
    tutoring, studio = tutoring_listing(api_a, tenant_a), _studio_listing(tenant_b)
    start = _slots(api_a, tutoring, _day())[0]["starts_at"]
    subscription = Subscription.objects.get(tenant=tenant_a)
    subscription_transition(subscription=subscription, to="past_due", reason="Trial ended unpaid.")
    subscription_transition(subscription=subscription, to="suspended", reason="Grace period over.")

    # when a booking reaches the service anyway (a task, a request already past the middleware)
    with tenant_context(tenant_a), pytest.raises(entitlements.MarketplaceSuspended) as refused:
        client = User.objects.get(email="client@example.org")
        booking_create(client=client, listing_id=tutoring, package="Hour", starts_at=start)
    with tenant_context(tenant_b):
        founder = User.objects.get(email="founder@example.org")
        asked = booking_create(client=founder, listing_id=studio, package="Identity", message="A logo for our bakery.")

    # then alpha refuses it and beta books
    assert refused.value.status_code == 409
    assert refused.value.message == "This marketplace is suspended and takes no new bookings."
    assert asked.workflow == "quote"
    with tenant_context(tenant_a):
        assert not Booking.objects.exists()


def test_milestone_projects_need_a_plan_with_them(api_a, api_b, tenant_a, tenant_b, put_on_plan):
    # given alpha's plan has no milestone projects and one of its categories runs them; beta's does
    put_on_plan(tenant_a)
    alpha_listing = tutoring_listing(api_a, tenant_a)
    with tenant_context(tenant_a):
        Category.objects.filter(slug="calculus").update(workflow="milestone")
    beta_listing = _agency_listing(tenant_b)

    # when a client asks each for a project
    def inquire(api, listing, package, email):
        body = {"listing": listing, "package": package, "message": "A project for our team, in parts."}
        return api.post("/api/v1/bookings/", body, format="json", **_auth(api, email))

    refused = inquire(api_a, alpha_listing, "Hour", "client@example.org")
    accepted = inquire(api_b, beta_listing, "Project", "startup@example.org")

    # then alpha refuses naming the plan that has them
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "feature_not_in_plan"
    assert "Upgrade to Growth" in refused.json()["error"]["message"]
    assert accepted.status_code == 201 and accepted.json()["workflow"] == "milestone"
    with tenant_context(tenant_a):
        assert not Booking.objects.exists()


def _applicants(tenant) -> ProviderProfile:
    """One approved provider and one waiting for review."""
    ProviderProfile.objects.create(user=UserFactory(is_provider=True), status="approved")
    return ProviderProfile.objects.create(user=UserFactory(is_provider=True), status="pending")


def test_approving_providers_is_limited_by_the_plan(tenant_a, tenant_b, put_on_plan):
    put_on_plan(tenant_a, limits={"active_providers": 1})

    with tenant_context(tenant_a):
        waiting = _applicants(tenant_a)
        with pytest.raises(entitlements.PlanLimitReached) as refused:
            provider_review(actor=_admin(tenant_a), profile=waiting, decision="approve")
        waiting.refresh_from_db()
        assert waiting.status == "pending"
    with tenant_context(tenant_b):
        approved = provider_review(actor=_admin(tenant_b), profile=_applicants(tenant_b), decision="approve")

    assert refused.value.status_code == 402 and refused.value.fields == {"active_providers": ["1 of 1 in use."]}
    assert approved.status == "approved"


DRAFTS = {
    "alpha": ("calculus", {"level": "Advanced", "format": "Online"}, {"duration_minutes": 60}),
    "beta": ("brand-identity", {}, {"delivery_days": 14}),
}


def _draft(tenant) -> tuple[User, Listing]:
    category, attributes, package = DRAFTS[tenant.schema_name]
    user = UserFactory(is_provider=True)
    ProviderProfile.objects.create(user=user, status="approved")
    listing = listing_create(
        user=user,
        category=Category.objects.get(slug=category).public_id,
        title="Work that fits your week",
        description="Planned around what you need next, with clear steps.",
        attributes=attributes,
        packages=[{"name": "Standard", "price": 5_000, **package}],
    )
    return user, listing


def test_publishing_listings_is_limited_by_the_plan(tenant_a, tenant_b, put_on_plan):
    put_on_plan(tenant_a, limits={"active_listings": 0})

    with tenant_context(tenant_a):
        user, listing = _draft(tenant_a)
        with pytest.raises(entitlements.PlanLimitReached) as refused:
            listing_transition(user=user, listing=listing, action="submit")
        listing.refresh_from_db()
        assert listing.status == "draft"
    with tenant_context(tenant_b):
        user, listing = _draft(tenant_b)
        published = listing_transition(user=user, listing=listing, action="submit")

    assert "Starter allows 100 active listings." in refused.value.message
    assert published.status == "active"


def test_inviting_staff_is_limited_by_the_plans_seats(tenant_a, tenant_b, put_on_plan):
    # given alpha's plan has one staff seat, taken by its admin
    put_on_plan(tenant_a, limits={"staff_seats": 1})

    with tenant_context(tenant_a):
        with pytest.raises(entitlements.PlanLimitReached):
            invitation_create(actor=_admin(tenant_a), email="mod@alpha.test", roles=["moderator"])
        client_invite, _ = invitation_create(actor=_admin(tenant_a), email="pat@alpha.test", roles=["client"])
        assert [i.email for i in type(client_invite).objects.all()] == ["pat@alpha.test"]
    with tenant_context(tenant_b):
        invited, _ = invitation_create(actor=_admin(tenant_b), email="mod@beta.test", roles=["moderator"])

    assert invited.roles == ["moderator"]
