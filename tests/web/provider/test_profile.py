"""The public profile as its provider edits it: profile fields, portfolio items with pictures,
responding to a published review, badges and levels explained."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.providers.models import PortfolioItem, ProviderProfile
from marketplace.reviews.models import Review
from tenants.context import tenant_context
from tests.payments.conftest import make_booking
from tests.web.provider.conftest import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_profile_is_edited(tenant_b, provider_b, web):
    response = web(tenant_b, provider_b).post(
        "/provider/profile/",
        {
            "headline": "Brand and type designer",
            "bio": "",
            "skills": "Logos, Type",
            "languages": "English",
            "location": "",
        },
    )

    assert response.status_code == 302
    with tenant_context(tenant_b):
        profile = ProviderProfile.objects.get(user=provider_b)
        assert (profile.headline, profile.skills, profile.remote) == (
            "Brand and type designer",
            ["Logos", "Type"],
            False,
        )


def test_a_too_short_headline_is_refused_next_to_it(tenant_b, provider_b, web):
    response = web(tenant_b, provider_b).post("/provider/profile/", {"headline": "Hey"})

    assert response.status_code == 400
    assert 'id="id_headline_errors"' in response.content.decode()
    with tenant_context(tenant_b):
        assert ProviderProfile.objects.get(user=provider_b).headline == "Designer of brands"


def test_a_portfolio_item_is_added_with_its_picture_and_removed(tenant_b, provider_b, web):
    browser = web(tenant_b, provider_b)

    added = browser.post(
        "/provider/profile/portfolio/",
        {
            "title": "Greenleaf rebrand",
            "link": "https://example.org/work",
            "image": upload("w.png", png_bytes(), "image/png"),
        },
    )

    assert added.status_code == 302
    with tenant_context(tenant_b):
        item = PortfolioItem.objects.get(profile__user=provider_b)
        assert item.image.name.endswith(".png")
    assert "Greenleaf rebrand" in browser.get("/provider/profile/").content.decode()
    assert browser.post(f"/provider/profile/portfolio/{item.public_id}/remove/").status_code == 302
    with tenant_context(tenant_b):
        assert not PortfolioItem.objects.exists()


def test_a_portfolio_picture_that_is_not_one_saves_nothing(tenant_b, provider_b, web):
    response = web(tenant_b, provider_b).post(
        "/provider/profile/portfolio/",
        {"title": "Script", "image": upload("w.png", b"<svg onload=alert(1)>", "image/png")},
    )

    assert response.status_code == 400
    assert 'id="id_image_errors"' in response.content.decode()
    with tenant_context(tenant_b):
        assert not PortfolioItem.objects.exists()


def test_the_provider_responds_to_a_published_review(tenant_a, web):
    # given: a revealed client review
    booking = make_booking(tenant_a, tag="rev")
    with tenant_context(tenant_a):
        booking.state = "completed"
        booking.save(update_fields=["state"])
        review = Review.objects.create(
            booking=booking,
            direction="client_to_provider",
            author=booking.client,
            subject=booking.provider.user,
            provider=booking.provider,
            listing=booking.listing,
            overall=4,
            text="Good work, a little late.",
            window_closes_at=timezone.now() + timedelta(days=10),
            revealed_at=timezone.now(),
        )
    browser = web(tenant_a, booking.provider.user)
    assert "Good work, a little late." in browser.get("/provider/profile/").content.decode()

    # when
    response = browser.post(
        f"/provider/profile/reviews/{review.public_id}/respond/", {f"r-{review.public_id}-text": "Thank you!"}
    )

    # then
    assert response.status_code == 302
    with tenant_context(tenant_a):
        review.refresh_from_db()
        assert review.response == "Thank you!"


def test_badges_and_levels_are_explained(tenant_b, provider_b, web):
    page = web(tenant_b, provider_b).get("/provider/profile/").content.decode()

    assert "Rising" in page and "Top rated" in page and "completed bookings" in page
