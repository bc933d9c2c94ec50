"""The Bayesian ranking score, kept on listings and providers, and `sort=rating` in search."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.catalogue.models import Listing
from marketplace.providers.models import ProviderProfile
from marketplace.reviews.aggregates import ratings_refresh_all
from marketplace.reviews.ranking import bayesian_score
from marketplace.reviews.services import review_submit, reviews_reveal_due
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.reviews.conftest import completed_booking, make_listing

pytestmark = pytest.mark.django_db


def test_few_reviews_are_pulled_towards_the_marketplace_mean():
    mean = Decimal("4.2")

    one_perfect = bayesian_score(count=1, total=5, mean=mean)
    many_good = bayesian_score(count=40, total=192, mean=mean)  # averaging 4.8

    assert (one_perfect, many_good) == (Decimal("4.333"), Decimal("4.733"))
    assert many_good > one_perfect
    assert bayesian_score(count=0, total=0, mean=mean) is None


def _reviewed(listing, stars: list[int]) -> None:
    for index, overall in enumerate(stars):
        client = UserFactory(email=f"{listing.public_id}-{index}@example.org")
        booking = completed_booking(listing, client)
        review_submit(author=client, booking_id=booking.public_id, overall=overall)


def test_search_sorts_by_the_score_with_unreviewed_listings_last(api_a, tenant_a):
    # given one perfect review, five good ones, four poor ones and a listing nobody reviewed
    with tenant_context(tenant_a):
        lone = make_listing(email="lone@example.org", title="Lone five stars")
        steady = make_listing(email="steady@example.org", title="Steady good tutor")
        poor = make_listing(email="poor@example.org", title="Poor tutor")
        fresh = make_listing(email="fresh@example.org", title="Fresh tutor")
        _reviewed(lone, [5])
        _reviewed(steady, [5, 5, 5, 5, 4])
        _reviewed(poor, [2, 2, 2, 2])

        # when the windows close (nothing is counted while the reviews are blind)
        assert Listing.objects.filter(review_count__gt=0).count() == 0
        assert reviews_reveal_due(now=timezone.now() + timedelta(days=15)) == 10
        ratings_refresh_all()  # everyone's score with the final mean (3.7)

    # then the steady listing outranks the single perfect review; the unreviewed one comes last
    found = api_a.get("/api/v1/search/listings/?sort=rating").json()["results"]
    assert [r["id"] for r in found] == [steady.public_id, lone.public_id, poor.public_id, fresh.public_id]
    with tenant_context(tenant_a):
        scores = dict(Listing.objects.values_list("public_id", "rating_score"))
        assert scores[steady.public_id] == Decimal("4.250")  # (5 × 3.7 + 24) / (5 + 5)
        assert scores[lone.public_id] == Decimal("3.917")  # (5 × 3.7 + 5) / (5 + 1)
        assert scores[fresh.public_id] is None
        assert ProviderProfile.objects.get(user__email="steady@example.org").rating_average == Decimal("4.80")


def test_rating_is_a_known_sort(api_a, tenant_a):
    response = api_a.get("/api/v1/search/listings/?sort=stars")

    assert response.status_code == 400 and "rating" in response.json()["error"]["fields"]["sort"][0]
