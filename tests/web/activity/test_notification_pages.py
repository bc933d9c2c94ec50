"""Notifications: the list (unread first), opening one (read, and its page), marking all read, the
live refresh, e-mail settings per kind, and where stored URLs lead."""

from __future__ import annotations

import pytest

from marketplace.notifications.models import Notification, NotificationPreference
from marketplace.notifications.services import notify
from tenants.context import tenant_context
from tests.factories import UserFactory
from web.client.activity.links import web_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(tenant_a):
    with tenant_context(tenant_a):
        person = UserFactory(email="member@example.org")
        notify(
            person,
            "booking.confirmed",
            event_id="b1",
            context={"listing": "Calculus", "client": "Pat", "provider": "Tess", "booking": "bkg_x"},
            url="/api/v1/bookings/bkg_x/",
        )
        notify(person, "message.received", event_id="m1", context={"sender": "Tess"}, url="/messages/cnv_y/")
        return person


def _unread(tenant, person) -> int:
    with tenant_context(tenant):
        return Notification.objects.filter(user=person, read_at__isnull=True).count()


def test_the_list_shows_unread_ones_marked_and_refreshes_live(web, tenant_a, member):
    page = web(tenant_a, member).get("/notifications/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Booking confirmed: Calculus" in html and "New message from Tess" in html
    assert "2 unread" in html and html.count(">New<") == 2
    assert 'hx-trigger="live:notification.created from:body, live:poll from:body"' in html


def test_opening_one_marks_it_read_and_goes_to_its_page(web, tenant_a, member):
    with tenant_context(tenant_a):
        booking = Notification.objects.get(user=member, kind="booking.confirmed")

    opened = web(tenant_a, member).get(f"/notifications/{booking.public_id}/open/")

    assert opened.status_code == 302 and opened["Location"] == "/bookings/bkg_x/"
    assert _unread(tenant_a, member) == 1


def test_marking_one_and_then_all_read(web, tenant_a, member):
    browser = web(tenant_a, member)
    with tenant_context(tenant_a):
        one = Notification.objects.filter(user=member).first()

    marked = browser.post(f"/notifications/{one.public_id}/read/", HTTP_HX_REQUEST="true")
    assert marked.status_code == 200 and _unread(tenant_a, member) == 1
    everything = browser.post("/notifications/read-all/")

    assert everything.status_code == 302 and _unread(tenant_a, member) == 0


def test_someone_elses_notification_is_a_404(web, tenant_a, tenant_b, member):
    with tenant_context(tenant_a):
        one = Notification.objects.filter(user=member).first()
        other = UserFactory(email="other@example.org")

    assert web(tenant_a, other).post(f"/notifications/{one.public_id}/read/").status_code == 404
    assert web(tenant_a, other).get(f"/notifications/{one.public_id}/open/").status_code == 404
    assert web(tenant_b, None).get("/notifications/").status_code == 302
    assert _unread(tenant_a, member) == 2


def test_preferences_are_saved_and_essential_kinds_stay_on(web, tenant_a, member):
    browser = web(tenant_a, member)
    page = browser.get("/notifications/settings/").content.decode()

    saved = browser.post(
        "/notifications/settings/",
        {"booking.confirmed:email": "on", "booking.confirmed:digest": "on", "message.received:digest": ""},
    )

    assert "Always on" in page and "Payment receipts" in page
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        prefs = {p.kind: (p.email, p.digest) for p in NotificationPreference.objects.filter(user=member)}
    assert prefs["booking.confirmed"] == (True, True)
    assert prefs["message.received"] == (False, False)
    assert "payment.received" not in prefs  # essential: never switched off


@pytest.mark.parametrize(
    ("stored", "page"),
    [
        ("/api/v1/bookings/bkg_1/", "/bookings/bkg_1/"),
        ("/api/v1/disputes/dsp_1/", "/disputes/dsp_1/"),
        ("/api/v1/conversations/cnv_1/", "/messages/cnv_1/"),
        ("/api/v1/me/receipts/rcp_1/", "/api/v1/me/receipts/rcp_1/pdf/"),
        ("/api/v1/providers/me/payouts/", "/provider/earnings/"),
        ("/bookings/bkg_1/", "/bookings/bkg_1/"),
        ("/disputes/dsp_1/#timeline", "/disputes/dsp_1/#timeline"),
        ("/api/v1/something-else/", "/notifications/"),
        ("https://elsewhere.example/", "/notifications/"),
        ("//elsewhere.example/", "/notifications/"),
        ("", "/notifications/"),
    ],
)
def test_stored_urls_lead_to_web_pages_and_never_off_the_marketplace(stored, page):
    assert web_url(stored) == page
