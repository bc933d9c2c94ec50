"""The audit log: admins browse and filter it; nobody else reads it; no entry can be changed or
removed, in the product or in the database; each marketplace has its own."""

import pytest
from django.db import IntegrityError, transaction

from marketplace.audit.models import AuditEvent
from marketplace.audit.services import audit_record
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-77"


def _token(api, email):
    return api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]


@pytest.fixture
def logged(tenant_a):
    with tenant_context(tenant_a):
        staff = UserFactory(email="mod@example.org", is_moderator=True)
        client = UserFactory(email="someone@example.org")
        audit_record(actor=staff, action="dispute.decided", target=client, after={"refund": 100}, reason="Fair.")
        audit_record(actor=staff, action="dispute.opened", target=client)
        audit_record(actor=None, action="user.approved", target=client, before={"status": "pending"})
    return client


def test_admins_browse_and_filter(api_a, logged):
    auth = {"HTTP_AUTHORIZATION": f"Token {_token(api_a, 'admin@alpha.test')}"}

    everything = api_a.get("/api/v1/audit/", **auth).json()["results"]
    disputes = api_a.get("/api/v1/audit/?action=dispute", **auth).json()["results"]
    decided = api_a.get("/api/v1/audit/?action=dispute.decided&actor=MOD@example.org", **auth).json()["results"]
    bad_day = api_a.get("/api/v1/audit/?from=yesterday", **auth)

    assert [e["action"] for e in everything][:3] == ["user.approved", "dispute.opened", "dispute.decided"]
    assert {e["action"] for e in disputes} == {"dispute.opened", "dispute.decided"}
    assert [(e["actor"], e["after"], e["reason"]) for e in decided] == [("mod@example.org", {"refund": 100}, "Fair.")]
    assert bad_day.status_code == 400 and "from" in bad_day.json()["error"]["fields"]


def test_nobody_else_reads_it(api_a, logged):
    for email in ("mod@example.org", "someone@example.org"):
        refused = api_a.get("/api/v1/audit/", HTTP_AUTHORIZATION=f"Token {_token(api_a, email)}")
        assert refused.status_code == 403


def test_entries_cannot_be_changed_or_removed(tenant_a, logged):
    with tenant_context(tenant_a):
        entry = AuditEvent.objects.get(action="dispute.decided")
        for change in (
            lambda: AuditEvent.objects.filter(pk=entry.pk).update(reason="Edited."),
            lambda: AuditEvent.objects.filter(pk=entry.pk).delete(),
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                change()
        # deleting the actor's account keeps the entry, without the actor
        UserFactory._meta.model.objects.filter(email="mod@example.org").delete()
        entry.refresh_from_db()

    assert (entry.reason, entry.actor_id, entry.after) == ("Fair.", None, {"refund": 100})


def test_each_marketplace_has_its_own(api_b, tenant_b, logged):
    auth = {"HTTP_AUTHORIZATION": f"Token {_token(api_b, 'admin@beta.test')}"}

    seen = api_b.get("/api/v1/audit/?action=dispute", **auth).json()["results"]

    assert seen == []
