"""Notification e-mails through a real SMTP server: headers, the marketplace's name, links, escaping,
one-click unsubscribe; the server down (queued, retried, then delivered); a template that does not
render (failed at once, not retried); never sent twice."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from marketplace.notifications.models import DeliveryStatus, EmailDelivery, NotificationPreference
from marketplace.notifications.services import notify
from marketplace.notifications.tasks import MAX_RETRIES, send_email
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.notifications.conftest import html_of, links_in, text_of

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & Calculus'


def _confirmed(user, listing=HOSTILE, event="booking:bkg_1:confirmed"):
    return notify(
        user,
        "booking.confirmed",
        event_id=event,
        context={"listing": listing, "provider": "Tess", "client": "Cleo", "booking": "bkg_1"},
        url="/api/v1/bookings/bkg_1/",
    )


def _delivery(tenant, notification) -> EmailDelivery:
    with tenant_context(tenant):
        return EmailDelivery.objects.get(notification=notification)


def test_a_notification_is_emailed_after_commit_with_branding_links_and_unsubscribe(
    smtp, tenant_a, api_a, run_on_commit
):
    # given: a client at alpha, whose marketplace is named "Alpha Tutors"
    with tenant_context(tenant_a):
        from marketplace.configuration.selectors import marketplace_settings

        market = marketplace_settings()
        market.display_name, market.locale = "Alpha Tutors", "de"
        market.save()
        user = UserFactory(email="cleo@example.org")
        # when: a booking is confirmed (nothing is sent before the transaction commits)
        with run_on_commit():
            notification = _confirmed(user)
            assert smtp.messages == []

    # then: one e-mail, to her, from and about the marketplace
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "cleo@example.org"
    assert "Alpha Tutors" in message["From"]
    assert message["Subject"].startswith("[Alpha Tutors] Booking confirmed:")
    text, html = text_of(message), html_of(message)
    assert "Alpha Tutors" in html and "Alpha Tutors" in text
    assert '<html lang="de">' in html  # rendered in the marketplace's language
    # the hostile listing title is escaped in HTML, never markup
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert HOSTILE in text  # plain text is plain
    # a link to the booking on alpha's host
    assert any(
        urlsplit(link).hostname.startswith("alpha.") and urlsplit(link).path == "/api/v1/bookings/bkg_1/"
        for link in links_in(text)
    )
    assert 'href="http://alpha.' in html
    # one-click unsubscribe (RFC 8058)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert urlsplit(unsubscribe).hostname.startswith("alpha")
    assert unsubscribe in text and unsubscribe in html
    assert _delivery(tenant_a, notification).status == DeliveryStatus.SENT

    # when: the mail client posts to the unsubscribe link without signing in
    path = urlsplit(unsubscribe).path
    page = api_a.get(path)
    with tenant_context(tenant_a):
        assert not NotificationPreference.objects.filter(user=user).exists()  # looking changes nothing
    posted = api_a.post(path, {"List-Unsubscribe": "One-Click"})

    # then: e-mail for this kind only is off
    assert page.status_code == 200 and b"Unsubscribe?" in page.content
    assert posted.status_code == 200 and b"You are unsubscribed" in posted.content
    with tenant_context(tenant_a):
        assert list(NotificationPreference.objects.filter(user=user).values_list("kind", "email")) == [
            ("booking.confirmed", False)
        ]


def test_essential_emails_have_no_unsubscribe(smtp, tenant_a, run_on_commit):
    with tenant_context(tenant_a):
        user = UserFactory(email="payer@example.org")
        NotificationPreference.objects.create(user=user, kind="payment.received", email=False)
        with run_on_commit():
            notify(
                user,
                "payment.received",
                event_id="payment:pay_1",
                context={"amount": "60.00 USD", "listing": "Calculus"},
            )

    assert len(smtp.messages) == 1  # essential: sent although she had switched it off
    message = smtp.messages[0]
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "nsubscribe" not in text_of(message) and "nsubscribe" not in html_of(message)


def test_the_server_down_keeps_the_email_queued_then_it_is_delivered(smtp_down, tenant_a):
    # given: a queued e-mail (the task has not run yet)
    with tenant_context(tenant_a):
        notification = _confirmed(UserFactory(email="later@example.org"), listing="Calculus")
        delivery = EmailDelivery.objects.get(notification=notification)

    # when: the task runs while the mail server is down
    with pytest.raises(OSError):
        send_email(delivery_id=delivery.pk, _schema="alpha")

    # then: the attempt is recorded, the e-mail is still queued (Celery retries it with backoff)
    down = _delivery(tenant_a, notification)
    assert (down.status, down.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "refused" in down.last_error.lower() or "errno" in down.last_error.lower()

    # when: the server is back and the retry runs
    smtp_down.start()
    send_email(delivery_id=delivery.pk, _schema="alpha")
    # and: a duplicated task runs again
    send_email(delivery_id=delivery.pk, _schema="alpha")

    # then: delivered exactly once
    up = _delivery(tenant_a, notification)
    assert (up.status, up.attempts, up.last_error) == (DeliveryStatus.SENT, 2, "")
    assert up.sent_at is not None
    assert [m["To"] for m in smtp_down.inbox.messages] == ["later@example.org"]


@pytest.fixture
def eager_retries():
    """Eager Celery re-runs a retry at once (no countdown) when failures are not propagated."""
    conf = send_email.app.conf
    saved = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = saved


def test_retries_run_out_and_the_delivery_fails(smtp_down, tenant_a, eager_retries):
    with tenant_context(tenant_a):
        notification = _confirmed(UserFactory(email="never@example.org"), listing="Calculus")
        delivery = EmailDelivery.objects.get(notification=notification)

    # when: every attempt finds the server down
    result = send_email.apply(kwargs={"delivery_id": delivery.pk, "_schema": "alpha"})

    failed = _delivery(tenant_a, notification)
    assert result.result == DeliveryStatus.FAILED
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, MAX_RETRIES + 1)


def test_a_template_that_does_not_render_fails_at_once_and_is_not_retried(smtp, tenant_a, settings, tmp_path):
    # given: a poisoned template for booking.confirmed, found before the real one
    poison = tmp_path / "notifications" / "email"
    poison.mkdir(parents=True)
    (poison / "booking.confirmed.html").write_text("{% if %}broken{% endif %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with tenant_context(tenant_a):
        notification = _confirmed(UserFactory(email="poison@example.org"), listing="Calculus")
        delivery = EmailDelivery.objects.get(notification=notification)

    result = send_email.apply(kwargs={"delivery_id": delivery.pk, "_schema": "alpha"})

    failed = _delivery(tenant_a, notification)
    assert result.result == DeliveryStatus.FAILED
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 1)  # one attempt: no retry
    assert "TemplateSyntaxError" in failed.last_error
    assert smtp.messages == []


def test_the_email_is_sent_in_its_own_marketplace(smtp, tenant_a, tenant_b, run_on_commit):
    with tenant_context(tenant_b):
        user = UserFactory(email="bea@example.org")
        with run_on_commit():
            _confirmed(user, listing="Brand identity")

    message = smtp.messages[0]
    assert "Beta Agency" in message["From"]
    assert all("alpha" not in link for link in links_in(text_of(message)))
    assert any(urlsplit(link).hostname.startswith("beta") for link in links_in(text_of(message)))
