"""Account settings: name, email (confirmed again), password, the calendar feed, receipts and
blocked people — each change through its service, bad input next to its field."""

from __future__ import annotations

import pytest

from accounts.models import User
from marketplace.bookings.models import CalendarFeed
from marketplace.messaging.models import Block
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory
from tests.web.activity.conftest import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="person@example.org", full_name="Pat Person")


def _fresh(tenant, person) -> User:
    with tenant_context(tenant):
        return User.objects.get(pk=person.pk)


def test_the_settings_page_shows_every_section(web, tenant_a, person):
    page = web(tenant_a, person).get("/accounts/me/")

    html = page.content.decode()
    assert page.status_code == 200
    for text in (
        "Your name",
        "Change your email",
        "Change your password",
        "Calendar feed",
        "Receipts",
        "Blocked people",
    ):
        assert text in html
    assert "/calendar/" in html and "follows" not in html.lower() or "browser" in html


def test_name_is_saved(web, tenant_a, person):
    saved = web(tenant_a, person).post("/accounts/me/", {"form": "profile", "profile-full_name": "Pat P. Person"})

    assert saved.status_code == 302 and _fresh(tenant_a, person).full_name == "Pat P. Person"


def test_email_change_needs_the_password_and_asks_for_confirmation(web, tenant_a, person, run_on_commit):
    browser = web(tenant_a, person)

    wrong = browser.post("/accounts/me/", {"form": "email", "email-email": "new@example.org", "email-password": "nope"})
    taken = browser.post(
        "/accounts/me/", {"form": "email", "email-email": "admin@alpha.test", "email-password": PASSWORD}
    )
    with run_on_commit():
        changed = browser.post(
            "/accounts/me/", {"form": "email", "email-email": "new@example.org", "email-password": PASSWORD}
        )

    assert wrong.status_code == 400 and "The password is not right." in wrong.content.decode()
    assert taken.status_code == 400 and "Another account here uses that address." in taken.content.decode()
    assert changed.status_code == 302
    fresh = _fresh(tenant_a, person)
    assert (fresh.email, fresh.email_verified) == ("new@example.org", False)


def test_password_change_keeps_this_browser_signed_in(web, tenant_a, person):
    browser = web(tenant_a, person)

    weak = browser.post(
        "/accounts/me/", {"form": "password", "password-current_password": PASSWORD, "password-new_password": "123"}
    )
    assert weak.status_code == 400 and "This password is too short" in weak.content.decode()
    assert _fresh(tenant_a, person).check_password(PASSWORD)

    changed = browser.post(
        "/accounts/me/",
        {"form": "password", "password-current_password": PASSWORD, "password-new_password": "A-much-better-one-2026"},
    )

    assert changed.status_code == 302 and _fresh(tenant_a, person).check_password("A-much-better-one-2026")
    assert browser.get("/accounts/me/").status_code == 200  # still signed in


def test_the_calendar_feed_address_is_replaced(web, tenant_a, person):
    browser = web(tenant_a, person)
    browser.get("/accounts/me/")
    with tenant_context(tenant_a):
        before = CalendarFeed.objects.get(user=person).token

    browser.post("/accounts/me/", {"form": "calendar"})

    with tenant_context(tenant_a):
        assert CalendarFeed.objects.get(user=person).token != before


def test_blocked_people_are_listed_and_unblocked(web, tenant_a, person):
    with tenant_context(tenant_a):
        pest = UserFactory(email="pest@example.org", full_name="Pete Pest")
        Block.objects.create(blocker=person, blocked=pest)
    browser = web(tenant_a, person)

    page = browser.get("/accounts/me/").content.decode()
    browser.post("/accounts/me/", {"form": "unblock", "user": pest.public_id})

    assert "Pete Pest" in page
    with tenant_context(tenant_a):
        assert not Block.objects.filter(blocker=person).exists()


def test_receipts_are_listed_with_their_pdf(web, tenant_a, paid_booking):
    page = web(tenant_a, user(tenant_a, "client@example.org")).get("/accounts/me/").content.decode()

    assert "/api/v1/me/receipts/rcp_" in page and "R-0" in page
