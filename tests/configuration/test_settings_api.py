import pytest

from marketplace.audit.models import AuditEvent
from marketplace.configuration.selectors import marketplace_settings
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _admin(api, slug="alpha"):
    token = api.post("/api/v1/auth/login/", {"email": f"admin@{slug}.test", "password": PASSWORD}, format="json")
    return {"HTTP_AUTHORIZATION": f"Token {token.json()['token']}"}


def test_new_marketplace_starts_with_default_settings(api_a):
    response = api_a.get("/api/v1/marketplace/settings/", **_admin(api_a))

    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Alpha University"
    assert (body["currency"], body["default_commission_bps"], body["review_window_days"]) == ("USD", 1000, 14)
    assert body["allowed_workflows"] == ["instant", "request", "quote", "milestone"]


def test_admin_changes_settings_with_an_audit_row(api_a, tenant_a):
    response = api_a.patch(
        "/api/v1/marketplace/settings/",
        {"currency": "EUR", "default_commission_bps": 1250, "time_zone": "Europe/Berlin", "max_price": 50000},
        format="json",
        **_admin(api_a),
    )

    assert response.status_code == 200, response.content
    assert response.json()["currency"] == "EUR"
    with tenant_context(tenant_a):
        event = AuditEvent.objects.get(action="settings.changed")
        assert event.actor.email == "admin@alpha.test"
        assert event.before == {
            "currency": "USD",
            "default_commission_bps": 1000,
            "time_zone": "UTC",
            "max_price": None,
        }
        assert event.after["currency"] == "EUR" and event.after["max_price"] == 50000


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"currency": "XXX"}, "currency"),
        ({"currency": "usd"}, "currency"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"default_commission_bps": 10001}, "default_commission_bps"),
        ({"default_commission_bps": 12.5}, "default_commission_bps"),
        ({"min_price": 5000, "max_price": 100}, "max_price"),
        ({"min_price": -1}, "min_price"),
        ({"allowed_workflows": ["teleport"]}, "allowed_workflows"),
        ({"allowed_workflows": []}, "allowed_workflows"),
        ({"review_window_days": 0}, "review_window_days"),
        ({"listing_moderation": "yes"}, "listing_moderation"),
        ({"colour": "red"}, "colour"),
        ({"tax_rate_bps": 10001}, "tax_rate_bps"),
        ({"tax_rate_bps": -1}, "tax_rate_bps"),
        ({"tax_rate_bps": "20%"}, "tax_rate_bps"),
        ({"tax_inclusive": "yes"}, "tax_inclusive"),
        ({"tax_label": "  "}, "tax_label"),
        ({"tax_label": "A" * 21}, "tax_label"),
    ],
)
def test_bad_settings_name_the_field_and_change_nothing(api_a, tenant_a, changes, field):
    response = api_a.patch(
        "/api/v1/marketplace/settings/", {**changes, "display_name": "Renamed"}, format="json", **_admin(api_a)
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with tenant_context(tenant_a):
        current = marketplace_settings()
        assert current.display_name == "Alpha University"  # the valid part was not applied either
        assert (current.tax_rate_bps, current.tax_inclusive, current.tax_label) == (0, True, "VAT")
        assert not AuditEvent.objects.filter(action="settings.changed").exists()


def test_admin_sets_the_tax_printed_on_receipts(api_a, tenant_a):
    before = api_a.get("/api/v1/marketplace/settings/", **_admin(api_a)).json()

    response = api_a.patch(
        "/api/v1/marketplace/settings/",
        {"tax_rate_bps": 1950, "tax_inclusive": False, "tax_label": " Sales tax "},
        format="json",
        **_admin(api_a),
    )

    assert (before["tax_rate_bps"], before["tax_inclusive"], before["tax_label"]) == (0, True, "VAT")
    assert response.status_code == 200, response.content
    assert (response.json()["tax_rate_bps"], response.json()["tax_inclusive"]) == (1950, False)
    with tenant_context(tenant_a):
        current = marketplace_settings()
        assert (current.tax_rate_bps, current.tax_inclusive, current.tax_label) == (1950, False, "Sales tax")
        assert AuditEvent.objects.get(action="settings.changed").before == {
            "tax_rate_bps": 0,
            "tax_inclusive": True,
            "tax_label": "VAT",
        }


def test_only_admins_read_or_change_settings(api_a, tenant_a):
    with tenant_context(tenant_a):
        UserFactory(email="client@example.org")
    token = api_a.post("/api/v1/auth/login/", {"email": "client@example.org", "password": PASSWORD}, format="json")
    auth = {"HTTP_AUTHORIZATION": f"Token {token.json()['token']}"}

    assert api_a.get("/api/v1/marketplace/settings/", **auth).status_code == 403
    assert api_a.patch("/api/v1/marketplace/settings/", {"currency": "EUR"}, format="json", **auth).status_code == 403
    with tenant_context(tenant_a):
        assert marketplace_settings().currency == "USD"


def test_settings_are_per_marketplace(api_a, api_b, tenant_b):
    api_a.patch("/api/v1/marketplace/settings/", {"currency": "GBP"}, format="json", **_admin(api_a))

    with tenant_context(tenant_b):
        assert marketplace_settings().currency == "USD"
    assert api_b.get("/api/v1/marketplace/settings/", **_admin(api_b, "beta")).json()["currency"] == "USD"
