import pytest
from django.test import Client

from marketplace.audit.models import AuditEvent
from marketplace.configuration.selectors import marketplace_settings
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "display_name": "Alpha Tutoring",
    "currency": "GBP",
    "time_zone": "Europe/London",
    "locale": "en",
    "default_commission_bps": "1500",
    "min_price": "1000",
    "max_price": "",
    "allowed_workflows": ["instant", "quote"],
    "listing_moderation": "on",
    "provider_verification_required": "on",
    "review_window_days": "14",
    "dispute_window_days": "3",
    "tax_rate_bps": "2000",
    "tax_label": "VAT",
}


def _signed_in(email):
    browser = Client(HTTP_HOST="alpha.localhost")
    assert browser.post("/accounts/login/", {"email": email, "password": PASSWORD}).status_code == 302
    return browser


def test_admin_changes_settings_on_the_settings_screen(tenant_a):
    browser = _signed_in("admin@alpha.test")

    page = browser.get("/manage/settings/")
    saved = browser.post("/manage/settings/", FORM, follow=True)

    assert page.status_code == 200 and b"Marketplace settings" in page.content
    assert b"Settings saved." in saved.content
    with tenant_context(tenant_a):
        current = marketplace_settings()
        assert (current.currency, current.default_commission_bps, current.listing_moderation) == ("GBP", 1500, True)
        assert current.allowed_workflows == ["instant", "quote"]
        # the unticked box: prices are quoted before tax
        assert (current.tax_rate_bps, current.tax_inclusive, current.tax_label) == (2000, False, "VAT")
        assert AuditEvent.objects.filter(action="settings.changed", actor__email="admin@alpha.test").exists()


def test_bad_values_are_shown_and_nothing_changes(tenant_a):
    browser = _signed_in("admin@alpha.test")

    page = browser.post("/manage/settings/", {**FORM, "time_zone": "Mars/Olympus", "max_price": "10"})
    bad_tax = browser.post("/manage/settings/", {**FORM, "tax_rate_bps": "10001", "tax_label": " "})

    assert page.status_code == 400
    assert b"IANA time zone" in page.content and b"must not be below the minimum" in page.content
    assert bad_tax.status_code == 400 and b"Tax rate" in bad_tax.content
    assert b"less than or equal to 10000" in bad_tax.content and b"This field is required" in bad_tax.content
    with tenant_context(tenant_a):
        current = marketplace_settings()
        assert (current.currency, current.tax_rate_bps, current.tax_label) == ("USD", 0, "VAT")


def test_only_admins_see_the_settings_screen(tenant_a):
    with tenant_context(tenant_a):
        UserFactory(email="client@example.org")

    assert _signed_in("client@example.org").get("/manage/settings/").status_code == 403
    assert Client(HTTP_HOST="alpha.localhost").get("/manage/settings/").status_code == 302
