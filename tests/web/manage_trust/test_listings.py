"""Listing moderation at /manage/listings/: listings waiting for review first, filters by status and
category, approve / reject (with a reason) / pause through the catalogue's service, attribute problems
shown; refusals change nothing; the other marketplace sees nothing."""

from __future__ import annotations

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.catalogue.listings import listing_create, listing_transition
from marketplace.catalogue.models import Category, Listing
from marketplace.configuration.models import MarketplaceSettings
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.web.manage_trust.conftest import person

pytestmark = pytest.mark.django_db


def _listing(title: str, *, email: str, category: str = "calculus", attributes=None) -> Listing:
    user = UserFactory(email=email, is_provider=True, full_name=f"{title} Provider")
    ProviderProfile.objects.create(user=user, headline="Patient tutor", status="approved")
    listing = listing_create(
        user=user,
        category=Category.objects.get(slug=category).public_id,
        title=title,
        description="Sessions planned around your course and your questions.",
        attributes=attributes if attributes is not None else {"level": "Advanced", "format": "Online"},
        packages=[{"name": "Hour", "price": 6000, "duration_minutes": 60}],
    )
    return listing_transition(user=user, listing=listing, action="submit")


@pytest.fixture
def listings(tenant_a):
    """With moderation on: a live calculus listing (submitted first) and one waiting for review."""
    with tenant_context(tenant_a):
        live = _listing("Limits and series", email="live@example.org")
        MarketplaceSettings.objects.update(listing_moderation=True)
        waiting = _listing("Integrals made easy", email="waiting@example.org")
        return live, waiting


def test_waiting_listings_come_first_and_filters_narrow_the_list(admin, tenant_a, listings):
    live, waiting = listings
    with tenant_context(tenant_a):
        # a top-level category that is not above calculus
        other = Category.objects.filter(parent__isnull=True).exclude(pk__in=live.category.path).first()

    everything = admin.get("/manage/listings/")
    active = admin.get("/manage/listings/?status=active")
    elsewhere = admin.get(f"/manage/listings/?category={other.public_id}")

    assert everything.status_code == 200
    body = everything.content.decode()
    assert body.index("Integrals made easy") < body.index("Limits and series")
    assert "Integrals made easy" not in active.content.decode() and "Limits and series" in active.content.decode()
    assert "No listings match these filters." in elsewhere.content.decode()


def test_a_waiting_listing_is_approved(admin, tenant_a, listings):
    _live, waiting = listings

    page = admin.get(f"/manage/listings/{waiting.public_id}/")
    approved = admin.post(f"/manage/listings/{waiting.public_id}/", {"action": "approve"})

    assert page.status_code == 200 and "Integrals made easy" in page.content.decode()
    assert approved.status_code == 302
    with tenant_context(tenant_a):
        assert Listing.objects.get(pk=waiting.pk).status == "active"
        assert AuditEvent.objects.filter(action="listing.approve", target_id=waiting.public_id).exists()


def test_a_listing_is_rejected_with_a_reason_its_provider_sees(admin, tenant_a, listings):
    _live, waiting = listings

    refused = admin.post(f"/manage/listings/{waiting.public_id}/", {"action": "reject", "reason": ""})
    with tenant_context(tenant_a):
        unchanged = Listing.objects.get(pk=waiting.pk).status
    rejected = admin.post(
        f"/manage/listings/{waiting.public_id}/", {"action": "reject", "reason": "The title promises exam answers."}
    )

    assert refused.status_code == 400 and "Give a reason." in refused.content.decode()
    assert unchanged == "pending_review"
    assert rejected.status_code == 302
    with tenant_context(tenant_a):
        listing = Listing.objects.get(pk=waiting.pk)
        assert (listing.status, listing.status_reason) == ("rejected", "The title promises exam answers.")
        event = AuditEvent.objects.get(action="listing.reject", target_id=waiting.public_id)
        assert (event.actor.email, event.reason) == ("admin@alpha.test", "The title promises exam answers.")


def test_a_moderator_pauses_a_live_listing_with_a_reason_and_its_provider_resumes_it(moderator, tenant_a, listings):
    live, _waiting = listings

    without_reason = moderator.post(f"/manage/listings/{live.public_id}/", {"action": "pause"})
    paused = moderator.post(
        f"/manage/listings/{live.public_id}/", {"action": "pause", "reason": "Shows a phone number in the text."}
    )

    assert without_reason.status_code == 400
    assert paused.status_code == 302
    with tenant_context(tenant_a):
        listing = Listing.objects.get(pk=live.pk)
        assert (listing.status, listing.status_reason) == ("paused", "Shows a phone number in the text.")
        assert AuditEvent.objects.get(action="listing.pause", target_id=live.public_id).reason
        resumed = listing_transition(user=person(tenant_a, "live@example.org"), listing=listing, action="resume")
        assert (resumed.status, resumed.status_reason) == ("active", "")


def test_a_refused_action_is_shown_on_the_page_and_changes_nothing(admin, tenant_a, listings):
    live, _waiting = listings

    response = admin.post(f"/manage/listings/{live.public_id}/", {"action": "approve"})

    assert response.status_code == 409
    assert "cannot be approved by you now" in response.content.decode()
    with tenant_context(tenant_a):
        assert Listing.objects.get(pk=live.pk).status == "active"


def test_attribute_problems_are_shown(admin, tenant_a, listings):
    live, _waiting = listings
    with tenant_context(tenant_a):
        Listing.objects.filter(pk=live.pk).update(
            attribute_problems={"attributes.level": ["Choose one of: Introductory, Intermediate."]}
        )

    listed = admin.get("/manage/listings/")
    page = admin.get(f"/manage/listings/{live.public_id}/")

    assert "Attribute problems" in listed.content.decode()
    assert "Choose one of: Introductory, Intermediate." in page.content.decode()


def test_the_other_marketplace_sees_nothing(tenant_a, tenant_b, web, listings):
    _live, waiting = listings
    beta_admin = web(tenant_b, person(tenant_b, "admin@beta.test"))

    assert beta_admin.get(f"/manage/listings/{waiting.public_id}/").status_code == 404
    assert beta_admin.post(f"/manage/listings/{waiting.public_id}/", {"action": "approve"}).status_code == 404
    assert "Integrals made easy" not in beta_admin.get("/manage/listings/").content.decode()
    with tenant_context(tenant_a):
        assert Listing.objects.get(pk=waiting.pk).status == "pending_review"
