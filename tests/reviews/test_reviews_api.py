"""Reviews through the API: one per side of a completed booking, blind until both are in or the
window closes, criteria per category, edits, the provider's response, and refusals that change
nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Category, Listing
from marketplace.providers.models import ProviderProfile
from marketplace.reviews.models import Review
from marketplace.reviews.services import reviews_reveal_due
from marketplace.reviews.tasks import reveal_due
from tenants.context import tenant_context
from tenants.tasks import dispatch_periodic
from tests.factories import UserFactory
from tests.reviews.conftest import CLIENT, OTHER, PROVIDER, auth, completed_booking

pytestmark = pytest.mark.django_db

CRITERIA = [
    {"key": "expertise", "label": "Expertise"},
    {"key": "communication", "label": "Communication"},
]


def _review(api, booking, email, **body):
    return api.post(f"/api/v1/bookings/{booking}/review/", body, format="json", **auth(api, email))


def _criteria(api, tenant, slug, criteria):
    with tenant_context(tenant):
        category = Category.objects.get(slug=slug).public_id
    response = api.put(
        f"/api/v1/categories/{category}/review-criteria/",
        {"criteria": criteria},
        format="json",
        **auth(api, f"admin@{tenant.schema_name}.test"),
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_reviews_stay_blind_until_both_sides_are_in(api_a, market):
    # given the client reviewed the provider
    first = _review(api_a, market.booking, CLIENT, overall=5, text="Clear and patient.")
    assert first.status_code == 201, first.content
    mine = first.json()

    # when the provider looks before writing theirs
    provider_view = api_a.get(f"/api/v1/bookings/{market.booking}/review/", **auth(api_a, PROVIDER)).json()
    public = api_a.get(f"/api/v1/listings/{market.listing}/reviews/").json()
    hidden_detail = api_a.get(f"/api/v1/reviews/{mine['id']}/", **auth(api_a, PROVIDER))

    # then they see nothing of it, and neither does anyone else
    assert mine["revealed_at"] is None and mine["editable_until"] is not None
    assert provider_view["reviews"] == [] and provider_view["can_review"] is True
    assert public["count"] == 0 and public["summary"]["review_count"] == 0
    assert hidden_detail.status_code == 404

    # when the provider reviews the client too
    second = _review(api_a, market.booking, PROVIDER, overall=4, text="On time, well prepared.")

    # then both are revealed to each other; the client's review is public and counted
    assert second.status_code == 201, second.content
    client_view = api_a.get(f"/api/v1/bookings/{market.booking}/review/", **auth(api_a, CLIENT)).json()
    assert {r["direction"] for r in client_view["reviews"]} == {"client_to_provider", "provider_to_client"}
    assert all(r["revealed_at"] for r in client_view["reviews"]) and client_view["can_review"] is False
    public = api_a.get(f"/api/v1/listings/{market.listing}/reviews/").json()
    assert [r["text"] for r in public["results"]] == ["Clear and patient."]
    assert "status" not in public["results"][0]  # moderation details are for the author and moderators
    assert public["summary"] == {"review_count": 1, "rating_average": 5.0, "rating_criteria": {}, "rating_score": 5.0}
    by_provider = api_a.get(f"/api/v1/providers/{market.provider}/reviews/").json()
    assert by_provider["count"] == 1 and by_provider["summary"]["review_count"] == 1


def test_a_lone_review_is_revealed_by_the_job_once_the_window_closes(api_a, market):
    # given only the client reviewed
    created = _review(api_a, market.booking, CLIENT, overall=4).json()
    with tenant_context(market.tenant):
        review = Review.objects.get(public_id=created["id"])
        # the window is 14 days from completion (the marketplace default)
        assert abs(review.window_closes_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
        assert reviews_reveal_due() == 0

        # when the window has closed and the beat job runs for every marketplace
        Review.objects.filter(pk=review.pk).update(window_closes_at=timezone.now() - timedelta(seconds=1))
    dispatch_periodic.apply(kwargs={"job": reveal_due.name, "jitter": 0}).get()

    # then the review is public and counted; running again reveals nothing more
    with tenant_context(market.tenant):
        review.refresh_from_db()
        assert review.revealed_at is not None
        assert reviews_reveal_due() == 0
        assert Listing.objects.get(public_id=market.listing).review_count == 1
    assert api_a.get(f"/api/v1/listings/{market.listing}/reviews/").json()["count"] == 1
    # and the provider can no longer answer with stars of their own
    late = _review(api_a, market.booking, PROVIDER, overall=1)
    assert late.status_code == 409 and late.json()["error"]["code"] == "review_window_closed"


def test_the_window_counts_from_the_completion_in_the_timeline(api_a, market):
    # given a booking completed 15 days ago (the window is 14)
    with tenant_context(market.tenant):
        listing = Listing.objects.get(public_id=market.listing)
        old = completed_booking(
            listing, UserFactory(email="old@example.org"), completed_at=timezone.now() - timedelta(days=15)
        )

    # when its client tries to review it
    response = _review(api_a, old.public_id, "old@example.org", overall=5)

    # then it is too late, and nothing is written
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "review_window_closed"
    with tenant_context(market.tenant):
        assert Review.objects.count() == 0


def test_criteria_are_inherited_from_the_nearest_ancestor_and_required(api_a, tenant_a, market):
    # given the admins set criteria on Mathematics (Calculus sets none)
    _criteria(api_a, tenant_a, "mathematics", CRITERIA)
    with tenant_context(tenant_a):
        calculus = Category.objects.get(slug="calculus").public_id
    shown = api_a.get(f"/api/v1/categories/{calculus}/review-criteria/").json()
    form = api_a.get(f"/api/v1/bookings/{market.booking}/review/", **auth(api_a, CLIENT)).json()

    # when the client leaves one out, rates one out of range and adds an unknown one
    bad = _review(api_a, market.booking, CLIENT, overall=5, ratings={"expertise": 6, "speed": 3})
    good = _review(api_a, market.booking, CLIENT, overall=4, ratings={"expertise": 5, "communication": 3})

    # then each problem is named, and the complete review is accepted
    assert shown["criteria"] is None and shown["effective_criteria"] == CRITERIA and shown["inherited_from"]
    assert form["criteria"] == CRITERIA
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"ratings.expertise", "ratings.communication", "ratings.speed"}
    assert good.status_code == 201, good.content
    assert good.json()["ratings"] == {"expertise": 5, "communication": 3}
    # providers rate clients overall only
    provider = _review(api_a, market.booking, PROVIDER, overall=5, ratings={"expertise": 5})
    assert provider.status_code == 400 and "ratings" in provider.json()["error"]["fields"]


def test_per_criterion_averages_are_kept_on_the_listing_and_provider(api_a, tenant_a, market):
    _criteria(api_a, tenant_a, "calculus", CRITERIA)
    with tenant_context(tenant_a):
        listing = Listing.objects.get(public_id=market.listing)
        second = completed_booking(listing, UserFactory(email="second@example.org"))
    _review(api_a, market.booking, CLIENT, overall=5, ratings={"expertise": 5, "communication": 4})
    _review(api_a, second.public_id, "second@example.org", overall=4, ratings={"expertise": 4, "communication": 3})
    _review(api_a, market.booking, PROVIDER, overall=5)
    _review(api_a, second.public_id, PROVIDER, overall=5)

    summary = api_a.get(f"/api/v1/providers/{market.provider}/reviews/").json()["summary"]
    profile = api_a.get(f"/api/v1/providers/{market.provider}/").json()

    assert summary["review_count"] == 2 and summary["rating_average"] == 4.5
    assert summary["rating_criteria"] == {"communication": 3.5, "expertise": 4.5}
    assert (profile["review_count"], profile["rating_average"], profile["level"]) == (2, 4.5, "new")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"overall": "5"}, "overall"),
        ({"overall": True}, "overall"),
        ({}, "overall"),
        ({"overall": 5, "ratings": {"speed": 4}}, "ratings.speed"),
        ({"overall": 5, "ratings": [5]}, "ratings"),
        ({"overall": 5, "text": "x" * 5001}, "text"),
    ],
)
def test_bad_reviews_are_refused_with_field_errors_and_nothing_changes(api_a, market, body, field):
    response = _review(api_a, market.booking, CLIENT, **body)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    with tenant_context(market.tenant):
        assert Review.objects.count() == 0


def test_bookings_not_completed_not_yours_or_reviewed_twice_are_refused(api_a, market):
    # given a booking still confirmed, and the client's review already in
    with tenant_context(market.tenant):
        listing = Listing.objects.get(public_id=market.listing)
        confirmed = completed_booking(listing, UserFactory(email="c2@example.org"))
        Booking.objects.filter(pk=confirmed.pk).update(state="confirmed")
    first = _review(api_a, market.booking, CLIENT, overall=5, text="Great")

    # when
    not_completed = _review(api_a, confirmed.public_id, "c2@example.org", overall=5)
    not_yours = _review(api_a, market.booking, OTHER, overall=1)
    twice = _review(api_a, market.booking, CLIENT, overall=1, text="Changed my mind")
    anonymous = api_a.post(f"/api/v1/bookings/{market.booking}/review/", {"overall": 1}, format="json")

    # then
    assert first.status_code == 201
    assert not_completed.status_code == 409 and not_completed.json()["error"]["code"] == "booking_not_completed"
    assert not_yours.status_code == 404
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_reviewed"
    assert anonymous.status_code == 401
    with tenant_context(market.tenant):
        assert list(Review.objects.values_list("overall", "text")) == [(5, "Great")]


def test_the_author_may_edit_for_48_hours_while_the_review_is_blind(api_a, market):
    created = _review(api_a, market.booking, CLIENT, overall=3, text="Okay").json()
    client = auth(api_a, CLIENT)

    edited = api_a.patch(f"/api/v1/reviews/{created['id']}/", {"overall": 4, "text": "Good"}, format="json", **client)
    by_other = api_a.patch(f"/api/v1/reviews/{created['id']}/", {"overall": 1}, format="json", **auth(api_a, OTHER))
    bad = api_a.patch(f"/api/v1/reviews/{created['id']}/", {"overall": 9, "booking": "x"}, format="json", **client)
    with tenant_context(market.tenant):
        Review.objects.filter(public_id=created["id"]).update(created_at=timezone.now() - timedelta(hours=49))
    too_late = api_a.patch(f"/api/v1/reviews/{created['id']}/", {"overall": 5}, format="json", **client)

    assert edited.status_code == 200, edited.content
    assert (edited.json()["overall"], edited.json()["text"], bool(edited.json()["edited_at"])) == (4, "Good", True)
    assert by_other.status_code == 404  # a blind review does not exist for anyone else
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"booking"}
    assert too_late.status_code == 409 and too_late.json()["error"]["code"] == "review_not_editable"
    with tenant_context(market.tenant):
        assert list(Review.objects.values_list("overall", "text")) == [(4, "Good")]


def test_no_edits_after_the_reveal(api_a, market):
    created = _review(api_a, market.booking, CLIENT, overall=2).json()
    _review(api_a, market.booking, PROVIDER, overall=5)

    response = api_a.patch(f"/api/v1/reviews/{created['id']}/", {"overall": 5}, format="json", **auth(api_a, CLIENT))

    assert response.status_code == 409 and response.json()["error"]["code"] == "review_not_editable"
    with tenant_context(market.tenant):
        assert Review.objects.get(public_id=created["id"]).overall == 2


def test_the_reviewed_provider_responds_once_in_public(api_a, market):
    created = _review(api_a, market.booking, CLIENT, overall=3, text="Ran late.").json()
    tutor = auth(api_a, PROVIDER)
    before_reveal = api_a.post(f"/api/v1/reviews/{created['id']}/response/", {"text": "Sorry!"}, format="json", **tutor)
    theirs = _review(api_a, market.booking, PROVIDER, overall=5).json()

    responded = api_a.post(
        f"/api/v1/reviews/{created['id']}/response/", {"text": "The bus broke down; sorry."}, format="json", **tutor
    )
    again = api_a.post(f"/api/v1/reviews/{created['id']}/response/", {"text": "Also"}, format="json", **tutor)
    by_client = api_a.post(
        f"/api/v1/reviews/{theirs['id']}/response/", {"text": "Thanks"}, format="json", **auth(api_a, CLIENT)
    )
    empty = api_a.post(f"/api/v1/reviews/{created['id']}/response/", {"text": " "}, format="json", **tutor)

    assert before_reveal.status_code == 404  # still blind to the provider
    assert responded.status_code == 201, responded.content
    public = api_a.get(f"/api/v1/listings/{market.listing}/reviews/").json()["results"][0]
    assert public["response"] == "The bus broke down; sorry." and public["responded_at"]
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_responded"
    assert by_client.status_code == 403  # clients do not respond to what providers say of them
    assert empty.status_code == 409  # the one response is taken; nothing else is checked
    with tenant_context(market.tenant):
        assert Review.objects.get(public_id=created["id"]).response == "The bus broke down; sorry."


def test_criteria_configuration_is_for_admins_and_checked(api_a, tenant_a, market):
    with tenant_context(tenant_a):
        calculus = Category.objects.get(slug="calculus")
    url = f"/api/v1/categories/{calculus.public_id}/review-criteria/"
    admin = auth(api_a, "admin@alpha.test")

    by_provider = api_a.put(url, {"criteria": CRITERIA}, format="json", **auth(api_a, PROVIDER))
    duplicate = api_a.put(url, {"criteria": [CRITERIA[0], CRITERIA[0]]}, format="json", **admin)
    bad_key = api_a.put(url, {"criteria": [{"key": "Value!", "label": "Value"}]}, format="json", **admin)
    missing = api_a.put(url, {}, format="json", **admin)

    assert by_provider.status_code == 403
    assert duplicate.status_code == 400 and "criteria.1.key" in duplicate.json()["error"]["fields"]
    assert bad_key.status_code == 400 and "criteria.0.key" in bad_key.json()["error"]["fields"]
    assert missing.status_code == 400 and "criteria" in missing.json()["error"]["fields"]
    calculus.refresh_from_db()
    assert calculus.review_criteria is None


def test_the_other_marketplace_sees_nothing(api_a, api_b, tenant_b, market):
    # given alpha's booking has both reviews
    created = _review(api_a, market.booking, CLIENT, overall=5).json()
    _review(api_a, market.booking, PROVIDER, overall=5)

    # when beta is asked about them, by id
    review = api_b.get(f"/api/v1/reviews/{created['id']}/")
    listing = api_b.get(f"/api/v1/listings/{market.listing}/reviews/")
    provider = api_b.get(f"/api/v1/providers/{market.provider}/reviews/")
    flagged = api_b.get("/api/v1/reviews/flagged/", **auth(api_b, "admin@beta.test"))

    # then nothing is there
    assert (review.status_code, listing.status_code, provider.status_code) == (404, 404, 404)
    assert flagged.json()["count"] == 0
    with tenant_context(tenant_b):
        assert Review.objects.count() == 0
        assert not ProviderProfile.objects.filter(review_count__gt=0).exists()
