"""Review moderation at /manage/reviews/: flagged reviews first with each flag and why (members'
reports, suspicious patterns); hide, restore or keep with a reason the author sees; audited."""

from __future__ import annotations

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.reviews.models import Review, ReviewFlag
from marketplace.reviews.services import review_report, review_submit
from tenants.context import tenant_context
from tests.reviews.conftest import market  # noqa: F401 - a fixture
from tests.web.manage_trust.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(tenant_a, market):  # noqa: F811
    """The client's one-star review of the tutor, revealed, reported by another member; plus the
    tutor's review of the client, never flagged."""
    with tenant_context(tenant_a):
        review = review_submit(
            author=person(tenant_a, "client@example.org"),
            booking_id=market.booking,
            overall=1,
            text="Terrible, call 555-0100 for a better tutor",
        )
        review_submit(author=person(tenant_a, "tutor@example.org"), booking_id=market.booking, overall=5)
        review_report(
            actor=person(tenant_a, "other@example.org"), review_id=review.public_id, reason="Advertises a phone number."
        )
        return review.public_id


def _moderate(client, review, action, reason="", show="flagged"):
    return client.post(
        f"/manage/reviews/{review}/moderate/", {f"{review}-action": action, f"{review}-reason": reason, "show": show}
    )


def test_flagged_reviews_are_listed_with_each_flag_and_why(admin, reported):
    page = admin.get("/manage/reviews/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Terrible, call 555-0100 for a better tutor" in body
    assert "Reported by a member" in body and "Advertises a phone number." in body and "Otto Other" in body
    assert body.count('class="card review"') == 1  # the unflagged review is not in the queue


def test_a_review_is_hidden_with_a_reason_its_author_sees(admin, tenant_a, reported):
    refused = _moderate(admin, reported, "hide", reason="")
    with tenant_context(tenant_a):
        still = Review.objects.get(public_id=reported).status
    hidden = _moderate(admin, reported, "hide", reason="Contains contact details.")

    assert refused.status_code == 400
    assert f'id="id_{reported}-reason_errors"' in refused.content.decode()
    assert still == "visible"
    assert hidden.status_code == 302 and hidden["Location"] == "/manage/reviews/?show=flagged"
    with tenant_context(tenant_a):
        review = Review.objects.get(public_id=reported)
        assert (review.status, review.moderation_reason, review.moderated_by.email) == (
            "hidden",
            "Contains contact details.",
            "admin@alpha.test",
        )
        assert not ReviewFlag.objects.filter(review=review, resolved_at__isnull=True).exists()
        assert AuditEvent.objects.get(action="review.hidden", target_id=reported).reason == "Contains contact details."
    assert "Contains contact details." in admin.get("/manage/reviews/?show=hidden").content.decode()


def test_a_hidden_review_is_restored_with_a_reason(moderator, tenant_a, reported):
    _moderate(moderator, reported, "hide", reason="Contains contact details.")

    restored = _moderate(
        moderator, reported, "restore", reason="The number was the tutor's office line.", show="hidden"
    )

    assert restored.status_code == 302
    with tenant_context(tenant_a):
        review = Review.objects.get(public_id=reported)
        assert (review.status, review.moderation_reason) == ("visible", "The number was the tutor's office line.")
        assert AuditEvent.objects.filter(action="review.restored", target_id=reported).exists()


def test_a_flagged_review_is_kept_and_leaves_the_queue(admin, tenant_a, reported):
    kept = _moderate(admin, reported, "keep", reason="A fair opinion; the number is public.")

    assert kept.status_code == 302
    with tenant_context(tenant_a):
        assert Review.objects.get(public_id=reported).status == "visible"
        assert AuditEvent.objects.get(action="review.flags_dismissed", target_id=reported).after == {"flags": 1}
    assert "No flagged reviews" in admin.get("/manage/reviews/").content.decode()
    assert "Advertises a phone number." in admin.get("/manage/reviews/?show=resolved").content.decode()


def test_restoring_a_visible_review_is_refused_on_the_page(admin, tenant_a, reported):
    response = _moderate(admin, reported, "restore", reason="Just in case.")

    assert response.status_code == 409 and "already visible" in response.content.decode()


def test_the_other_marketplace_sees_nothing(tenant_a, tenant_b, web, reported):
    beta_admin = web(tenant_b, person(tenant_b, "admin@beta.test"))

    assert _moderate(beta_admin, reported, "hide", reason="Spam.").status_code == 404
    assert "Terrible, call" not in beta_admin.get("/manage/reviews/").content.decode()
    with tenant_context(tenant_a):
        assert Review.objects.get(public_id=reported).status == "visible"
