"""What a provider's dashboard reads about their work (`provider_work`): bookings by stage, what
needs them now, their calendar, the free slots their schedule opens and their time off; and the
availability service naming the window that overlaps."""

from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.bookings import provider_work
from marketplace.bookings.models import Booking, TimeOff
from marketplace.bookings.services import schedule_set, time_off_add
from marketplace.common.errors import NotFound, ValidationFailed
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db


def _copy(booking, **fields):
    values = {
        "listing": booking.listing,
        "provider": booking.provider,
        "client": booking.client,
        "package_name": "Job",
        "workflow": "quote",
        "price": 1_000,
        "currency": "USD",
        "commission_bps": 1000,
    }
    values.update(fields)
    return Booking.objects.create(**values)


def test_tabs_attention_and_upcoming(tenant_a, tenant_b):
    first = make_booking(tenant_a)  # a quote booking, accepted: a delivery is due
    make_booking(tenant_b, tag="b")
    with tenant_context(tenant_a):
        provider = first.provider
        soon = datetime.now(UTC) + timedelta(days=2)
        inquiry = _copy(first, state="inquiry")
        confirmed = _copy(
            first, workflow="request", state="confirmed", starts_at=soon, ends_at=soon + timedelta(hours=1)
        )
        done = _copy(first, state="completed")

        assert list(provider_work.provider_bookings(provider, "requests")) == [inquiry]
        assert set(provider_work.provider_bookings(provider, "in_progress")) == {first, confirmed}
        assert list(provider_work.provider_bookings(provider, "completed")) == [done]
        assert provider_work.provider_tab_counts(provider) == {
            "requests": 1,
            "quotes": 0,
            "in_progress": 2,
            "completed": 1,
            "cancelled": 0,
        }
        attention = provider_work.provider_attention(provider)
        assert (attention.quotes_to_send, attention.deliveries_due, attention.total) == ([inquiry], [first], 2)
        assert provider_work.provider_upcoming(provider) == [confirmed]
        _copy(first, state="inquiry")
        capped = provider_work.provider_attention(provider, limit=1)
        assert (len(capped.quotes_to_send), capped.counts["quotes_to_send"], capped.total) == (1, 2, 3)
        calendar = provider_work.provider_calendar(provider, soon - timedelta(days=1), soon + timedelta(days=1))
        assert calendar.bookings == [confirmed]


def test_the_preview_leaves_out_time_off_and_time_off_is_removed_only_by_its_provider(tenant_a):
    booking = make_booking(tenant_a)
    with tenant_context(tenant_a):
        user = booking.provider.user
        schedule_set(
            user=user,
            time_zone="UTC",
            weekly=[{"weekday": d, "start": "09:00", "end": "11:00"} for d in range(7)],
            min_notice_minutes=0,
        )
        first = date.today() + timedelta(days=1)
        assert len(provider_work.schedule_preview(booking.provider, first=first, days=3)) == 6

        off = time_off_add(user=user, starts_at=f"{first}T00:00:00+00:00", ends_at=f"{first}T23:59:00+00:00")
        assert len(provider_work.schedule_preview(booking.provider, first=first, days=3)) == 4
        assert list(provider_work.time_off_of(booking.provider)) == [off]

        stranger = make_booking(tenant_a, tag="other").provider.user
        with pytest.raises(NotFound):
            provider_work.time_off_remove(user=stranger, time_off_id=off.public_id)
        provider_work.time_off_remove(user=user, time_off_id=off.public_id)
        assert not TimeOff.objects.exists()


def test_an_overlapping_window_is_named(tenant_a):
    booking = make_booking(tenant_a)
    with tenant_context(tenant_a):
        with pytest.raises(ValidationFailed) as refused:
            schedule_set(
                user=booking.provider.user,
                time_zone="UTC",
                weekly=[
                    {"weekday": 0, "start": "09:00", "end": "17:00"},
                    {"weekday": 0, "start": "10:00", "end": "11:00"},
                    {"weekday": 0, "start": "12:00", "end": "13:00"},
                ],
            )

        assert refused.value.fields["weekly[1]"] == ["Overlaps the window ending at 17:00; merge them."]
        assert refused.value.fields["weekly[2]"] == ["Overlaps the window ending at 17:00; merge them."]
        assert "weekly" in refused.value.fields
