"""Plan features outside bookings and domains: the platform's "powered by" mark and API keys."""

import pytest
from django.test import Client

from accounts.models import ApiKey
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _auth
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_powered_by_mark_shows_unless_the_plan_allows_removing_it(tenant_a, tenant_b, put_on_plan, settings):
    # given alpha on a plan without "remove_branding", beta on Enterprise (which has it)
    put_on_plan(tenant_a)

    alpha = Client(HTTP_HOST="alpha.localhost").get("/").content.decode()
    beta = Client(HTTP_HOST="beta.localhost").get("/").content.decode()

    assert f'class="powered-by" href="http://localhost:8000/">Powered by {settings.PLATFORM_NAME}</a>' in alpha
    assert "Powered by" not in beta and "Beta Agency" in beta


# --- API keys (api_access) ------------------------------------------------------------------------


def _key(api, email, name="CRM sync"):
    return api.post("/api/v1/api-keys/", {"name": name}, format="json", **_auth(api, email))


def test_api_keys_need_a_plan_with_api_access(api_a, tenant_a, put_on_plan):
    put_on_plan(tenant_a)

    refused = _key(api_a, "admin@alpha.test")

    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "API keys for integrations are not part of this marketplace's plan. Upgrade to Growth to use them."
    )
    with tenant_context(tenant_a):
        assert not ApiKey.objects.exists()


def test_an_api_key_acts_as_its_admin_until_revoked_and_outlives_signing_out(api_b, tenant_b):
    # given beta (Enterprise) makes a key
    made = _key(api_b, "admin@beta.test")
    key = made.json()["key"]
    as_key = {"HTTP_AUTHORIZATION": f"Token {key}"}

    # then it works, is listed without its secret, and survives "sign out everywhere"
    assert made.status_code == 201
    assert api_b.get("/api/v1/me/", **as_key).json()["email"] == "admin@beta.test"
    listed = api_b.get("/api/v1/api-keys/", **as_key).json()
    assert [(k["name"], k["prefix"], k["user"]) for k in listed] == [("CRM sync", key[:8], "admin@beta.test")]
    assert "key" not in listed[0]
    api_b.post("/api/v1/auth/logout-all/", **_auth(api_b, "admin@beta.test"))
    assert api_b.get("/api/v1/me/", **as_key).status_code == 200

    # when it is revoked it stops working
    revoked = api_b.post(f"/api/v1/api-keys/{made.json()['id']}/revoke/", **_auth(api_b, "admin@beta.test"))
    assert revoked.json()["revoked_at"]
    assert api_b.get("/api/v1/me/", **as_key).status_code == 401


def test_a_key_stops_working_when_the_plan_loses_api_access(api_b, tenant_b, put_on_plan):
    key = _key(api_b, "admin@beta.test").json()["key"]

    put_on_plan(tenant_b)
    with_key = api_b.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    signed_in = api_b.get("/api/v1/me/", **_auth(api_b, "admin@beta.test"))

    assert with_key.status_code == 403
    assert "API keys need a plan with API access" in with_key.json()["error"]["message"]
    assert signed_in.status_code == 200  # people's own sign-in is not affected


def test_only_admins_make_keys_and_a_key_belongs_to_its_marketplace(api_a, api_b, tenant_a, tenant_b):
    with tenant_context(tenant_b):
        UserFactory(email="member@example.org")
    key = _key(api_b, "admin@beta.test").json()["key"]

    by_member = _key(api_b, "member@example.org")
    elsewhere = api_a.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    blank = _key(api_b, "admin@beta.test", name="  ")

    assert by_member.status_code == 403
    assert elsewhere.status_code == 401
    assert blank.status_code == 400 and "name" in blank.json()["error"]["fields"]
    with tenant_context(tenant_b):
        assert ApiKey.objects.count() == 1
