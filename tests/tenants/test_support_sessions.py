"""One-time sign-in links and support sessions (services): links are signed for one marketplace's
schema, expire, work once; support sessions are for platform staff only, never into a closed
marketplace, need a reason and an active member, and write the marketplace's audit log on start and
end."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.common.errors import Conflict, PermissionDenied, ValidationFailed
from tenants.context import tenant_context
from tenants.models import SignInLink, SignInPurpose, SupportSession, TenantStatus
from tenants.services.signin_links import (
    SignInLinkInvalid,
    operator_signin_link_issue,
    signin_link_issue,
    signin_link_redeem,
)
from tenants.services.support import support_session_end, support_session_enter, support_session_start
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff@platform.test", PASSWORD, is_staff=True)


@pytest.fixture
def member(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="priya@alpha.test", full_name="Priya Raman")


def _audit(tenant, action):
    with tenant_context(tenant):
        return list(AuditEvent.objects.filter(action=action))


# --- sign-in links ---------------------------------------------------------------------------------


def test_a_link_signs_in_once_at_its_own_marketplace(tenant_a, member):
    # given
    _link, token = signin_link_issue(tenant=tenant_a, purpose=SignInPurpose.SUPPORT, account=member)

    # when
    with tenant_context(tenant_a):
        link, account = signin_link_redeem(token=token, purpose=SignInPurpose.SUPPORT, ip="203.0.113.9")
        with pytest.raises(SignInLinkInvalid) as again:
            signin_link_redeem(token=token, purpose=SignInPurpose.SUPPORT)

    # then
    assert account.email == "priya@alpha.test"
    assert link.used_at is not None and link.used_ip == "203.0.113.9"
    assert again.value.code == "signin_link_used"


def test_a_link_is_a_bad_signature_at_another_marketplace(tenant_a, tenant_b, member):
    # given: a link for alpha
    link, token = signin_link_issue(tenant=tenant_a, purpose=SignInPurpose.SUPPORT, account=member)

    # when
    with tenant_context(tenant_b), pytest.raises(SignInLinkInvalid) as refused:
        signin_link_redeem(token=token, purpose=SignInPurpose.SUPPORT)

    # then: refused, and still unused at alpha
    assert refused.value.code == "signin_link_invalid"
    link.refresh_from_db()
    assert link.used_at is None


def test_an_expired_link_is_refused(tenant_a, member):
    # given: one link past its row's expiry, one whose signature is older than allowed
    stale, stale_token = signin_link_issue(tenant=tenant_a, purpose=SignInPurpose.SUPPORT, account=member)
    SignInLink.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _old, old_token = signin_link_issue(tenant=tenant_a, purpose=SignInPurpose.SUPPORT, account=member)

    # when
    with tenant_context(tenant_a):
        with pytest.raises(SignInLinkInvalid) as by_row:
            signin_link_redeem(token=stale_token, purpose=SignInPurpose.SUPPORT)
        with override_settings(SIGNIN_LINK_SECONDS=-1), pytest.raises(SignInLinkInvalid) as by_signature:
            signin_link_redeem(token=old_token, purpose=SignInPurpose.SUPPORT)

    # then
    assert by_row.value.code == by_signature.value.code == "signin_link_expired"
    assert not SignInLink.objects.filter(used_at__isnull=False).exists()


def test_a_link_for_one_purpose_does_not_work_for_another(tenant_a, member):
    _link, token = signin_link_issue(tenant=tenant_a, purpose=SignInPurpose.SUPPORT, account=member)

    with tenant_context(tenant_a), pytest.raises(SignInLinkInvalid):
        signin_link_redeem(token=token, purpose=SignInPurpose.OPERATOR)


def test_only_the_owner_gets_an_admin_link_for_their_marketplace(tenant_a):
    # given: alpha's owner is an operator whose email is alpha's admin
    owner = User.objects.create_user("admin@alpha.test", PASSWORD, is_operator=True)
    tenant_a.owner = owner
    tenant_a.save(update_fields=["owner"])
    stranger = User.objects.create_user("someone@platform.test", PASSWORD, is_operator=True)

    # when
    _link, token = operator_signin_link_issue(actor=owner, tenant=tenant_a)
    with pytest.raises(PermissionDenied):
        operator_signin_link_issue(actor=stranger, tenant=tenant_a)

    # then: the link signs in as alpha's admin
    with tenant_context(tenant_a):
        _used, admin = signin_link_redeem(token=token, purpose=SignInPurpose.OPERATOR)
    assert admin.email == "admin@alpha.test" and admin.is_marketplace_admin
    assert SignInLink.objects.count() == 1


# --- support sessions ------------------------------------------------------------------------------


def test_staff_start_and_end_a_support_session_recorded_on_both_sides(staff, tenant_a, member):
    # when: started on the platform, entered and ended at the marketplace
    session, token = support_session_start(
        actor=staff, tenant=tenant_a, member_id=member.public_id, reason="Ticket 4711: cannot book", ip="198.51.100.7"
    )
    with tenant_context(tenant_a):
        entered, as_member = support_session_enter(token=token, ip="198.51.100.7")
        ended = support_session_end(session_id=session.public_id)
        ended_again = support_session_end(session_id=session.public_id)
    connection.set_schema_to_public()

    # then: the platform's record
    session.refresh_from_db()
    assert (session.staff_email, session.member_email, session.reason, session.ip) == (
        "staff@platform.test",
        "priya@alpha.test",
        "Ticket 4711: cannot book",
        "198.51.100.7",
    )
    assert session.started_at and session.ended_at and session.state == "ended"
    assert entered.pk == ended.pk == ended_again.pk and as_member.pk == member.pk
    # and the marketplace's own audit log: no actor, the staff's email in `after`, once each
    (started,) = _audit(tenant_a, "support.session_started")
    (finished,) = _audit(tenant_a, "support.session_ended")
    assert started.actor_id is None and started.target_id == member.public_id
    assert started.after["staff_email"] == "staff@platform.test" and started.reason == "Ticket 4711: cannot book"
    assert finished.after["support_session"] == session.public_id


def test_a_non_staff_account_cannot_start_a_support_session(tenant_a, member):
    operator = User.objects.create_user("op@platform.test", PASSWORD, is_operator=True)

    with pytest.raises(PermissionDenied):
        support_session_start(actor=operator, tenant=tenant_a, member_id=member.public_id, reason="curious")

    assert not SupportSession.objects.exists() and not SignInLink.objects.exists()


def test_no_support_session_into_a_closed_marketplace(staff, tenant_a, member):
    tenant_a.status = TenantStatus.CLOSED
    tenant_a.save(update_fields=["status"])

    with pytest.raises(Conflict) as refused:
        support_session_start(actor=staff, tenant=tenant_a, member_id=member.public_id, reason="Ticket 1")

    assert refused.value.code == "tenant_closed"
    assert not SupportSession.objects.exists() and not SignInLink.objects.exists()


def test_a_support_session_needs_a_reason_and_a_member_of_that_marketplace(staff, tenant_a, tenant_b, member):
    # when: no reason; then a member of alpha asked for at beta
    with pytest.raises(ValidationFailed) as no_reason:
        support_session_start(actor=staff, tenant=tenant_a, member_id=member.public_id, reason="  ")
    with pytest.raises(ValidationFailed) as elsewhere:
        support_session_start(actor=staff, tenant=tenant_b, member_id=member.public_id, reason="Ticket 2")

    # then
    assert "reason" in no_reason.value.fields
    assert "member" in elsewhere.value.fields
    assert not SupportSession.objects.exists() and not SignInLink.objects.exists()


def test_a_support_link_used_at_another_marketplace_starts_nothing(staff, tenant_a, tenant_b, member):
    session, token = support_session_start(actor=staff, tenant=tenant_a, member_id=member.public_id, reason="T3")

    with tenant_context(tenant_b), pytest.raises(SignInLinkInvalid):
        support_session_enter(token=token)

    session.refresh_from_db()
    assert session.started_at is None
    assert _audit(tenant_a, "support.session_started") == [] == _audit(tenant_b, "support.session_started")
