"""A moderator keeps a flagged review as it is: its open flags close with the reason, audited; the
review does not change."""

from __future__ import annotations

import pytest

from accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.common.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.reviews.models import Review
from marketplace.reviews.selectors import flagged_reviews
from marketplace.reviews.services import review_flags_dismiss, review_report, review_submit
from tenants.context import tenant_context
from tests.reviews.conftest import CLIENT, MODERATOR, OTHER, PROVIDER

pytestmark = pytest.mark.django_db


def test_flags_are_dismissed_with_a_reason_and_the_review_stays(tenant_a, market):
    with tenant_context(tenant_a):
        review = review_submit(author=User.objects.get(email=CLIENT), booking_id=market.booking, overall=2, text="Meh.")
        review_submit(author=User.objects.get(email=PROVIDER), booking_id=market.booking, overall=5)
        review_report(actor=User.objects.get(email=OTHER), review_id=review.public_id, reason="Unfair.")
        moderator = User.objects.get(email=MODERATOR)
        with pytest.raises(ValidationFailed):
            review_flags_dismiss(actor=moderator, review_id=review.public_id, reason=" ")
        with pytest.raises(PermissionDenied):
            review_flags_dismiss(actor=User.objects.get(email=OTHER), review_id=review.public_id, reason="Fine.")
        queued = list(flagged_reviews())
        review_flags_dismiss(actor=moderator, review_id=review.public_id, reason="A fair opinion.")
        with pytest.raises(Conflict):
            review_flags_dismiss(actor=moderator, review_id=review.public_id, reason="Again.")
        stored = Review.objects.get(pk=review.pk)
        event = AuditEvent.objects.select_related("actor").get(action="review.flags_dismissed")
        left = list(flagged_reviews())

    assert [r.pk for r in queued] == [review.pk] and left == []
    assert (stored.status, stored.moderation_reason) == ("visible", "")
    assert (event.actor.email, event.reason, event.after) == (MODERATOR, "A fair opinion.", {"flags": 1})
