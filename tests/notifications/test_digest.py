"""The daily digest: notifications of the kinds someone chose for it, collected into one e-mail once."""

from __future__ import annotations

import pytest
from django.core import mail

from marketplace.notifications.models import EmailDelivery, Notification, NotificationPreference
from marketplace.notifications.services import notify
from marketplace.notifications.tasks import send_digests
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _quote(user, n):
    context = {"listing": f"Logo {n}", "provider": "Studio", "client": "Fay", "booking": f"bkg_{n}"}
    return notify(user, "quote.received", event_id=f"quote:{n}", context=context, url=f"/api/v1/bookings/bkg_{n}/")


def test_digest_collects_the_chosen_kinds_into_one_email_once(tenant_a, tenant_b, run_on_commit):
    with tenant_context(tenant_a):
        fay, other = UserFactory(email="fay@example.org"), UserFactory(email="other@example.org")
        NotificationPreference.objects.create(user=fay, kind="quote.received", email=True, digest=True)
        for n in (1, 2, 3):
            _quote(fay, n)
        read = _quote(fay, 4)
        Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
        _quote(other, 5)  # e-mailed at once (no digest chosen), never part of a digest
        assert EmailDelivery.objects.filter(notification__user=fay).count() == 0

        # when: the beat job runs twice
        with run_on_commit():
            sent = send_digests.apply(kwargs={"_schema": "alpha"}).result
        with run_on_commit():
            again = send_digests.apply(kwargs={"_schema": "alpha"}).result

    # then: one digest to fay with the three unread ones
    assert (sent, again) == (1, 0)
    digests = [m for m in mail.outbox if m.to == ["fay@example.org"]]
    assert len(digests) == 1
    body = digests[0].body
    assert all(f"Logo {n}" in body for n in (1, 2, 3)) and "Logo 4" not in body
    assert "Your daily summary: 3 new" in digests[0].subject
    assert "List-Unsubscribe" in digests[0].extra_headers
    with tenant_context(tenant_a):
        # the digest itself is not listed among her notifications
        from marketplace.notifications.selectors import notifications_of

        assert notifications_of(fay).count() == 4
    with tenant_context(tenant_b):
        assert send_digests.apply(kwargs={"_schema": "beta"}).result == 0


def test_the_digest_runs_daily_for_every_marketplace(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications.send_digests"]

    assert entry["task"] == "tenants.dispatch_periodic"
    assert entry["kwargs"]["job"] == "notifications.send_digests"
    assert entry.get("kwargs", {}).get("per_tenant", True) is True
