"""Reputation levels: thresholds per marketplace (admins, audited), the recompute job, the level on
provider profiles and the `level=` search filter."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.bookings.models import BookingEvent
from marketplace.disputes.models import Dispute
from marketplace.providers.models import ProviderProfile
from marketplace.reviews.models import ReputationSettings
from marketplace.reviews.reputation import Metrics, level_for, provider_metrics
from marketplace.reviews.services import review_submit, reviews_reveal_due
from marketplace.reviews.tasks import recompute_levels
from tenants.context import tenant_context
from tenants.tasks import dispatch_periodic
from tests.factories import UserFactory
from tests.reviews.conftest import auth, completed_booking, make_listing

pytestmark = pytest.mark.django_db

ADMIN = "admin@alpha.test"
URL = "/api/v1/marketplace/reputation/"


def _provider_with(stars: list[int]):
    """A provider whose listing has one completed, reviewed and revealed booking per rating."""
    listing = make_listing(email="pro@example.org")
    bookings = []
    for index, overall in enumerate(stars):
        client = UserFactory(email=f"client{index}@example.org")
        booking = completed_booking(listing, client)
        review_submit(author=client, booking_id=booking.public_id, overall=overall)
        bookings.append(booking)
    reviews_reveal_due(now=timezone.now() + timedelta(days=15))
    return listing, bookings


def _level(email="pro@example.org") -> str:
    return ProviderProfile.objects.get(user__email=email).level


def test_levels_follow_the_thresholds_and_show_in_profiles_and_search(api_a, tenant_a):
    # given a provider with three completed bookings rated 5, 5 and 4, and one with nothing yet
    with tenant_context(tenant_a):
        listing, _ = _provider_with([5, 5, 4])
        newcomer = make_listing(email="newcomer@example.org", title="Brand new tutor")

    # when the nightly job runs with the default thresholds
    dispatch_periodic.apply(kwargs={"job": recompute_levels.name, "jitter": 0}).get()

    # then they are Rising (Top rated needs ten bookings, a 4.7 average and a 90-day-old account)
    with tenant_context(tenant_a):
        assert (_level(), _level("newcomer@example.org")) == ("rising", "new")
    profile = api_a.get(f"/api/v1/providers/{listing.provider.public_id}/").json()
    assert (profile["level"], profile["level_label"]) == ("rising", "Rising")
    rising = api_a.get("/api/v1/search/listings/?level=rising").json()["results"]
    assert [r["id"] for r in rising] == [listing.public_id]
    assert api_a.get("/api/v1/search/listings/?level=top_rated").json()["count"] == 0
    assert {r["id"] for r in api_a.get("/api/v1/search/listings/?level=new").json()["results"]} == {
        listing.public_id,
        newcomer.public_id,
    }

    # when the admins lower the Top rated bar to what this provider has
    changed = api_a.patch(
        URL,
        {"top_completed_bookings": 3, "top_average_rating": 4.6, "top_account_age_days": 0},
        format="json",
        **auth(api_a, ADMIN),
    )
    with tenant_context(tenant_a):
        assert recompute_levels.apply(kwargs={"_schema": "alpha"}).get() == 1
        # then they are Top rated; running again changes nothing
        assert _level() == "top_rated"
        assert recompute_levels.apply(kwargs={"_schema": "alpha"}).get() == 0
        audit = AuditEvent.objects.get(action="reputation.thresholds_changed")
        assert audit.after == {"top_completed_bookings": 3, "top_average_rating": "4.60", "top_account_age_days": 0}
    assert changed.status_code == 200, changed.content
    assert changed.json()["top_average_rating"] == 4.6
    assert api_a.get("/api/v1/search/listings/?level=rising").json()["count"] == 1  # rising or above
    assert api_a.get("/api/v1/search/listings/?level=top_rated").json()["count"] == 1


def test_disputes_late_milestones_and_no_shows_count_against_a_provider(tenant_a):
    with tenant_context(tenant_a):
        # given a Rising provider (three bookings, all 5 stars)
        listing, bookings = _provider_with([5, 5, 5])
        client = User.objects.get(email="client0@example.org")
        pk = listing.provider_id
        assert level_for(provider_metrics()[pk], ReputationSettings.objects.get_or_create()[0]) == "rising"

        # when one booking was disputed and the provider failed to show up for another
        Dispute.objects.create(
            booking=bookings[0],
            opened_by=client,
            opened_by_role="client",
            reason="quality",
            desired_outcome="partial_refund",
            description="Half the session was missing.",
            amount=3000,
            currency="USD",
        )
        missed = completed_booking(listing, client)
        missed.state = "no_show"
        missed.save(update_fields=["state"])
        BookingEvent.objects.create(
            booking=missed, role="client", action="report_provider_no_show", from_state="confirmed", to_state="no_show"
        )
        metrics = provider_metrics()[pk]

    # then one dispute per three completed bookings (33%) and three kept of four commitments (75%)
    assert (metrics.completed_bookings, metrics.dispute_percent, metrics.on_time_percent) == (3, 33, 75)
    assert metrics.average_rating == Decimal("5.00")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "top_rated"),
        ({"on_time_percent": 90}, "rising"),  # below Top's 95
        ({"response_minutes": 300}, "rising"),  # slower than Top's 240
        ({"response_minutes": None}, "top_rated"),  # unknown does not count against anyone
        ({"dispute_percent": 25}, "new"),  # above Rising's 20
        ({"average_rating": None}, "new"),  # no reviews yet
        ({"account_age_days": 30}, "rising"),
    ],
)
def test_each_measure_decides_the_level(changes, expected):
    thresholds = ReputationSettings()  # the defaults
    metrics = Metrics(
        **{
            "completed_bookings": 12,
            "average_rating": Decimal("4.80"),
            "on_time_percent": 100,
            "response_minutes": 60,
            "dispute_percent": 0,
            "account_age_days": 365,
            **changes,
        }
    )

    assert level_for(metrics, thresholds) == expected


def test_thresholds_are_for_admins_and_checked(api_a, tenant_a, market):
    admin = auth(api_a, ADMIN)

    shown = api_a.get(URL, **admin)
    by_provider = api_a.patch(URL, {"top_completed_bookings": 1}, format="json", **auth(api_a, "tutor@example.org"))
    bad = api_a.patch(
        URL,
        {"top_average_rating": 6, "rising_on_time_percent": 120, "top_completed_bookings": -1, "stars": 1},
        format="json",
        **admin,
    )

    assert shown.status_code == 200 and shown.json()["top_completed_bookings"] == 10
    assert by_provider.status_code == 403
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {
        "top_average_rating",
        "rising_on_time_percent",
        "top_completed_bookings",
        "stars",
    }
    with tenant_context(tenant_a):
        assert ReputationSettings.objects.get().top_completed_bookings == 10
        assert not AuditEvent.objects.filter(action="reputation.thresholds_changed").exists()
