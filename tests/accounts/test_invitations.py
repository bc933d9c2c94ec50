from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Invitation
from accounts.tasks import expire_invitations
from marketplace.audit.models import AuditEvent
from tenants.context import tenant_context
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _admin(api):
    token = api.post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": PASSWORD}, format="json")
    return {"HTTP_AUTHORIZATION": f"Token {token.json()['token']}"}


def test_revoked_invitation_can_no_longer_be_used(api_a, tenant_a):
    admin = _admin(api_a)
    invited = api_a.post(
        "/api/v1/invitations/", {"email": "guest@example.org", "roles": ["client"]}, format="json", **admin
    ).json()

    revoked = api_a.post(f"/api/v1/invitations/{invited['id']}/revoke/", **admin)
    again = api_a.post(f"/api/v1/invitations/{invited['id']}/revoke/", **admin)

    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert again.status_code == 200 and again.json() == revoked.json()  # revoking twice changes nothing
    with tenant_context(tenant_a):
        assert not Invitation.objects.get().is_open
        assert AuditEvent.objects.filter(action="invitation.revoked").count() == 1


def test_expiry_job_closes_only_invitations_past_their_date(api_a, tenant_a):
    admin = _admin(api_a)
    for email in ("old@example.org", "new@example.org"):
        api_a.post("/api/v1/invitations/", {"email": email, "roles": ["client"]}, format="json", **admin)
    with tenant_context(tenant_a):
        Invitation.objects.filter(email="old@example.org").update(expires_at=timezone.now() - timedelta(days=1))

        expired = expire_invitations.apply(kwargs={"_schema": "alpha"}).get()

        assert expired == 1
        assert Invitation.objects.get(email="old@example.org").revoked_at is not None
        assert Invitation.objects.get(email="new@example.org").is_open
