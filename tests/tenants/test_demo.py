import datetime
import html

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Listing
from tenants.context import tenant_context
from tenants.demo import DEMO_MARKETPLACES, seed_demo
from tenants.demo_history import HISTORY
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

SPECS = {spec["slug"]: spec for spec in DEMO_MARKETPLACES}


def _counts() -> dict[str, int]:
    from marketplace.disputes.models import Dispute
    from marketplace.notifications.models import Notification
    from marketplace.payments.models import JournalTransaction
    from marketplace.reviews.models import Review

    return {
        model.__name__: model.objects.count()
        for model in (Booking, Review, JournalTransaction, Dispute, Notification, Listing)
    }


@pytest.fixture
def demo():
    tenants = seed_demo()
    yield {tenant.schema_name: tenant for tenant in tenants}
    connection.set_schema_to_public()


def test_demo_marketplaces_look_alive_and_seeding_twice_changes_nothing():
    # when
    tenants = seed_demo()
    before = {}
    for tenant in tenants:
        with tenant_context(tenant):
            before[tenant.schema_name] = _counts()
    seed_demo()

    # then
    assert [t.schema_name for t in tenants] == ["uni", "agency", "lawfirm"]
    for tenant in tenants:
        with tenant_context(tenant):
            listings = Listing.objects.filter(status="active")
            assert listings.count() >= 2
            assert all(listing.packages.exists() for listing in listings)
            assert listings.filter(provider__badges__kind="identity_verified").exists()
            assert _counts() == before[tenant.schema_name]
            assert before[tenant.schema_name]["Booking"] == len(HISTORY[tenant.schema_name])
    connection.set_schema_to_public()


