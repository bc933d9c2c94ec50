"""API keys: made (the secret shown once), listed, revoked; a plan without API access gets the
upgrade message and a 403 from the service; admins only; each marketplace its own."""

import pytest
from knox.models import AuthToken

from accounts.models import ApiKey
from billing.models import PlanVersion, Subscription
from tenants.context import tenant_context

pytestmark = pytest.mark.django_db


def test_a_key_is_made_shown_once_and_revoked(tenant_a, web, admin_page):
    # when
    made = admin_page.post("/manage/api-keys/", {"name": "CRM sync"})

    # then: the secret is on that page only
    html = made.content.decode()
    with tenant_context(tenant_a):
        key = ApiKey.objects.get(name="CRM sync")
    assert made.status_code == 200
    secret = html[html.index('id="new-secret" value="') + 23 :].split('"')[0]
    assert secret.startswith(key.prefix) and len(secret) > 20
    assert "shown only this once" in html and 'data-copy="#new-secret"' in html
    again = admin_page.get("/manage/api-keys/").content.decode()
    assert secret not in again and "CRM sync" in again and f"{key.prefix}…" in again
    # the key works
    assert web(tenant_a).get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200

    # when: revoked
    revoked = admin_page.post(f"/manage/api-keys/{key.public_id}/revoke/")

    # then
    assert revoked.status_code == 302
    with tenant_context(tenant_a):
        key.refresh_from_db()
        assert key.revoked_at is not None and not AuthToken.objects.filter(digest=key.token_digest).exists()
    assert "Revoked" in admin_page.get("/manage/api-keys/").content.decode()


def test_a_nameless_key_is_400(tenant_a, admin_page):
    response = admin_page.post("/manage/api-keys/", {"name": "  "})

    assert response.status_code == 400 and "This field is required." in response.content.decode()
    with tenant_context(tenant_a):
        assert not ApiKey.objects.exists()


def test_a_plan_without_api_access_gets_the_upgrade_message(tenant_a, admin_page):
    # given: alpha on Starter, which has no API access
    Subscription.objects.filter(tenant=tenant_a).update(
        plan_version=PlanVersion.objects.get(plan__code="starter", number=1)
    )

    # when
    page = admin_page.get("/manage/api-keys/")
    refused = admin_page.post("/manage/api-keys/", {"name": "Warehouse"})

    # then
    assert "API keys come with a larger plan." in page.content.decode() and 'name="name"' not in page.content.decode()
    assert refused.status_code == 403
    assert "Upgrade to Growth" in refused.content.decode()
    with tenant_context(tenant_a):
        assert not ApiKey.objects.exists()


def test_moderators_get_403_and_another_marketplace_cannot_revoke(
    tenant_a, tenant_b, web, moderator_a, admin_b, admin_page
):
    admin_page.post("/manage/api-keys/", {"name": "CRM sync"})
    with tenant_context(tenant_a):
        key = ApiKey.objects.get(name="CRM sync")

    assert web(tenant_a, moderator_a).get("/manage/api-keys/").status_code == 403
    assert web(tenant_a, moderator_a).post(f"/manage/api-keys/{key.public_id}/revoke/").status_code == 403
    assert web(tenant_b, admin_b).post(f"/manage/api-keys/{key.public_id}/revoke/").status_code == 404
    assert f'data-key="{key.public_id}"' not in web(tenant_b, admin_b).get("/manage/api-keys/").content.decode()
    with tenant_context(tenant_a):
        key.refresh_from_db()
        assert key.revoked_at is None
