"""Notification settings: every kind listed, switched on or off, its wording changed with a preview;
wording that would not render is refused next to its field and nothing is saved."""

import pytest

from marketplace.notifications.models import MarketplaceNotificationSetting
from tenants.context import tenant_context

pytestmark = pytest.mark.django_db


def test_every_kind_is_listed_with_who_gets_it(admin_page):
    page = admin_page.get("/manage/notifications/")

    html = page.content.decode()
    assert page.status_code == 200
    for kind in ("booking.requested", "payment.received", "dispute.decided", "message.received"):
        assert f'data-kind="{kind}"' in html
    assert 'data-kind="digest"' not in html
    receipt = html[html.index('data-kind="payment.received"') :]
    assert "Always" in receipt[: receipt.index("</tr>")] and "Turn off" not in receipt[: receipt.index("</tr>")]


def test_a_kind_is_switched_off_and_on(tenant_a, admin_page):
    off = admin_page.post("/manage/notifications/review.received/switch/", {"enabled": "0"})
    with tenant_context(tenant_a):
        assert MarketplaceNotificationSetting.objects.get(kind="review.received").enabled is False
    assert off.status_code == 302

    admin_page.post("/manage/notifications/review.received/switch/", {"enabled": "1"})
    with tenant_context(tenant_a):
        assert MarketplaceNotificationSetting.objects.get(kind="review.received").enabled is True


def test_an_essential_kind_cannot_be_switched_off(tenant_a, admin_page):
    response = admin_page.post("/manage/notifications/payment.received/switch/", {"enabled": "0"}, follow=True)

    assert "essential and cannot be switched off" in response.content.decode()
    with tenant_context(tenant_a):
        assert not MarketplaceNotificationSetting.objects.filter(kind="payment.received", enabled=False).exists()


def test_the_wording_is_changed_and_previewed(tenant_a, admin_page):
    # given
    page = admin_page.get("/manage/notifications/booking.requested/")

    # when
    preview = admin_page.post(
        "/manage/notifications/booking.requested/preview/", {"subject": "{client} would like {listing}", "body": ""}
    )
    saved = admin_page.post(
        "/manage/notifications/booking.requested/",
        {"enabled": "on", "subject": "{client} would like {listing}", "body": "Answer {client} soon."},
    )

    # then
    assert page.status_code == 200 and "{listing}" in page.content.decode()
    assert "Priya Shah would like Calculus tutoring" in preview.content.decode()
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        setting = MarketplaceNotificationSetting.objects.get(kind="booking.requested")
    assert (setting.subject_template, setting.body_template, setting.enabled) == (
        "{client} would like {listing}",
        "Answer {client} soon.",
        True,
    )


def test_wording_with_an_unknown_placeholder_is_refused_next_to_the_field(tenant_a, admin_page):
    # when
    response = admin_page.post(
        "/manage/notifications/booking.requested/", {"enabled": "on", "subject": "Hello {customer}", "body": ""}
    )
    preview = admin_page.post("/manage/notifications/booking.requested/preview/", {"subject": "Hello {customer}"})

    # then
    html = response.content.decode()
    assert response.status_code == 400
    errors = html[html.index('id="id_subject_errors"') :][:400]
    assert "Unknown placeholder {customer}" in errors and "{listing}" in errors
    assert "unknown placeholder {customer}" in preview.content.decode()
    with tenant_context(tenant_a):
        assert not MarketplaceNotificationSetting.objects.filter(kind="booking.requested").exists()


def test_moderators_get_403_and_an_unknown_kind_is_404(tenant_a, web, moderator_a, admin_page):
    moderator = web(tenant_a, moderator_a)

    assert moderator.get("/manage/notifications/").status_code == 403
    assert moderator.post("/manage/notifications/review.received/switch/", {"enabled": "0"}).status_code == 403
    assert admin_page.get("/manage/notifications/digest/").status_code == 404
    assert admin_page.get("/manage/notifications/nope/").status_code == 404


def test_another_marketplace_keeps_its_own_settings(tenant_a, tenant_b, web, admin_b, admin_page):
    admin_page.post("/manage/notifications/review.received/switch/", {"enabled": "0"})

    page = web(tenant_b, admin_b).get("/manage/notifications/").content.decode()

    row = page[page.index('data-kind="review.received"') :]
    assert "Turn off" in row[: row.index("</tr>")]  # still on at beta
