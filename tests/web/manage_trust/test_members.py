"""Members and roles at /manage/members/: search and filters, people waiting for approval, suspend and
reactivate, roles (admins only; staff seats limited by the plan), invitations sent, revoked and sent
again; audited; the other marketplace sees nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Invitation, User
from marketplace.audit.models import AuditEvent
from tenants.context import tenant_context
from tests.billing.conftest import put_on_plan  # noqa: F401 - a fixture
from tests.factories import UserFactory
from tests.web.manage_trust.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tenant_a):
    with tenant_context(tenant_a):
        waiting = UserFactory(email="wanda@example.org", full_name="Wanda Waiting", status="pending_approval")
        active = UserFactory(email="carl@example.org", full_name="Carl Client")
        tutor = UserFactory(email="tara@example.org", full_name="Tara Tutor", is_provider=True)
        return waiting, active, tutor


def _status(tenant, email) -> str:
    with tenant_context(tenant):
        return User.objects.get(email=email).status


def test_members_are_searched_and_filtered_with_those_waiting_on_top(admin, people):
    everyone = admin.get("/manage/members/")
    providers = admin.get("/manage/members/?role=provider")
    found = admin.get("/manage/members/?q=carl")
    waiting = admin.get("/manage/members/?status=pending_approval")

    body = everyone.content.decode()
    assert everyone.status_code == 200
    assert "1 person waiting for approval" in body and body.index("Wanda Waiting") < body.index("Carl Client")
    assert "Tara Tutor" in providers.content.decode() and "Carl Client" not in providers.content.decode()
    assert "Carl Client" in found.content.decode() and "Tara Tutor" not in found.content.decode()
    assert "Wanda Waiting" in waiting.content.decode() and "Carl Client" not in waiting.content.decode()


def test_a_waiting_member_is_approved_from_the_list(admin, tenant_a, people):
    waiting, _active, _tutor = people

    response = admin.post(f"/manage/members/{waiting.public_id}/status/", {"status-status": "active", "next": "list"})

    assert response.status_code == 302 and response["Location"] == "/manage/members/"
    assert _status(tenant_a, "wanda@example.org") == "active"
    with tenant_context(tenant_a):
        event = AuditEvent.objects.get(action="user.status_changed", target_id=waiting.public_id)
        assert (event.before, event.after) == ({"status": "pending_approval"}, {"status": "active"})


def test_a_member_is_suspended_and_reactivated(moderator, tenant_a, people):
    _waiting, active, _tutor = people

    suspended = moderator.post(
        f"/manage/members/{active.public_id}/status/", {"status-status": "suspended", "status-reason": "Spam messages."}
    )
    after_suspension = _status(tenant_a, "carl@example.org")
    reactivated = moderator.post(f"/manage/members/{active.public_id}/status/", {"status-status": "active"})

    assert suspended.status_code == 302 and after_suspension == "suspended"
    assert reactivated.status_code == 302 and _status(tenant_a, "carl@example.org") == "active"
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="user.status_changed", target_id=active.public_id).count() == 2


def test_a_refused_status_change_is_shown_and_changes_nothing(admin, tenant_a, people):
    _waiting, active, _tutor = people
    me = person(tenant_a, "admin@alpha.test")

    wrong = admin.post(f"/manage/members/{active.public_id}/status/", {"status-status": "rejected"})
    own = admin.post(f"/manage/members/{me.public_id}/status/", {"status-status": "suspended"})

    assert wrong.status_code == 409 and "can become: suspended" in wrong.content.decode()
    assert own.status_code == 409 and "your own account" in own.content.decode()
    assert _status(tenant_a, "carl@example.org") == "active"


def test_an_admin_changes_roles_with_an_audit_row(admin, tenant_a, people):
    _waiting, active, _tutor = people

    response = admin.post(f"/manage/members/{active.public_id}/roles/", {"roles-roles": ["client", "moderator"]})

    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert User.objects.get(pk=active.pk).roles == ["moderator", "client"]
        event = AuditEvent.objects.get(action="user.roles_changed", target_id=active.public_id)
        assert event.after == {"roles": ["moderator", "client"]}


def test_no_roles_is_a_400_next_to_the_field(admin, tenant_a, people):
    _waiting, active, _tutor = people

    response = admin.post(f"/manage/members/{active.public_id}/roles/", {})

    assert response.status_code == 400 and 'id="id_roles-roles_errors"' in response.content.decode()
    with tenant_context(tenant_a):
        assert User.objects.get(pk=active.pk).roles == ["client"]


def test_a_moderator_sees_members_but_cannot_change_roles(moderator, tenant_a, people):
    _waiting, active, _tutor = people

    page = moderator.get(f"/manage/members/{active.public_id}/")
    response = moderator.post(f"/manage/members/{active.public_id}/roles/", {"roles-roles": ["admin"]})
    invitations = moderator.get("/manage/members/invitations/")

    assert page.status_code == 200 and "Only marketplace admins can change roles." in page.content.decode()
    assert 'action="/manage/members/' + active.public_id + '/roles/"' not in page.content.decode()
    assert response.status_code == 403 and invitations.status_code == 403
    with tenant_context(tenant_a):
        assert not User.objects.get(pk=active.pk).is_marketplace_admin


def test_the_plans_staff_seats_limit_is_shown_as_an_upgrade(admin, tenant_a, people, put_on_plan):  # noqa: F811
    # given a plan with one staff seat, held by the admin
    put_on_plan(tenant_a, limits={"staff_seats": 1})
    _waiting, active, _tutor = people

    # when the admin makes someone a moderator, and invites another admin
    refused = admin.post(f"/manage/members/{active.public_id}/roles/", {"roles-roles": ["moderator", "client"]})
    invited = admin.post("/manage/members/invitations/", {"email": "new-admin@example.org", "roles": ["admin"]})

    # then
    assert refused.status_code == 402
    body = refused.content.decode()
    assert "Your plan has no staff seat left." in body and "allows 1 staff seats" in body
    assert 'href="/manage/billing/"' in body
    assert invited.status_code == 402 and "Your plan has no staff seat left." in invited.content.decode()
    with tenant_context(tenant_a):
        assert not User.objects.get(pk=active.pk).is_moderator
        assert not Invitation.objects.exists()


def test_an_invitation_is_sent_listed_resent_and_revoked(admin, tenant_a, run_on_commit, mailoutbox):
    # when an invitation is sent
    with run_on_commit():
        sent = admin.post("/manage/members/invitations/", {"email": "Nina@Example.org", "roles": ["provider"]})
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get()
        first_link = invitation.token_hash

    # then it is listed and emailed
    assert sent.status_code == 302
    assert invitation.email == "nina@example.org" and invitation.roles == ["provider"]
    assert [m.to for m in mailoutbox] == [["nina@example.org"]]
    listed = admin.get("/manage/members/invitations/").content.decode()
    assert "nina@example.org" in listed and "Pending" in listed

    # when it is sent again, then revoked
    with run_on_commit():
        resent = admin.post(f"/manage/members/invitations/{invitation.public_id}/resend/")
    revoked = admin.post(f"/manage/members/invitations/{invitation.public_id}/revoke/")

    assert resent.status_code == 302 and len(mailoutbox) == 2
    assert revoked.status_code == 302
    with tenant_context(tenant_a):
        invitation.refresh_from_db()
        assert invitation.token_hash != first_link and invitation.revoked_at is not None
        actions = set(AuditEvent.objects.filter(target_id=invitation.public_id).values_list("action", flat=True))
        assert actions == {"invitation.created", "invitation.resent", "invitation.revoked"}
    assert "Revoked" in admin.get("/manage/members/invitations/").content.decode()


def test_a_bad_invitation_names_the_field_and_sends_nothing(admin, tenant_a, people, run_on_commit, mailoutbox):
    with run_on_commit():
        bad_email = admin.post("/manage/members/invitations/", {"email": "not-an-email", "roles": ["client"]})
        member = admin.post("/manage/members/invitations/", {"email": "carl@example.org", "roles": ["client"]})

    assert bad_email.status_code == 400 and 'id="id_email_errors"' in bad_email.content.decode()
    assert member.status_code == 400 and "Already a member." in member.content.decode()
    assert mailoutbox == []
    with tenant_context(tenant_a):
        assert not Invitation.objects.exists()


def test_an_expired_invitation_can_be_sent_again(admin, tenant_a, run_on_commit, mailoutbox):
    with run_on_commit():
        admin.post("/manage/members/invitations/", {"email": "late@example.org", "roles": ["client"]})
    with tenant_context(tenant_a):
        Invitation.objects.update(expires_at=timezone.now(), revoked_at=timezone.now())  # closed by the expiry job
        invitation = Invitation.objects.get()

    listed = admin.get("/manage/members/invitations/").content.decode()
    with run_on_commit():
        resent = admin.post(f"/manage/members/invitations/{invitation.public_id}/resend/")

    assert "Expired" in listed
    assert resent.status_code == 302 and len(mailoutbox) == 2
    with tenant_context(tenant_a):
        assert Invitation.objects.get().is_open


def test_the_other_marketplace_sees_nothing(tenant_a, tenant_b, web, people):
    _waiting, active, _tutor = people
    beta_admin = web(tenant_b, person(tenant_b, "admin@beta.test"))

    assert beta_admin.get(f"/manage/members/{active.public_id}/").status_code == 404
    assert (
        beta_admin.post(f"/manage/members/{active.public_id}/status/", {"status-status": "suspended"}).status_code
        == 404
    )
    assert beta_admin.post(f"/manage/members/{active.public_id}/roles/", {"roles-roles": ["admin"]}).status_code == 404
    assert "Carl Client" not in beta_admin.get("/manage/members/").content.decode()
    assert _status(tenant_a, "carl@example.org") == "active"
