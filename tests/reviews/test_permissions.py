"""Who sees which review, before and after the reveal and once hidden; who may edit, respond,
report and moderate."""

import pytest

from tests.reviews.conftest import CLIENT, MODERATOR, OTHER, PROVIDER, auth

pytestmark = pytest.mark.django_db

ADMIN = "admin@alpha.test"
ANONYMOUS = None
VIEWERS = (CLIENT, PROVIDER, OTHER, ANONYMOUS, ADMIN, MODERATOR)


def _headers(api, email):
    return auth(api, email) if email else {}


def _submit(api, booking, email, overall):
    response = api.post(f"/api/v1/bookings/{booking}/review/", {"overall": overall}, format="json", **auth(api, email))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _seen_by(api, review) -> set:
    return {
        email for email in VIEWERS if api.get(f"/api/v1/reviews/{review}/", **_headers(api, email)).status_code == 200
    }


def test_who_sees_a_review_before_and_after_the_reveal(api_a, market):
    # before: only its author and the marketplace's moderators
    clients = _submit(api_a, market.booking, CLIENT, 4)
    assert _seen_by(api_a, clients) == {CLIENT, ADMIN, MODERATOR}

    # after: a client's review is public; a provider's review of a client is for the two and moderators
    providers = _submit(api_a, market.booking, PROVIDER, 5)
    assert _seen_by(api_a, clients) == set(VIEWERS)
    assert _seen_by(api_a, providers) == {CLIENT, PROVIDER, ADMIN, MODERATOR}

    # hidden: its author (with the reason) and moderators only
    api_a.post(
        f"/api/v1/reviews/{clients}/moderation/",
        {"action": "hide", "reason": "Off topic."},
        format="json",
        **auth(api_a, ADMIN),
    )
    assert _seen_by(api_a, clients) == {CLIENT, ADMIN, MODERATOR}


@pytest.mark.parametrize(
    ("email", "status"),
    [(CLIENT, 200), (PROVIDER, 404), (OTHER, 404), (ADMIN, 403), (MODERATOR, 403)],
)
def test_only_the_author_edits_a_blind_review(api_a, market, email, status):
    review = _submit(api_a, market.booking, CLIENT, 4)

    response = api_a.patch(f"/api/v1/reviews/{review}/", {"text": "Edited"}, format="json", **auth(api_a, email))

    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("email", "respond", "report", "moderate"),
    [
        (CLIENT, 403, 403, 403),  # the author: may not answer or report their own review
        (PROVIDER, 201, 201, 403),  # the reviewed provider answers it
        (OTHER, 403, 201, 403),
        (MODERATOR, 403, 201, 200),
        (ADMIN, 403, 201, 200),
        (ANONYMOUS, 401, 401, 401),
    ],
)
def test_who_responds_reports_and_moderates_a_published_review(api_a, market, email, respond, report, moderate):
    review = _submit(api_a, market.booking, CLIENT, 2)
    _submit(api_a, market.booking, PROVIDER, 5)
    headers = _headers(api_a, email)

    responded = api_a.post(f"/api/v1/reviews/{review}/response/", {"text": "Thanks."}, format="json", **headers)
    reported = api_a.post(f"/api/v1/reviews/{review}/report/", {"reason": "Unfair."}, format="json", **headers)
    moderated = api_a.post(
        f"/api/v1/reviews/{review}/moderation/", {"action": "hide", "reason": "Unfair."}, format="json", **headers
    )

    assert (responded.status_code, reported.status_code, moderated.status_code) == (respond, report, moderate)
