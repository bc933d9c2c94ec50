"""The notifications API: the list with its unread count, marking read, preferences (essential kinds
stay on), the marketplace's settings (admins; a wording that does not render is refused), and the
unsubscribe page's bad links. Nothing crosses to the other marketplace."""

from __future__ import annotations

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.notifications.models import MarketplaceNotificationSetting, Notification, NotificationPreference
from marketplace.notifications.services import notify, unsubscribe_token
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _auth
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "admin@alpha.test"


@pytest.fixture
def cleo(tenant_a):
    with tenant_context(tenant_a):
        user = UserFactory(email="cleo@example.org")
        for n in range(3):
            notify(
                user,
                "message.received",
                event_id=f"message:{n}",
                context={"sender": f"Sender {n}"},
                url=f"/messages/{n}/",
            )
    return user


def test_the_list_is_newest_first_with_the_unread_count_and_marking_read(api_a, api_b, cleo, tenant_b):
    auth = _auth(api_a, "cleo@example.org")

    listed = api_a.get("/api/v1/notifications/", **auth).json()
    first = listed["results"][0]["id"]
    read = api_a.post(f"/api/v1/notifications/{first}/read/", **auth)
    after_one = api_a.get("/api/v1/notifications/", **auth).json()
    read_all = api_a.post("/api/v1/notifications/read-all/", **auth)
    after_all = api_a.get("/api/v1/notifications/", **auth).json()

    assert [n["title"] for n in listed["results"]] == [f"New message from Sender {n}" for n in (2, 1, 0)]
    assert (listed["count"], listed["unread_count"]) == (3, 3)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert after_one["unread_count"] == 2
    assert read_all.json() == {"marked": 2}
    assert after_all["unread_count"] == 0
    # the same address at beta sees nothing of alpha's notifications, and cannot mark them
    with tenant_context(tenant_b):
        UserFactory(email="cleo@example.org")
    beta = _auth(api_b, "cleo@example.org")
    assert api_b.get("/api/v1/notifications/", **beta).json()["count"] == 0
    assert api_b.post(f"/api/v1/notifications/{first}/read/", **beta).status_code == 404


def test_someone_elses_notification_cannot_be_marked(api_a, cleo, tenant_a):
    with tenant_context(tenant_a):
        UserFactory(email="eve@example.org")
        target = Notification.objects.filter(user=cleo).first()

    response = api_a.post(f"/api/v1/notifications/{target.public_id}/read/", **_auth(api_a, "eve@example.org"))

    assert response.status_code == 404
    with tenant_context(tenant_a):
        target.refresh_from_db()
        assert target.read_at is None


def test_preferences_show_every_kind_and_change_all_or_nothing(api_a, cleo, tenant_a):
    auth = _auth(api_a, "cleo@example.org")

    shown = api_a.get("/api/v1/notifications/preferences/", **auth).json()["preferences"]
    changed = api_a.put(
        "/api/v1/notifications/preferences/",
        {"preferences": [{"kind": "message.received", "email": True, "digest": True}]},
        format="json",
        **auth,
    )
    essential = api_a.put(
        "/api/v1/notifications/preferences/",
        {"preferences": [{"kind": "booking.cancelled", "email": False}, {"kind": "payment.received", "email": False}]},
        format="json",
        **auth,
    )
    unknown = api_a.put(
        "/api/v1/notifications/preferences/", {"preferences": [{"kind": "nope", "email": False}]}, format="json", **auth
    )

    kinds = {p["kind"]: p for p in shown}
    assert "digest" not in kinds and len(kinds) == 19  # every kind but the digest itself
    assert (kinds["review.received"]["email"], kinds["booking.confirmed"]["email"]) == (False, True)
    assert kinds["payment.received"]["essential"] is True
    assert changed.status_code == 200
    assert {p["kind"]: p["digest"] for p in changed.json()["preferences"]}["message.received"] is True
    assert essential.status_code == 400
    assert essential.json()["error"]["code"] == "essential_kind"
    assert "payment.received" in essential.json()["error"]["fields"]
    assert unknown.status_code == 400 and "nope" in unknown.json()["error"]["fields"]
    with tenant_context(tenant_a):
        # the refused request changed nothing, booking.cancelled included
        assert list(NotificationPreference.objects.values_list("kind", "email", "digest")) == [
            ("message.received", True, True)
        ]


def test_admins_switch_kinds_and_reword_them(api_a, tenant_a, cleo):
    admin = _auth(api_a, ADMIN)

    updated = api_a.put(
        "/api/v1/marketplace/notification-settings/",
        {
            "settings": [
                {"kind": "message.received", "enabled": False},
                {"kind": "booking.confirmed", "subject": "All set: {listing}", "body": "See you, {client}."},
            ]
        },
        format="json",
        **admin,
    )
    bad = api_a.put(
        "/api/v1/marketplace/notification-settings/",
        {"settings": [{"kind": "booking.cancelled", "subject": "Off: {listng}"}]},
        format="json",
        **admin,
    )
    essential = api_a.put(
        "/api/v1/marketplace/notification-settings/",
        {"settings": [{"kind": "payout.sent", "enabled": False}]},
        format="json",
        **admin,
    )
    member = api_a.get("/api/v1/marketplace/notification-settings/", **_auth(api_a, "cleo@example.org"))

    assert updated.status_code == 200, updated.content
    rows = {s["kind"]: s for s in updated.json()["settings"]}
    assert rows["message.received"]["enabled"] is False
    assert rows["booking.confirmed"]["subject"] == "All set: {listing}"
    assert bad.status_code == 400
    assert "{listng}" in bad.json()["error"]["fields"]["booking.cancelled"][0]
    assert essential.status_code == 400
    assert member.status_code == 403
    with tenant_context(tenant_a):
        assert not MarketplaceNotificationSetting.objects.filter(kind__in=["booking.cancelled", "payout.sent"]).exists()
        assert AuditEvent.objects.filter(action="notifications.setting_changed").count() == 2
        # switched off: nothing new is notified
        assert notify(cleo, "message.received", event_id="message:9", context={"sender": "S"}) is None


def test_a_bad_or_foreign_unsubscribe_link_is_refused(api_a, api_b, tenant_a, tenant_b, cleo):
    with tenant_context(tenant_b):
        foreign = unsubscribe_token(user=UserFactory(email="cleo@example.org"), kind="message.received")
    with tenant_context(tenant_a):
        good = unsubscribe_token(user=cleo, kind="message.received")
        essential = unsubscribe_token(user=cleo, kind="payment.received")

    tampered = api_a.post(f"/notifications/unsubscribe/{good[:-2]}xx/")
    from_beta = api_a.post(f"/notifications/unsubscribe/{foreign}/")
    not_allowed = api_a.post(f"/notifications/unsubscribe/{essential}/")

    assert tampered.status_code == from_beta.status_code == not_allowed.status_code == 400
    assert b"This link does not work" in tampered.content
    with tenant_context(tenant_a):
        assert not NotificationPreference.objects.exists()
