import pytest

from accounts.models import User
from accounts.permissions import POLICY, can
from marketplace.audit.models import AuditEvent
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _token(api, email):
    return (
        "Token "
        + api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]
    )


@pytest.fixture
def people(tenant_a):
    with tenant_context(tenant_a):
        return {
            "client": UserFactory(email="client@example.org"),
            "moderator": UserFactory(email="mod@example.org", is_moderator=True),
            "provider": UserFactory(email="prov@example.org", is_provider=True, is_client=False),
        }


def test_policy_table_by_role(people, tenant_a):
    with tenant_context(tenant_a):
        admin = User.objects.get(email="admin@alpha.test")
    allowed = {
        name: {action for action in POLICY if can(user, action)} for name, user in {**people, "admin": admin}.items()
    }

    assert allowed["client"] == set()
    assert allowed["provider"] == set()
    assert allowed["moderator"] == {
        "users.view",
        "users.approve",
        "providers.review",
        "listings.moderate",
        "bookings.intervene",
        "reviews.moderate",
        "disputes.mediate",
        "reports.view",
    }
    assert {"marketplace.configure", "users.manage_roles", "users.invite", "audit.view"} <= allowed["admin"]
    assert not any(action.startswith("platform.") for action in allowed["admin"])


def test_client_cannot_list_members_and_is_told_why(api_a, people):
    response = api_a.get("/api/v1/users/", HTTP_AUTHORIZATION=_token(api_a, "client@example.org"))

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only the marketplace's admins and staff can list its members."


def test_member_list_is_paginated(api_a, people):
    response = api_a.get("/api/v1/users/?page_size=2", HTTP_AUTHORIZATION=_token(api_a, "mod@example.org"))

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]


def test_moderator_can_approve_but_not_change_roles(api_a, people, tenant_a):
    target = people["client"]

    response = api_a.put(
        f"/api/v1/users/{target.public_id}/roles/",
        {"roles": ["admin"]},
        format="json",
        HTTP_AUTHORIZATION=_token(api_a, "mod@example.org"),
    )

    assert response.status_code == 403
    with tenant_context(tenant_a):
        assert User.objects.get(pk=target.pk).is_marketplace_admin is False


def test_admin_changes_roles_with_an_audit_row(api_a, people, tenant_a):
    target = people["client"]

    response = api_a.put(
        f"/api/v1/users/{target.public_id}/roles/",
        {"roles": ["client", "provider"]},
        format="json",
        HTTP_AUTHORIZATION=_token(api_a, "admin@alpha.test"),
    )

    assert response.status_code == 200 and response.json()["roles"] == ["provider", "client"]
    with tenant_context(tenant_a):
        event = AuditEvent.objects.get(action="user.roles_changed")
        assert event.before == {"roles": ["client"]} and event.after == {"roles": ["provider", "client"]}


def test_the_last_admin_cannot_drop_their_own_admin_role(api_a, tenant_a):
    with tenant_context(tenant_a):
        admin = User.objects.get(email="admin@alpha.test")

    response = api_a.put(
        f"/api/v1/users/{admin.public_id}/roles/",
        {"roles": ["client"]},
        format="json",
        HTTP_AUTHORIZATION=_token(api_a, "admin@alpha.test"),
    )

    assert response.status_code == 409 and response.json()["error"]["code"] == "last_admin"
    with tenant_context(tenant_a):
        assert User.objects.get(pk=admin.pk).is_marketplace_admin is True


def test_invalid_status_change_lists_what_is_allowed(api_a, people):
    response = api_a.post(
        f"/api/v1/users/{people['client'].public_id}/status/",
        {"status": "active"},
        format="json",
        HTTP_AUTHORIZATION=_token(api_a, "admin@alpha.test"),
    )

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "An account that is active can become: suspended."
