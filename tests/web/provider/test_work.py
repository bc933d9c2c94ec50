"""The overview, the calendar and the requests-and-work tabs: what needs the provider now, their
sessions in their own zone, each booking linking to its booking page, and nothing of another
provider or marketplace."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.bookings.models import Booking, Milestone
from marketplace.bookings.services import schedule_set
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db


def _session(booking, *, state, starts_at):
    booking.state, booking.workflow = state, "request"
    booking.starts_at, booking.ends_at = starts_at, starts_at + timedelta(hours=1)
    booking.save()
    return booking


def _world(tenant):
    """A provider with a request to accept, an inquiry, a confirmed session next week and a milestone
    project with a milestone due."""
    request = make_booking(tenant, tag="w1")
    provider = request.provider
    soon = (datetime.now(UTC) + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    with tenant_context(tenant):
        _session(request, state="requested", starts_at=soon + timedelta(days=1))
        inquiry = Booking.objects.create(
            listing=request.listing,
            provider=provider,
            client=request.client,
            package_name="Job",
            workflow="quote",
            state="inquiry",
            price=10_000,
            currency="USD",
            commission_bps=1000,
        )
        confirmed = _session(
            Booking.objects.create(
                listing=request.listing,
                provider=provider,
                client=request.client,
                package_name="Job",
                workflow="request",
                state="confirmed",
                price=10_000,
                currency="USD",
                commission_bps=1000,
            ),
            state="confirmed",
            starts_at=soon,
        )
        project = Booking.objects.create(
            listing=request.listing,
            provider=provider,
            client=request.client,
            package_name="Job",
            workflow="milestone",
            state="in_progress",
            price=10_000,
            currency="USD",
            commission_bps=1000,
        )
        Milestone.objects.create(booking=project, position=0, title="Design", amount=10_000, due_date=soon.date())
        schedule_set(user=provider.user, time_zone="Asia/Tokyo", weekly=[])
    return provider, {"request": request, "inquiry": inquiry, "confirmed": confirmed, "project": project}


def test_the_overview_lists_what_needs_action_upcoming_sessions_and_money(tenant_a, web):
    provider, bookings = _world(tenant_a)

    page = web(tenant_a, provider.user).get("/provider/").content.decode()

    for key in ("request", "inquiry", "project", "confirmed"):
        assert f'href="/bookings/{bookings[key].public_id}/"' in page
    assert "Waiting for you to accept" in page and "Waiting for your quote" in page
    assert "milestone due" in page
    assert "Needs your action" in page and "Coming up" in page and "Available" in page
    assert "complete" in page  # profile completeness


def test_the_calendar_shows_the_week_in_the_providers_zone_with_links(tenant_a, web):
    provider, bookings = _world(tenant_a)
    confirmed = bookings["confirmed"]
    browser = web(tenant_a, provider.user)

    this_week = browser.get("/provider/calendar/").content.decode()
    week_of = browser.get(f"/provider/calendar/?date={confirmed.starts_at.date()}").content.decode()
    month = browser.get(f"/provider/calendar/?view=month&date={confirmed.starts_at.date()}").content.decode()

    assert "Asia/Tokyo" in this_week
    assert f'href="/bookings/{confirmed.public_id}/"' in week_of
    assert "19:00–20:00" in week_of  # 10:00 UTC in Tokyo
    assert f'href="/bookings/{confirmed.public_id}/"' in month and "<table" in month


def test_time_off_is_added_from_the_calendar_and_shown_on_it(tenant_a, web):
    provider, _ = _world(tenant_a)
    browser = web(tenant_a, provider.user)

    response = browser.post(
        "/provider/calendar/?date=2030-01-07",
        {"starts_at": "2030-01-08T09:00", "ends_at": "2030-01-08T13:00", "note": "Dentist"},
    )

    assert response.status_code == 302
    page = browser.get("/provider/calendar/?date=2030-01-07").content.decode()
    assert "Dentist" in page and "09:00–13:00" in page


def test_the_work_tabs_hold_each_stage_and_link_to_the_booking_page(tenant_a, web):
    provider, bookings = _world(tenant_a)
    browser = web(tenant_a, provider.user)

    requests = browser.get("/provider/bookings/").content.decode()
    progress = browser.get("/provider/bookings/?tab=in_progress").content.decode()
    completed = browser.get("/provider/bookings/?tab=completed").content.decode()

    assert f"/bookings/{bookings['request'].public_id}/" in requests
    assert f"/bookings/{bookings['inquiry'].public_id}/" in requests
    assert f"/bookings/{bookings['confirmed'].public_id}/" not in requests
    assert f"/bookings/{bookings['confirmed'].public_id}/" in progress
    assert f"/bookings/{bookings['project'].public_id}/" in progress and "Next milestone due" in progress
    assert "Nothing here yet." in completed


def test_another_marketplaces_provider_sees_none_of_it(tenant_a, tenant_b, web):
    _provider, bookings = _world(tenant_a)
    other = make_booking(tenant_b, tag="b")

    browser = web(tenant_b, other.provider.user)
    pages = [browser.get(path).content.decode() for path in ("/provider/", "/provider/bookings/?tab=requests")]

    for page in pages:
        for booking in bookings.values():
            assert booking.public_id not in page
