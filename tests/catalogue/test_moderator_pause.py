"""Moderators pause a live listing with a reason its provider sees; the provider resumes it once fixed."""

from __future__ import annotations

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.catalogue.listings import listing_transition
from marketplace.catalogue.models import Listing
from marketplace.common.errors import InvalidTransition, ValidationFailed
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.reviews.conftest import make_listing

pytestmark = pytest.mark.django_db


def test_a_moderator_pauses_with_a_reason_and_the_provider_resumes(tenant_a):
    with tenant_context(tenant_a):
        listing = make_listing()
        moderator = UserFactory(email="mod@example.org", is_moderator=True)
        client = UserFactory(email="client@example.org")
        with pytest.raises(ValidationFailed) as no_reason:
            listing_transition(user=moderator, listing=listing, action="pause")
        with pytest.raises(InvalidTransition):
            listing_transition(user=client, listing=listing, action="pause", reason="I do not like it.")
        unchanged = Listing.objects.get(pk=listing.pk).status
        paused = listing_transition(user=moderator, listing=listing, action="pause", reason="Shows a phone number.")
        audited = AuditEvent.objects.select_related("actor").get(action="listing.pause", target_id=listing.public_id)
        resumed = listing_transition(user=listing.provider.user, listing=paused, action="resume")
        own_pause = listing_transition(user=listing.provider.user, listing=resumed, action="pause")

    assert no_reason.value.fields == {"reason": ["Give a reason."]} and unchanged == "active"
    assert (paused.status, paused.status_reason) == ("paused", "Shows a phone number.")
    assert (audited.actor.email, audited.reason) == ("mod@example.org", "Shows a phone number.")
    assert (resumed.status, resumed.status_reason) == ("active", "")
    assert (own_pause.status, own_pause.status_reason) == ("paused", "")  # the provider needs no reason
