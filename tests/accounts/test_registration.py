import re

import pytest

from accounts.models import Invitation, User, UserStatus
from marketplace.audit.models import AuditEvent
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _register(api, email, **extra):
    return api.post("/api/v1/auth/register/", {"email": email, "password": PASSWORD, **extra}, format="json")


def _login(api, email, password=PASSWORD):
    return api.post("/api/v1/auth/login/", {"email": email, "password": password}, format="json")


def _set_policy(tenant, policy, domains=()):
    tenant.join_policy = policy
    tenant.allowed_email_domains = list(domains)
    tenant.save(update_fields=["join_policy", "allowed_email_domains"])


def test_same_email_registers_independently_at_two_marketplaces(api_a, api_b, tenant_a, tenant_b):
    # when
    at_a = _register(api_a, "Sam@Example.org", full_name="Sam A", roles=["client", "provider"])
    at_b = api_b.post(
        "/api/v1/auth/register/", {"email": "sam@example.org", "password": "Another-pass-88"}, format="json"
    )

    # then
    assert at_a.status_code == 201 and at_b.status_code == 201
    assert at_a.json()["id"] != at_b.json()["id"]
    assert at_a.json()["roles"] == ["provider", "client"] and at_b.json()["roles"] == ["client"]
    assert _login(api_a, "sam@example.org").status_code == 200
    assert _login(api_b, "sam@example.org").status_code == 400  # A's password means nothing at B
    assert _login(api_b, "sam@example.org", "Another-pass-88").status_code == 200
    with tenant_context(tenant_a):
        assert User.objects.filter(email="sam@example.org").count() == 1
    with tenant_context(tenant_b):
        assert User.objects.get(email="sam@example.org").full_name == ""


def test_duplicate_email_is_refused_case_insensitively(api_a, tenant_a):
    _register(api_a, "dup@example.org")

    again = _register(api_a, "DUP@example.org")

    assert again.status_code == 400
    assert again.json()["error"]["code"] == "email_taken"
    assert "email" in again.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert User.objects.filter(email__iexact="dup@example.org").count() == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"email": "weak@example.org", "password": "123"}, "password"),
        ({"email": "role@example.org", "password": PASSWORD, "roles": ["admin"]}, "roles.0"),
        ({"password": PASSWORD}, "email"),
    ],
)
def test_bad_registration_input_names_the_field_and_creates_nothing(api_a, tenant_a, payload, field):
    with tenant_context(tenant_a):
        before = User.objects.count()

    response = api_a.post("/api/v1/auth/register/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert User.objects.count() == before


def test_approval_policy_waits_for_an_admin(api_a, tenant_a):
    # given
    _set_policy(tenant_a, "approval")
    applicant = _register(api_a, "applicant@example.org").json()
    assert applicant["status"] == "pending_approval"

    # when: the applicant tries to sign in
    refused = _login(api_a, "applicant@example.org")

    # then
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "account_pending_approval"

    # when: the admin approves
    token = _login(api_a, "admin@alpha.test").json()["token"]
    approved = api_a.post(
        f"/api/v1/users/{applicant['id']}/status/",
        {"status": "active"},
        format="json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    # then
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    assert _login(api_a, "applicant@example.org").status_code == 200
    with tenant_context(tenant_a):
        event = AuditEvent.objects.get(action="user.status_changed", target_id=applicant["id"])
        assert (event.before, event.after, event.actor.email) == (
            {"status": "pending_approval"},
            {"status": "active"},
            "admin@alpha.test",
        )


def test_invite_only_needs_an_invitation(api_a, tenant_a, run_on_commit, mailoutbox):
    # given
    _set_policy(tenant_a, "invite_only")

    # when: someone walks in uninvited
    uninvited = _register(api_a, "walkin@example.org")

    # then
    assert uninvited.status_code == 403
    assert uninvited.json()["error"]["code"] == "invitation_required"

    # given: the admin invites a provider
    token = _login(api_a, "admin@alpha.test").json()["token"]
    with run_on_commit():
        invited = api_a.post(
            "/api/v1/invitations/",
            {"email": "Guest@Example.org", "roles": ["provider"]},
            format="json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
    assert invited.status_code == 201
    invitation_token = re.search(r"invitation=([\w-]+)", mailoutbox[-1].body).group(1)
    assert "Alpha University" in mailoutbox[-1].subject

    # when: the wrong person uses it, then the right one
    wrong = _register(api_a, "other@example.org", invitation=invitation_token)
    right = _register(api_a, "guest@example.org", invitation=invitation_token)
    reused = _register(api_a, "guest2@example.org", invitation=invitation_token)

    # then
    assert wrong.status_code == 400 and "invited address" in wrong.json()["error"]["message"]
    assert right.status_code == 201 and right.json()["roles"] == ["provider"] and right.json()["email_verified"]
    assert reused.status_code == 400
    with tenant_context(tenant_a):
        assert Invitation.objects.get(email="guest@example.org").accepted_by.email == "guest@example.org"


def test_email_domain_policy_admits_only_listed_domains_and_needs_confirmation(
    api_a, tenant_a, run_on_commit, mailoutbox
):
    # given
    _set_policy(tenant_a, "email_domain", ["uni.example.edu"])

    # when
    outsider = _register(api_a, "x@gmail.example.com")
    with run_on_commit():
        student = _register(api_a, "ana@students.uni.example.edu")

    # then
    assert outsider.status_code == 403
    assert outsider.json()["error"]["code"] == "email_domain_not_allowed"
    assert "@uni.example.edu" in outsider.json()["error"]["message"]
    assert student.status_code == 201
    unconfirmed = _login(api_a, "ana@students.uni.example.edu")
    assert unconfirmed.status_code == 403 and unconfirmed.json()["error"]["code"] == "email_not_verified"

    # when: the student follows the link from the email
    link = re.search(r"/accounts/verify-email/([^/\s]+)/", mailoutbox[-1].body).group(1)
    assert "http://alpha.localhost:8000/accounts/verify-email/" in mailoutbox[-1].body
    confirmed = api_a.post("/api/v1/auth/verify-email/", {"token": link}, format="json")

    # then
    assert confirmed.status_code == 200 and confirmed.json()["email_verified"] is True
    assert _login(api_a, "ana@students.uni.example.edu").status_code == 200


def test_suspended_member_cannot_sign_in_and_loses_tokens(api_a, tenant_a):
    with tenant_context(tenant_a):
        member = UserFactory(email="member@example.org")
    member_token = _login(api_a, "member@example.org").json()["token"]
    admin_token = _login(api_a, "admin@alpha.test").json()["token"]

    api_a.post(
        f"/api/v1/users/{member.public_id}/status/",
        {"status": "suspended", "reason": "spam"},
        format="json",
        HTTP_AUTHORIZATION=f"Token {admin_token}",
    )

    assert _login(api_a, "member@example.org").json()["error"]["code"] == "account_suspended"
    assert api_a.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {member_token}").status_code == 401
    with tenant_context(tenant_a):
        assert User.objects.get(pk=member.pk).status == UserStatus.SUSPENDED
