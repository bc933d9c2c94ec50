"""notify(): one in-app notification per person and event, e-mail as each person chose, the
marketplace's switches and wording, and nothing crossing to the other marketplace."""

from __future__ import annotations

import pytest
from django.core import mail

from marketplace.notifications.models import (
    EmailDelivery,
    MarketplaceNotificationSetting,
    Notification,
    NotificationPreference,
)
from marketplace.notifications.services import notify
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"listing": "Calculus", "provider": "Tess", "client": "Cleo", "booking": "bkg_1"}


def _notify(user, kind="booking.confirmed", event_id="booking:bkg_1:confirmed"):
    return notify(user, kind, event_id=event_id, context=CONTEXT, url="/api/v1/bookings/bkg_1/")


def test_notify_creates_one_notification_and_one_email_per_event(tenant_a, run_on_commit):
    with tenant_context(tenant_a):
        user = UserFactory(email="cleo@example.org")
        # when: the same event is notified three times
        with run_on_commit():
            first = _notify(user)
            again = _notify(user)
        with run_on_commit():
            third = _notify(user)

        # then: one notification, one e-mail
        assert first.pk == again.pk == third.pk
        assert Notification.objects.filter(user=user).count() == 1
        assert EmailDelivery.objects.filter(notification=first).count() == 1
        assert first.title == "Booking confirmed: Calculus"
        assert first.body == "Your booking of Calculus with Tess is confirmed."
        assert first.public_id.startswith("ntf_")
    assert [m.to for m in mail.outbox] == [["cleo@example.org"]]


def test_no_email_before_commit(tenant_a):
    with tenant_context(tenant_a):
        _notify(UserFactory())
    assert mail.outbox == []  # the transaction never committed: the task was never queued


def test_email_off_or_digest_keeps_it_in_the_app_only(tenant_a, run_on_commit):
    with tenant_context(tenant_a):
        off, digest = UserFactory(), UserFactory()
        NotificationPreference.objects.create(user=off, kind="booking.confirmed", email=False)
        NotificationPreference.objects.create(user=digest, kind="booking.confirmed", email=True, digest=True)
        with run_on_commit():
            _notify(off)
            _notify(digest)

        assert Notification.objects.filter(user__in=[off, digest]).count() == 2
        assert EmailDelivery.objects.count() == 0
    assert mail.outbox == []


def test_default_off_kinds_are_not_emailed(tenant_a, run_on_commit):
    with tenant_context(tenant_a):
        user = UserFactory()
        with run_on_commit():
            notify(user, "review.received", event_id="review:rv_1", context={"listing": "L", "reviewer": "R"})
        assert Notification.objects.filter(user=user, kind="review.received").exists()
    assert mail.outbox == []


def test_a_kind_the_marketplace_switched_off_notifies_nobody(tenant_a, run_on_commit):
    with tenant_context(tenant_a):
        MarketplaceNotificationSetting.objects.create(kind="booking.confirmed", enabled=False)
        user = UserFactory()
        with run_on_commit():
            result = _notify(user)
        assert result is None
        assert not Notification.objects.filter(user=user).exists()
    assert mail.outbox == []


def test_the_marketplaces_wording_is_used_and_a_broken_one_falls_back(tenant_a):
    with tenant_context(tenant_a):
        MarketplaceNotificationSetting.objects.create(
            kind="booking.confirmed", subject_template="All set: {listing}", body_template="See you, {client}!"
        )
        MarketplaceNotificationSetting.objects.create(kind="booking.cancelled", subject_template="Off: {nope}")
        user = UserFactory()
        worded = _notify(user)
        broken = _notify(user, kind="booking.cancelled", event_id="booking:bkg_1:cancelled")

        assert (worded.title, worded.body) == ("All set: Calculus", "See you, Cleo!")
        assert broken.title == "Booking cancelled: Calculus"


def test_wording_placeholders_cannot_reach_into_objects():
    from marketplace.notifications.kinds import render_wording

    with pytest.raises(KeyError):
        render_wording("{listing.__class__}", {"listing": "x"})
    with pytest.raises(KeyError):
        render_wording("{listing!r}", {"listing": "x"})
    assert render_wording("{{literal}} {listing}", {"listing": "x"}) == "{literal} x"


def test_a_notification_at_one_marketplace_is_never_seen_at_the_other(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        _notify(UserFactory(email="same@example.org"))
    with tenant_context(tenant_b):
        user_b = UserFactory(email="same@example.org")
        assert Notification.objects.count() == 0
        assert not Notification.objects.filter(user=user_b).exists()
    with tenant_context(tenant_a):
        assert Notification.objects.count() == 1


def test_long_event_ids_that_differ_only_at_the_end_are_two_events(tenant_a):
    with tenant_context(tenant_a):
        user = UserFactory(email="long@example.org")
        first = _notify(user, event_id="x" * 250 + "1")
        second = _notify(user, event_id="x" * 250 + "2")
        again = _notify(user, event_id="x" * 250 + "1")

        assert first.pk != second.pk and again.pk == first.pk
        assert len(first.event_id) <= 200
