"""Settings and billing live in the admin console's layout; their policies (inquiries, masked contact
details) are editable; only admins open them."""

import pytest

from marketplace.configuration.selectors import marketplace_settings
from tenants.context import tenant_context

pytestmark = pytest.mark.django_db

FORM = {
    "display_name": "Alpha Tutoring",
    "currency": "USD",
    "time_zone": "Europe/London",
    "locale": "en",
    "default_commission_bps": "1500",
    "min_price": "0",
    "max_price": "",
    "allowed_workflows": ["instant", "request"],
    "provider_verification_required": "on",
    "review_window_days": "14",
    "dispute_window_days": "3",
    "tax_rate_bps": "0",
    "tax_label": "VAT",
    "mask_contact_details": "on",
}


def test_settings_and_billing_use_the_admin_layout(admin_page):
    settings = admin_page.get("/manage/settings/").content.decode()
    billing = admin_page.get("/manage/billing/").content.decode()

    for html in (settings, billing):
        assert 'aria-label="Admin sections"' in html and "css/manage.css" in html
        assert html.count("<h1") == 1
    assert '/manage/settings/" aria-current="page"' in settings
    assert '/manage/billing/" aria-current="page"' in billing
    assert 'id="id_allow_inquiries"' in settings and "Booking and marketplace policies" in settings


def test_marketplace_policies_are_saved(tenant_a, admin_page):
    response = admin_page.post("/manage/settings/", FORM)

    assert response.status_code == 302
    with tenant_context(tenant_a):
        current = marketplace_settings()
    assert (current.allow_inquiries, current.mask_contact_details, current.allowed_workflows) == (
        False,
        True,
        ["instant", "request"],
    )


def test_moderators_get_403_on_settings_and_billing_but_see_the_overview(tenant_a, web, moderator_a):
    moderator = web(tenant_a, moderator_a)

    for path in ("/manage/settings/", "/manage/billing/"):
        response = moderator.get(path)
        assert response.status_code == 403 and "open this page" in response.content.decode()
    assert moderator.post("/manage/settings/", FORM).status_code == 403
    overview = moderator.get("/manage/")
    assert overview.status_code == 200
    assert "/manage/categories/" not in overview.content.decode()  # admin-only sections are not in the menu
