"""Reports by members, the flagged list, and hiding or restoring a review with a reason the author
sees — each step in the audit log, ratings recounted."""

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.catalogue.models import Listing
from marketplace.reviews.models import Review, ReviewFlag
from tenants.context import tenant_context
from tests.reviews.conftest import CLIENT, MODERATOR, OTHER, PROVIDER, auth

pytestmark = pytest.mark.django_db

ADMIN = "admin@alpha.test"


@pytest.fixture
def published(api_a, market):
    """The client's review of the tutor, revealed (both sides reviewed)."""
    review = api_a.post(
        f"/api/v1/bookings/{market.booking}/review/",
        {"overall": 1, "text": "Terrible, call 555-0100 for a better tutor"},
        format="json",
        **auth(api_a, CLIENT),
    ).json()
    api_a.post(f"/api/v1/bookings/{market.booking}/review/", {"overall": 5}, format="json", **auth(api_a, PROVIDER))
    return review["id"]


def _report(api, review, email, reason="Advertises a phone number."):
    return api.post(f"/api/v1/reviews/{review}/report/", {"reason": reason}, format="json", **auth(api, email))


def _moderate(api, review, email, action, reason="Contains contact details."):
    return api.post(
        f"/api/v1/reviews/{review}/moderation/", {"action": action, "reason": reason}, format="json", **auth(api, email)
    )


def test_a_reported_review_is_hidden_with_a_reason_and_restored(api_a, market, published):
    # given a member and the provider report it
    first = _report(api_a, published, OTHER)
    _report(api_a, published, PROVIDER, reason="Not true.")
    queue = api_a.get("/api/v1/reviews/flagged/", **auth(api_a, ADMIN)).json()

    # when the admin hides it
    hidden = _moderate(api_a, published, ADMIN, "hide")

    # then it is gone from the public pages and ratings, its author sees why, and the log says who and why
    assert first.status_code == 201 and first.json()["kind"] == "reported"
    assert [r["id"] for r in queue["results"]] == [published]
    assert [(f["kind"], f["reason"]) for f in queue["results"][0]["flags"]] == [
        ("reported", "Advertises a phone number."),
        ("reported", "Not true."),
    ]
    assert hidden.status_code == 200, hidden.content
    assert hidden.json()["status"] == "hidden"
    assert api_a.get(f"/api/v1/listings/{market.listing}/reviews/").json()["count"] == 0
    mine = api_a.get(f"/api/v1/reviews/{published}/", **auth(api_a, CLIENT)).json()
    assert (mine["status"], mine["moderation_reason"]) == ("hidden", "Contains contact details.")
    assert api_a.get(f"/api/v1/reviews/{published}/", **auth(api_a, PROVIDER)).status_code == 404
    assert api_a.get("/api/v1/reviews/flagged/", **auth(api_a, ADMIN)).json()["count"] == 0
    resolved = api_a.get("/api/v1/reviews/flagged/?resolved=true", **auth(api_a, MODERATOR)).json()
    assert [r["id"] for r in resolved["results"]] == [published]
    with tenant_context(market.tenant):
        listing = Listing.objects.get(public_id=market.listing)
        assert (listing.review_count, listing.rating_average, listing.rating_score) == (0, None, None)
        assert not ReviewFlag.objects.filter(resolved_at__isnull=True).exists()
        hide = AuditEvent.objects.get(action="review.hidden")
        assert (hide.actor.email, hide.reason, hide.before, hide.after) == (
            ADMIN,
            "Contains contact details.",
            {"status": "visible"},
            {"status": "hidden"},
        )
        assert AuditEvent.objects.filter(action="review.reported", target_id=published).count() == 2

    # when a moderator restores it
    restored = _moderate(api_a, published, MODERATOR, "restore", reason="The number was the tutor's own office.")

    # then it is public and counted again
    assert restored.status_code == 200 and restored.json()["status"] == "visible"
    assert api_a.get(f"/api/v1/listings/{market.listing}/reviews/").json()["summary"]["review_count"] == 1
    with tenant_context(market.tenant):
        assert AuditEvent.objects.get(action="review.restored").actor.email == MODERATOR


def test_bad_reports_and_moderation_change_nothing(api_a, market, published):
    _report(api_a, published, OTHER)

    twice = _report(api_a, published, OTHER)
    own = _report(api_a, published, CLIENT)
    no_reason = _report(api_a, published, PROVIDER, reason=" ")
    anonymous = api_a.post(f"/api/v1/reviews/{published}/report/", {"reason": "Spam"}, format="json")
    by_provider = _moderate(api_a, published, PROVIDER, "hide")
    unexplained = _moderate(api_a, published, ADMIN, "hide", reason="")
    unknown = _moderate(api_a, published, ADMIN, "delete")
    not_hidden = _moderate(api_a, published, ADMIN, "restore")

    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_reported"
    assert own.status_code == 403
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert anonymous.status_code == 401
    assert by_provider.status_code == 403
    assert unexplained.status_code == 400 and "reason" in unexplained.json()["error"]["fields"]
    assert unknown.status_code == 400 and "action" in unknown.json()["error"]["fields"]
    assert not_hidden.status_code == 409
    with tenant_context(market.tenant):
        assert Review.objects.get(public_id=published).status == "visible"
        assert ReviewFlag.objects.count() == 1
        assert not AuditEvent.objects.filter(action__in=["review.hidden", "review.restored"]).exists()


def test_only_moderators_list_flagged_reviews(api_a, market, published):
    _report(api_a, published, OTHER)

    assert api_a.get("/api/v1/reviews/flagged/", **auth(api_a, PROVIDER)).status_code == 403
    assert api_a.get("/api/v1/reviews/flagged/").status_code == 401
    assert api_a.get("/api/v1/reviews/flagged/", **auth(api_a, MODERATOR)).json()["count"] == 1