def test_each_marketplace_has_weeks_of_completed_reviewed_bookings_and_some_ahead(demo):
    from marketplace.reviews.models import Review, ReviewDirection

    now = timezone.now()
    for slug, tenant in demo.items():
        with tenant_context(tenant):
            completed = Booking.objects.filter(state="completed")
            assert 4 <= completed.count() <= 8, slug
            # made over the last eight weeks, not all at once
            made = sorted(completed.values_list("created_at", flat=True))
            assert now - datetime.timedelta(days=60) < made[0] < now - datetime.timedelta(days=42), slug
            assert len({(now - at).days // 7 for at in made}) >= 4, slug
            # both sides reviewed most of them, revealed and visible; mostly four or five stars
            revealed = Review.objects.filter(booking__in=completed, revealed_at__isnull=False)
            assert revealed.filter(direction=ReviewDirection.PROVIDER_TO_CLIENT).count() >= completed.count() - 1
            client_reviews = revealed.filter(direction=ReviewDirection.CLIENT_TO_PROVIDER, status="visible")
            assert client_reviews.count() >= completed.count() - 1, slug
            assert all(3 <= stars <= 5 for stars in client_reviews.values_list("overall", flat=True))
            # (the second review reveals both as of the moment it was sent, a breath before it is stored)
            assert all(r.created_at - datetime.timedelta(seconds=1) <= r.revealed_at <= now for r in revealed)
            # listings and providers carry the ratings
            rated = Listing.objects.filter(review_count__gt=0)
            assert rated.exists() and all(1 <= listing.rating_average <= 5 for listing in rated), slug
            # and the people have things ahead: paid sessions or projects under way
            ahead = Booking.objects.filter(state__in=["confirmed", "accepted"])
            assert ahead.exists(), slug
            assert all(b.starts_at > now for b in ahead.filter(state="confirmed")), slug
    with tenant_context(demo["uni"]):
        assert Booking.objects.filter(state="cancelled").exists()
        assert Booking.objects.filter(disputes__resolution="decided", state="completed").exists()
    connection.set_schema_to_public()


def test_money_went_through_escrow_and_adds_up(demo):
    """What clients paid is what was released (providers' earnings, the marketplace's commission,
    the platform's fee), refunded, or still held for bookings that have not finished: nothing is
    held for a completed booking."""
    from marketplace.configuration.selectors import marketplace_settings
    from marketplace.payments.escrow import escrow_state
    from marketplace.payments.selectors import money_totals

    for slug, tenant in demo.items():
        with tenant_context(tenant):
            money = money_totals(
                currency=marketplace_settings().currency,
                since=timezone.now() - datetime.timedelta(days=365),
                until=timezone.now() + datetime.timedelta(days=1),
            )
            assert money["gmv"] > 0 and money["commission"] > 0 and money["platform_fee"] > 0, slug
            assert money["released"] == money["provider_earnings"] + money["commission"] + money["platform_fee"]
            assert money["gmv"] == money["released"] + money["refunds"] + money["escrow_held"], slug
            held = 0
            for booking in Booking.objects.all():
                escrow = escrow_state(booking)
                assert escrow.captured == escrow.released + escrow.refunded + escrow.held, booking.public_id
                if booking.state in ("completed", "cancelled"):
                    assert escrow.held == 0, booking.public_id
                held += escrow.held
            assert (
                held
                == money["escrow_held"]
                == sum(Booking.objects.filter(state__in=["confirmed", "accepted"]).values_list("price", flat=True))
            )
            released = Booking.objects.filter(state="completed").aggregate(total=Sum("price"))["total"]
            refunded_by_disputes = sum(b.disputes.aggregate(r=Sum("refunded"))["r"] or 0 for b in Booking.objects.all())
            assert money["released"] == released - refunded_by_disputes + _cancellation_fees(), slug
    connection.set_schema_to_public()


def _cancellation_fees() -> int:
    """What cancellation policies kept for providers (released like a completion)."""
    from marketplace.bookings.models import MoneyIntent

    return (
        MoneyIntent.objects.filter(booking__state="cancelled", kind="release", status="done").aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )


def test_the_overview_charts_show_weeks_of_activity(demo):
    from web.manage.operations.reports import build_report, today

    for slug, tenant in demo.items():
        with tenant_context(tenant):
            last = today()
            report = build_report(first=last - datetime.timedelta(days=59), last=last, per="day", with_money=True)
            days_with_bookings = [p for p in report.points if p.bookings]
            days_with_money = [p for p in report.points if p.gmv]
            assert len(days_with_bookings) >= 5 and len(days_with_money) >= 5, slug
            assert report.commission > 0 and report.bookings == len(HISTORY[slug])
    with tenant_context(demo["uni"]):
        report = build_report(first=today() - datetime.timedelta(days=59), last=today(), per="day", with_money=True)
        assert report.disputes == 1 and report.dispute_rate > 0
        assert [p.dispute_rate for p in report.points if p.dispute_rate] == [100]  # opened the day it was booked
    connection.set_schema_to_public()


def test_home_pages_quote_their_own_marketplaces_reviews(demo, web):
    from marketplace.reviews.selectors import testimonials

    quotes = {}
    for slug, tenant in demo.items():
        with tenant_context(tenant):
            quotes[slug] = [quote["text"] for quote in testimonials()]
        assert len(quotes[slug]) == 3, slug
    for slug, tenant in demo.items():
        page = web(tenant).get("/")
        assert page.status_code == 200
        body = html.unescape(page.content.decode())
        assert "cms-testimonials" in body
        for text in quotes[slug]:
            assert " ".join(text.split()[:12]) in body, (slug, text)
        for other, texts in quotes.items():
            if other != slug:
                assert not any(" ".join(text.split()[:12]) in body for text in texts), (slug, other)
    connection.set_schema_to_public()


def test_each_marketplace_keeps_its_own_history(demo):
    """The history of a marketplace is in its schema only: its bookings are of its own listings and
    people, and another marketplace's clients have none there."""
    public_ids = {}
    for slug, tenant in demo.items():
        with tenant_context(tenant):
            domain = SPECS[slug]["domain"]
            bookings = Booking.objects.select_related("client", "provider__user", "listing")
            assert bookings.exists()
            assert {b.listing.title for b in bookings} <= {item[2] for item in SPECS[slug]["listings"]}
            assert all(b.client.email.endswith(f"@{domain}") for b in bookings)
            assert all(b.provider.user.email.endswith(f"@{domain}") for b in bookings)
            others = [s["domain"] for s in DEMO_MARKETPLACES if s["slug"] != slug]
            assert not Booking.objects.filter(client__email__endswith=f"@{others[0]}").exists()
            public_ids[slug] = set(bookings.values_list("public_id", flat=True))
    assert not public_ids["uni"] & public_ids["agency"]
    assert not public_ids["agency"] & public_ids["lawfirm"]
    connection.set_schema_to_public()


def test_a_demo_client_sees_only_their_marketplaces_bookings_through_the_api(demo, settings):
    from rest_framework.test import APIClient

    from tenants.demo import DEMO_PASSWORD

    settings.ALLOWED_HOSTS = ["*"]
    uni, agency = APIClient(HTTP_HOST=host_of(demo["uni"])), APIClient(HTTP_HOST=host_of(demo["agency"]))
    login = uni.post(
        "/api/v1/auth/login/", {"email": "priya@northbridge.example.edu", "password": DEMO_PASSWORD}, format="json"
    )
    token = {"HTTP_AUTHORIZATION": f"Token {login.json()['token']}"}

    mine = uni.get("/api/v1/bookings/", **token)
    elsewhere = agency.get("/api/v1/bookings/", **token)

    assert mine.status_code == 200
    with tenant_context(demo["uni"]):
        expected = set(
            Booking.objects.filter(client__email="priya@northbridge.example.edu").values_list("public_id", flat=True)
        )
    assert {b["id"] for b in mine.json()["results"]} == expected and expected
    assert elsewhere.status_code == 401
    connection.set_schema_to_public()
