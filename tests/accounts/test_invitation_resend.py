"""Sending an invitation again: a new link (the old one stops working) for another 14 days; not for an
accepted or revoked invitation, nor for someone who has joined since."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_create, invitation_resend, invitation_revoke, invitations_expire
from marketplace.audit.models import AuditEvent
from marketplace.common.errors import Conflict, PermissionDenied
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_expired_invitation_is_sent_again_with_a_new_link(tenant_a, run_on_commit, mailoutbox):
    with tenant_context(tenant_a), run_on_commit():
        admin = User.objects.get(email="admin@alpha.test")
        invitation, first_token = invitation_create(actor=admin, email="nina@example.org", roles=["provider"])
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        invitations_expire()
        resent = invitation_resend(actor=admin, invitation=invitation)
        audited = AuditEvent.objects.filter(action="invitation.resent", target_id=invitation.public_id).count()

    assert resent.is_open and resent.token_hash != Invitation.hash_token(first_token)
    assert resent.expires_at > timezone.now() + timedelta(days=13)
    assert audited == 1 and [m.to for m in mailoutbox] == [["nina@example.org"], ["nina@example.org"]]


def test_revoked_accepted_joined_or_by_a_moderator_is_refused(tenant_a):
    with tenant_context(tenant_a):
        admin = User.objects.get(email="admin@alpha.test")
        moderator = UserFactory(email="mod@example.org", is_moderator=True)
        revoked, _ = invitation_create(actor=admin, email="rev@example.org", roles=["client"])
        invitation_revoke(actor=admin, invitation=revoked)
        joined, _ = invitation_create(actor=admin, email="joined@example.org", roles=["client"])
        UserFactory(email="joined@example.org")
        accepted, _ = invitation_create(actor=admin, email="acc@example.org", roles=["client"])
        Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
        accepted.refresh_from_db()

        for invitation, code in (
            (revoked, "invitation_revoked"),
            (joined, "already_member"),
            (accepted, "invitation_accepted"),
        ):
            with pytest.raises(Conflict) as refused:
                invitation_resend(actor=admin, invitation=invitation)
            assert refused.value.code == code
        with pytest.raises(PermissionDenied):
            invitation_resend(actor=moderator, invitation=joined)
        assert not AuditEvent.objects.filter(action="invitation.resent").exists()
