"""Booking through the API: availability, free slots in the client's zone, the instant, request and
quote presets end to end, timers, cancellations, and every refused action leaving state untouched."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.bookings.models import Booking, MoneyIntent
from marketplace.bookings.services import timers_run
from marketplace.catalogue.listings import listing_create, listing_transition
from marketplace.catalogue.models import Category
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WEEK = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)]


def _auth(api, email):
    token = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def _listing(tenant, category_slug, *, attributes, email="tutor@example.org", duration=60):
    with tenant_context(tenant):
        user = UserFactory(email=email, is_provider=True, full_name="Tess Tutor")
        ProviderProfile.objects.create(user=user, headline="Patient tutor", status="approved")
        listing = listing_create(
            user=user,
            category=Category.objects.get(slug=category_slug).public_id,
            title="One-to-one sessions",
            description="Sessions planned around your course and your questions.",
            attributes=attributes,
            packages=[{"name": "Hour", "price": 6000, "duration_minutes": duration}],
        )
        return listing_transition(user=user, listing=listing, action="submit").public_id


@pytest.fixture
def tutoring(api_a, tenant_a):
    return tutoring_listing(api_a, tenant_a)


def tutoring_listing(api_a, tenant_a) -> str:
    """An instant-booking calculus listing whose provider is open 09:00-17:00 London time every day."""
    listing = _listing(tenant_a, "calculus", attributes={"level": "Advanced", "format": "Online"})
    tutor = _auth(api_a, "tutor@example.org")
    saved = api_a.put(
        "/api/v1/providers/me/availability/",
        {"time_zone": "Europe/London", "weekly": WEEK, "min_notice_minutes": 60, "buffer_after_minutes": 15},
        format="json",
        **tutor,
    )
    assert saved.status_code == 200, saved.content
    with tenant_context(tenant_a):
        UserFactory(email="client@example.org")
        UserFactory(email="rival@example.org")
    return listing


def _day(days_ahead=10):
    return (datetime.now(UTC) + timedelta(days=days_ahead)).date()


def _slots(api, listing, day, tz="Europe/London"):
    response = api.get(f"/api/v1/listings/{listing}/slots/?package=Hour&from={day}&to={day}&tz={tz}")
    assert response.status_code == 200, response.content
    return response.json()["slots"]


CARD = "4242 4242 4242 4242"  # the built-in test processor's card that always succeeds


def _book(api, listing, starts_at, email="client@example.org", **extra):
    body = {
        "listing": listing,
        "package": "Hour",
        "starts_at": starts_at,
        "time_zone": "America/New_York",
        "payment_method": CARD,  # used where the workflow holds the price at booking (request to book)
        **extra,
    }
    return api.post("/api/v1/bookings/", body, format="json", **_auth(api, email))


def _act(api, booking, action, email, **body):
    if action in ("pay", "accept_quote"):
        body.setdefault("data", {"payment_method": CARD})
    return api.post(
        f"/api/v1/bookings/{booking}/actions/", {"action": action, **body}, format="json", **_auth(api, email)
    )


def test_slots_are_shown_in_the_clients_zone(api_a, tutoring):
    day = _day()
    london = _slots(api_a, tutoring, day)
    tokyo = _slots(api_a, tutoring, day, tz="Asia/Tokyo")

    assert london[0]["starts_at"].startswith(f"{day}T09:00:00")
    # 60-minute sessions with a 15-minute buffer after: starts every hour, the last one at 16:00.
    assert [s["starts_at"][11:16] for s in london] == [f"{h:02d}:00" for h in range(9, 17)]
    assert tokyo[0]["starts_at"].endswith("+09:00")
    assert all(s["seats_left"] == 1 for s in london)


def test_instant_booking_pay_and_complete_with_timeline_and_money(api_a, tenant_a, tutoring):
    slot = _slots(api_a, tutoring, _day())[2]

    booked = _book(api_a, tutoring, slot["starts_at"])
    assert booked.status_code == 201, booked.content
    booking = booked.json()
    assert (booking["workflow"], booking["state"]) == ("instant", "pending_payment")
    assert booking["allowed_actions"] == ["pay", "abandon"]
    assert booking["due_action"] == "expire"
    paid = _act(api_a, booking["id"], "pay", "client@example.org").json()
    early = _act(api_a, booking["id"], "complete", "tutor@example.org")

    assert paid["state"] == "confirmed" and paid["meeting_url"].startswith("https://meet.jit.si/alpha-")
    assert paid["allowed_actions"] == ["cancel", "reschedule"]  # no-shows only once the session started
    assert [m["kind"] for m in paid["money"]] == ["hold"] and paid["money"][0]["amount"]["amount"] == 6000
    assert paid["due_action"] == "auto_complete"
    assert early.status_code == 409 and "ended" in early.json()["error"]["message"]
    # the slot is gone for everybody else
    assert slot["starts_at"] not in [s["starts_at"] for s in _slots(api_a, tutoring, _day())]
    with tenant_context(tenant_a):
        stored = Booking.objects.get(public_id=booking["id"])
        assert (stored.commission_bps, stored.currency, stored.client_time_zone) == (1000, "USD", "America/New_York")
        # after the session, the auto-complete timer releases the money; running it twice changes nothing
        later = stored.ends_at + timedelta(hours=49)
        assert timers_run(now=later) == 1
        assert timers_run(now=later) == 0
        stored.refresh_from_db()
        assert stored.state == "completed"
        assert list(MoneyIntent.objects.filter(booking=stored).values_list("kind", flat=True)) == ["hold", "release"]
    timeline = api_a.get(f"/api/v1/bookings/{booking['id']}/", **_auth(api_a, "client@example.org")).json()["timeline"]
    assert [(e["action"], e["role"], e["to_state"]) for e in timeline] == [
        ("book", "client", "pending_payment"),
        ("pay", "client", "confirmed"),
        ("auto_complete", "system", "completed"),
    ]


def test_the_same_slot_cannot_be_booked_twice(api_a, tenant_a, tutoring):
    slot = _slots(api_a, tutoring, _day())[0]

    first = _book(api_a, tutoring, slot["starts_at"])
    second = _book(api_a, tutoring, slot["starts_at"], email="rival@example.org")

    assert first.status_code == 201
    assert second.status_code == 409 and second.json()["error"]["code"] == "slot_unavailable"
    with tenant_context(tenant_a):
        assert Booking.objects.count() == 1


def test_a_lapsed_payment_hold_frees_the_slot(api_a, tenant_a, tutoring):
    slot = _slots(api_a, tutoring, _day())[0]
    first = _book(api_a, tutoring, slot["starts_at"]).json()
    with tenant_context(tenant_a):
        Booking.objects.filter(public_id=first["id"]).update(due_at=datetime.now(UTC) - timedelta(seconds=1))

    second = _book(api_a, tutoring, slot["starts_at"], email="rival@example.org")

    assert second.status_code == 201, second.content
    with tenant_context(tenant_a):
        assert Booking.objects.get(public_id=first["id"]).state == "expired"


@pytest.mark.parametrize(
    ("starts_at", "status", "field"),
    [
        ("2020-01-06T10:00:00+00:00", 400, "starts_at"),  # in the past
        ("tomorrow at ten", 400, "starts_at"),
        (None, 409, "starts_at"),  # outside availability (03:00 London)
        ("misaligned", 409, "starts_at"),  # 09:20 is not a slot start
    ],
)
def test_bad_slots_are_refused_and_nothing_is_written(api_a, tenant_a, tutoring, starts_at, status, field):
    day = _day()
    zone = ZoneInfo("Europe/London")
    if starts_at is None:
        starts_at = datetime(day.year, day.month, day.day, 3, tzinfo=zone).isoformat()
    elif starts_at == "misaligned":
        starts_at = datetime(day.year, day.month, day.day, 9, 20, tzinfo=zone).isoformat()

    response = _book(api_a, tutoring, starts_at)

    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert Booking.objects.count() == 0


def test_wrong_package_and_own_listing_are_refused(api_a, tutoring):
    slot = _slots(api_a, tutoring, _day())[0]

    wrong = api_a.post(
        "/api/v1/bookings/",
        {"listing": tutoring, "package": "Deluxe", "starts_at": slot["starts_at"]},
        format="json",
        **_auth(api_a, "client@example.org"),
    )
    own = _book(api_a, tutoring, slot["starts_at"], email="tutor@example.org")

    assert wrong.status_code == 400 and "Hour" in wrong.json()["error"]["fields"]["package"][0]
    assert own.status_code == 409 and own.json()["error"]["code"] == "own_listing"


def test_forbidden_transitions_answer_409_with_the_allowed_actions(api_a, tenant_a, tutoring):
    slot = _slots(api_a, tutoring, _day())[0]
    booking = _book(api_a, tutoring, slot["starts_at"]).json()["id"]

    by_provider = _act(api_a, booking, "pay", "tutor@example.org")
    unknown = _act(api_a, booking, "teleport", "client@example.org")
    stranger = _act(api_a, booking, "pay", "rival@example.org")

    assert by_provider.status_code == 409
    assert by_provider.json()["error"]["fields"]["allowed_actions"] == []
    assert unknown.status_code == 409 and unknown.json()["error"]["fields"]["allowed_actions"] == ["pay", "abandon"]
    assert stranger.status_code == 404
    with tenant_context(tenant_a):
        assert Booking.objects.get(public_id=booking).state == "pending_payment"
        assert not MoneyIntent.objects.exists()


def test_client_cancellation_refunds_by_the_policy(api_a, tenant_a, tutoring):
    far = _slots(api_a, tutoring, _day(10))[0]
    near_day = _day(1)
    near = _book(api_a, tutoring, _slots(api_a, tutoring, near_day)[-1]["starts_at"]).json()["id"]
    far_id = _book(api_a, tutoring, far["starts_at"], email="rival@example.org").json()["id"]
    for booking, email in ((near, "client@example.org"), (far_id, "rival@example.org")):
        _act(api_a, booking, "pay", email)

    with tenant_context(tenant_a):
        Booking.objects.filter(public_id=near).update(
            starts_at=datetime.now(UTC) + timedelta(hours=3), ends_at=datetime.now(UTC) + timedelta(hours=4)
        )
    _act(api_a, near, "cancel", "client@example.org")
    _act(api_a, far_id, "cancel", "rival@example.org")
    no_reason = _act(api_a, far_id, "cancel_by_provider", "tutor@example.org")

    with tenant_context(tenant_a):
        refunds = dict(MoneyIntent.objects.filter(kind="refund").values_list("booking__public_id", "amount"))
    assert refunds == {near: 3000, far_id: 6000}  # flexible: 50% under 24 h, 100% before
    assert no_reason.status_code == 409  # already cancelled


def test_request_to_book_accept_decline_and_expiry(api_a, tenant_a):
    listing = _listing(tenant_a, "study-groups", attributes={}, email="host@example.org")
    host = _auth(api_a, "host@example.org")
    api_a.put(
        "/api/v1/providers/me/availability/",
        {"time_zone": "Europe/Berlin", "weekly": WEEK, "capacity": 2, "min_notice_minutes": 0},
        format="json",
        **host,
    )
    with tenant_context(tenant_a):
        for email in ("a@example.org", "b@example.org", "c@example.org"):
            UserFactory(email=email)
    slot = _slots(api_a, listing, _day(), tz="Europe/Berlin")[0]

    first = _book(api_a, listing, slot["starts_at"], email="a@example.org").json()
    second = _book(api_a, listing, slot["starts_at"], email="b@example.org").json()
    third = _book(api_a, listing, slot["starts_at"], email="c@example.org")

    assert (first["state"], first["workflow"], first["money"][0]["kind"]) == ("requested", "request", "hold")
    assert {first["seat"], second["seat"]} == {1, 2}  # a group session: two seats
    assert third.status_code == 409
    accepted = _act(api_a, first["id"], "accept", "host@example.org").json()
    unexplained = _act(api_a, second["id"], "decline", "host@example.org")
    assert accepted["state"] == "confirmed"
    assert unexplained.status_code == 400 and "reason" in unexplained.json()["error"]["fields"]
    with tenant_context(tenant_a):
        # nobody answers the second request within 24 h: it expires and the hold is voided
        assert timers_run(now=datetime.now(UTC) + timedelta(hours=25)) == 1
        expired = Booking.objects.get(public_id=second["id"])
        assert (expired.state, expired.holds_time) == ("expired", False)
        assert list(expired.money_intents.values_list("kind", flat=True)) == ["hold", "void"]


def _studio_listing(tenant) -> str:
    """A design studio's brand-identity listing (quote workflow) in `tenant`, and a founder to ask."""
    with tenant_context(tenant):
        user = UserFactory(email="studio@example.org", is_provider=True)
        ProviderProfile.objects.create(user=user, headline="Brand studio", status="approved")
        listing = listing_create(
            user=user,
            category=Category.objects.get(slug="brand-identity").public_id,
            title="Brand identity",
            description="Logo, palette and guidelines for young companies.",
            attributes={},
            packages=[{"name": "Identity", "price": 150000, "delivery_days": 14}],
        )
        UserFactory(email="founder@example.org")
        return listing_transition(user=user, listing=listing, action="submit").public_id


def _inquire(api, listing) -> dict:
    response = api.post(
        "/api/v1/bookings/",
        {"listing": listing, "package": "Identity", "message": "A new identity for our bakery chain."},
        format="json",
        **_auth(api, "founder@example.org"),
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_inquiry_quote_accept_deliver_and_complete(api_b, tenant_b):
    listing = _studio_listing(tenant_b)
    client = _auth(api_b, "founder@example.org")

    short = api_b.post(
        "/api/v1/bookings/", {"listing": listing, "package": "Identity", "message": "hi"}, format="json", **client
    )
    inquiry = api_b.post(
        "/api/v1/bookings/",
        {"listing": listing, "package": "Identity", "message": "A new identity for our bakery chain."},
        format="json",
        **client,
    ).json()
    bad_quote = _act(api_b, inquiry["id"], "send_quote", "studio@example.org", data={"price": -5, "terms": ""})
    quoted = _act(
        api_b,
        inquiry["id"],
        "send_quote",
        "studio@example.org",
        data={"price": 180000, "terms": "Two rounds of changes.", "valid_days": 7},
    ).json()
    accepted = _act(api_b, inquiry["id"], "accept_quote", "founder@example.org").json()
    delivered = _act(api_b, inquiry["id"], "deliver", "studio@example.org", data={"note": "Files attached."}).json()
    done = _act(api_b, inquiry["id"], "accept_delivery", "founder@example.org").json()

    assert short.status_code == 400 and "message" in short.json()["error"]["fields"]
    assert inquiry["state"] == "inquiry" and inquiry["starts_at"] is None
    assert bad_quote.status_code == 400
    assert set(bad_quote.json()["error"]["fields"]) == {"data.price", "data.terms", "data.valid_days"}
    assert quoted["state"] == "quoted" and quoted["due_action"] == "expire_quote"
    assert accepted["money"][0] == {"kind": "hold", "amount": accepted["money"][0]["amount"], "status": "done"}
    assert accepted["money"][0]["amount"]["amount"] == 180000  # the quoted price, not the package's
    assert delivered["state"] == "delivered" and delivered["due_action"] == "auto_accept"
    assert done["state"] == "completed" and [m["kind"] for m in done["money"]] == ["hold", "release"]


def test_a_quote_expires_when_not_accepted(api_b, tenant_b):
    listing = _studio_listing(tenant_b)
    inquiry = _inquire(api_b, listing)
    _act(api_b, inquiry["id"], "send_quote", "studio@example.org", data={"price": 1, "terms": "T", "valid_days": 2})

    with tenant_context(tenant_b):
        assert timers_run(now=datetime.now(UTC) + timedelta(days=1)) == 0
        assert timers_run(now=datetime.now(UTC) + timedelta(days=3)) == 1
        assert Booking.objects.get(public_id=inquiry["id"]).state == "expired"
    late = _act(api_b, inquiry["id"], "accept_quote", "founder@example.org")
    assert late.status_code == 409


def test_admins_see_every_booking_and_intervene_with_an_audit_row(api_a, tenant_a, tutoring):
    from marketplace.audit.models import AuditEvent

    slot = _slots(api_a, tutoring, _day())[0]
    booking = _book(api_a, tutoring, slot["starts_at"]).json()["id"]
    _act(api_a, booking, "pay", "client@example.org")
    admin = _auth(api_a, "admin@alpha.test")

    listed = api_a.get("/api/v1/bookings/", **admin).json()
    cancelled = _act(api_a, booking, "cancel_by_provider", "admin@alpha.test", reason="Tutor is ill")
    rival_view = api_a.get("/api/v1/bookings/", **_auth(api_a, "rival@example.org")).json()

    assert [b["id"] for b in listed["results"]] == [booking]
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["timeline"][-1]["role"] == "admin"
    assert rival_view["results"] == []
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="booking.cancel_by_provider", reason="Tutor is ill").count() == 1


def test_bookings_stay_in_their_marketplace(api_a, api_b, tenant_b, tutoring):
    slot = _slots(api_a, tutoring, _day())[0]
    booking = _book(api_a, tutoring, slot["starts_at"]).json()["id"]
    with tenant_context(tenant_b):
        UserFactory(email="client@example.org")

    seen = api_b.get(f"/api/v1/bookings/{booking}/", **_auth(api_b, "client@example.org"))
    slots_elsewhere = api_b.get(f"/api/v1/listings/{tutoring}/slots/?package=Hour&from={_day()}&to={_day()}")

    assert seen.status_code == 404 and slots_elsewhere.status_code == 404


def test_bad_availability_names_each_field_and_keeps_the_old_one(api_a, tutoring):
    tutor = _auth(api_a, "tutor@example.org")

    response = api_a.put(
        "/api/v1/providers/me/availability/",
        {
            "time_zone": "Mars/Olympus",
            "slot_minutes": 0,
            "weekly": [
                {"weekday": 9, "start": "09:00", "end": "10:00"},
                {"weekday": 1, "start": "12:00", "end": "11:00"},
            ],
            "overrides": [{"date": "2026-02-30"}],
            "colour": "blue",
        },
        format="json",
        **tutor,
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "time_zone",
        "slot_minutes",
        "weekly[0].weekday",
        "weekly[1]",
        "overrides[0].date",
        "colour",
    }
    kept = api_a.get("/api/v1/providers/me/availability/", **tutor).json()
    assert kept["time_zone"] == "Europe/London" and len(kept["weekly"]) == 7


def _agency_listing(tenant, slug="web-applications"):
    with tenant_context(tenant):
        user = UserFactory(email="devshop@example.org", is_provider=True)
        ProviderProfile.objects.create(user=user, headline="Django shop", status="approved")
        listing = listing_create(
            user=user,
            category=Category.objects.get(slug=slug).public_id,
            title="Web application build",
            description="From a first sketch to a running product.",
            attributes={"tech_stack": ["Python"], "years_experience": 9},
            packages=[{"name": "Project", "price": 500000, "delivery_days": 60}],
        )
        UserFactory(email="startup@example.org")
        return listing_transition(user=user, listing=listing, action="submit").public_id


def _milestone_project(api, listing):
    client = _auth(api, "startup@example.org")
    inquiry = api.post(
        "/api/v1/bookings/",
        {"listing": listing, "package": "Project", "message": "We need a booking system for our clinic."},
        format="json",
        **client,
    ).json()
    soon = _day(14).isoformat()
    later = _day(40).isoformat()
    quoted = _act(
        api,
        inquiry["id"],
        "send_quote",
        "devshop@example.org",
        data={
            "terms": "Two milestones; fixes for 30 days.",
            "valid_days": 5,
            "milestones": [
                {"title": "Prototype", "amount": 200000, "due_date": soon},
                {"title": "Launch", "amount": 350001, "due_date": later},
            ],
        },
    )
    assert quoted.status_code == 200, quoted.content
    return inquiry["id"], quoted.json()


def test_quoted_milestone_project_releases_each_part_on_acceptance(api_b, tenant_b):
    listing = _agency_listing(tenant_b)
    booking, quoted = _milestone_project(api_b, listing)

    assert (quoted["workflow"], quoted["state"], quoted["price"]["amount"]) == ("milestone", "quoted", 550001)
    started = _act(api_b, booking, "accept_quote", "startup@example.org").json()
    first, second = (m["id"] for m in started["milestones"])
    early_accept = _act(api_b, booking, "accept_milestone", "startup@example.org", data={"milestone": first})
    delivered = _act(
        api_b, booking, "deliver_milestone", "devshop@example.org", data={"milestone": first, "note": "Clickable."}
    ).json()
    changes = _act(
        api_b, booking, "request_changes", "startup@example.org", reason="Bigger buttons", data={"milestone": first}
    )
    _act(api_b, booking, "deliver_milestone", "devshop@example.org", data={"milestone": first, "note": "Bigger."})
    accepted = _act(api_b, booking, "accept_milestone", "startup@example.org", data={"milestone": first}).json()

    assert started["state"] == "in_progress" and [m["kind"] for m in started["money"]] == ["hold"]
    assert started["money"][0]["amount"]["amount"] == 550001
    assert [m["state"] for m in started["milestones"]] == ["pending", "pending"]
    assert early_accept.status_code == 409 and early_accept.json()["error"]["code"] == "milestone_state"
    assert delivered["due_action"] == "auto_accept_milestone" and delivered["milestones"][0]["state"] == "delivered"
    assert changes.json()["milestones"][0]["state"] == "changes_requested"
    assert accepted["state"] == "in_progress"
    assert [(m["kind"], m["amount"]["amount"]) for m in accepted["money"]] == [("hold", 550001), ("release", 200000)]

    # The second milestone is delivered and nobody answers: it is accepted automatically, and the project ends.
    _act(api_b, booking, "deliver_milestone", "devshop@example.org", data={"milestone": second, "note": "Live."})
    with tenant_context(tenant_b):
        assert timers_run(now=datetime.now(UTC) + timedelta(days=8)) == 1
        assert timers_run(now=datetime.now(UTC) + timedelta(days=8)) == 0
        done = Booking.objects.get(public_id=booking)
        assert done.state == "completed"
        releases = list(done.money_intents.filter(kind="release").values_list("amount", flat=True))
        assert releases == [200000, 350001] and sum(releases) == done.price  # every cent released once


def test_bad_milestone_plans_are_refused_field_by_field(api_b, tenant_b):
    listing = _agency_listing(tenant_b)
    inquiry = api_b.post(
        "/api/v1/bookings/",
        {"listing": listing, "package": "Project", "message": "We need a booking system for our clinic."},
        format="json",
        **_auth(api_b, "startup@example.org"),
    ).json()

    response = _act(
        api_b,
        inquiry["id"],
        "send_quote",
        "devshop@example.org",
        data={
            "terms": "T",
            "valid_days": 5,
            "milestones": [
                {"title": "Later", "amount": 100, "due_date": _day(20).isoformat()},
                {"title": "", "amount": -1, "due_date": _day(10).isoformat()},
            ],
        },
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "data.milestones[1].title",
        "data.milestones[1].amount",
        "data.milestones[1].due_date",
    }
    with tenant_context(tenant_b):
        assert Booking.objects.get(public_id=inquiry["id"]).state == "inquiry"


def test_provider_cancelling_a_project_refunds_only_what_was_not_released(api_b, tenant_b):
    listing = _agency_listing(tenant_b)
    booking, quoted = _milestone_project(api_b, listing)
    started = _act(api_b, booking, "accept_quote", "startup@example.org").json()
    first = started["milestones"][0]["id"]
    _act(api_b, booking, "deliver_milestone", "devshop@example.org", data={"milestone": first, "note": "Done."})
    _act(api_b, booking, "accept_milestone", "startup@example.org", data={"milestone": first})

    cancelled = _act(api_b, booking, "cancel_by_provider", "devshop@example.org", reason="Team left").json()

    assert cancelled["state"] == "cancelled"
    assert [(m["kind"], m["amount"]["amount"]) for m in cancelled["money"]] == [
        ("hold", 550001),
        ("release", 200000),
        ("refund", 350001),
    ]


def test_admins_tune_timers_and_cancellation_per_category_and_bookings_keep_their_terms(api_a, tenant_a, tutoring):
    with tenant_context(tenant_a):
        maths = Category.objects.get(slug="mathematics").public_id
    admin = _auth(api_a, "admin@alpha.test")
    bad = api_a.patch(
        f"/api/v1/categories/{maths}/",
        {
            "booking_settings": {
                "timers": {"accept_within_hours": 0, "teatime": 5},
                "cancellation_policy": [[0, 50], [24, 100]],
            }
        },
        format="json",
        **admin,
    )
    tuned = api_a.patch(
        f"/api/v1/categories/{maths}/",
        {"booking_settings": {"timers": {"payment_within_minutes": 30}, "cancellation_policy": "strict"}},
        format="json",
        **admin,
    )
    assert bad.status_code == 400 and len(bad.json()["error"]["fields"]["booking_settings"]) == 3
    assert tuned.status_code == 200, tuned.content

    booked = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()
    # calculus inherits from mathematics
    with tenant_context(tenant_a):
        calculus = Category.objects.get(slug="calculus").public_id
    effective = api_a.get(f"/api/v1/categories/{calculus}/", **admin).json()["effective_booking_settings"]
    api_a.patch(f"/api/v1/categories/{maths}/", {"booking_settings": {}}, format="json", **admin)

    assert effective == {"timers": {"payment_within_minutes": 30}, "cancellation_policy": "strict"}
    assert booked["cancellation_policy"] == {"name": "strict", "tiers": [[168, 50], [0, 0]]}
    created = datetime.fromisoformat(booked["created_at"])
    due = datetime.fromisoformat(booked["due_at"])
    assert timedelta(minutes=29) < due - created < timedelta(minutes=31)
    # the deal does not change when the category does
    paid = _act(api_a, booked["id"], "pay", "client@example.org").json()
    cancelled = _act(api_a, booked["id"], "cancel", "client@example.org").json()
    assert paid["cancellation_policy"]["name"] == "strict"
    # strict, a week's notice: half back to the client, the other half released to the tutor as the fee
    assert [(m["kind"], m["amount"]["amount"]) for m in cancelled["money"]] == [
        ("hold", 6000),
        ("refund", 3000),
        ("release", 3000),
    ]


def test_reschedule_moves_to_a_free_slot_until_the_deadline(api_a, tenant_a, tutoring):
    slots = _slots(api_a, tutoring, _day())
    mine = _book(api_a, tutoring, slots[0]["starts_at"]).json()["id"]
    _act(api_a, mine, "pay", "client@example.org")
    theirs = _book(api_a, tutoring, slots[3]["starts_at"], email="rival@example.org").json()["id"]
    _act(api_a, theirs, "pay", "rival@example.org")

    taken = _act(api_a, mine, "reschedule", "client@example.org", data={"starts_at": slots[3]["starts_at"]})
    garbage = _act(api_a, mine, "reschedule", "client@example.org", data={"starts_at": "soon"})
    moved = _act(api_a, mine, "reschedule", "tutor@example.org", data={"starts_at": slots[5]["starts_at"]})

    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_unavailable"
    assert garbage.status_code == 400
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["state"] == "confirmed"
    assert datetime.fromisoformat(body["starts_at"]) == datetime.fromisoformat(slots[5]["starts_at"])
    assert body["timeline"][-1]["action"] == "reschedule" and body["timeline"][-1]["role"] == "provider"
    free = [s["starts_at"] for s in _slots(api_a, tutoring, _day())]
    assert slots[0]["starts_at"] in free and slots[5]["starts_at"] not in free
    # the auto-complete timer follows the session
    assert datetime.fromisoformat(body["due_at"]) == datetime.fromisoformat(body["ends_at"]) + timedelta(hours=48)

    with tenant_context(tenant_a):
        Booking.objects.filter(public_id=mine).update(
            starts_at=datetime.now(UTC) + timedelta(hours=5), ends_at=datetime.now(UTC) + timedelta(hours=6)
        )
    late = _act(api_a, mine, "reschedule", "client@example.org", data={"starts_at": slots[0]["starts_at"]})
    assert late.status_code == 409 and late.json()["error"]["code"] == "reschedule_too_late"


def test_unpaid_instant_booking_expires_by_its_timer(api_a, tenant_a, tutoring):
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()
    with tenant_context(tenant_a):
        assert timers_run(now=datetime.now(UTC) + timedelta(minutes=10)) == 0
        assert timers_run(now=datetime.now(UTC) + timedelta(minutes=16)) == 1
        assert timers_run(now=datetime.now(UTC) + timedelta(minutes=16)) == 0
        expired = Booking.objects.get(public_id=booking["id"])
        assert (expired.state, expired.holds_time, expired.due_action) == ("expired", False, "")
        assert not MoneyIntent.objects.filter(booking=expired).exists()  # nothing was held


def test_a_delivery_nobody_answers_is_accepted_after_three_days(api_b, tenant_b):
    listing = _studio_listing(tenant_b)
    booking = _inquire(api_b, listing)["id"]
    _act(api_b, booking, "send_quote", "studio@example.org", data={"price": 120000, "terms": "T", "valid_days": 3})
    _act(api_b, booking, "accept_quote", "founder@example.org")
    _act(api_b, booking, "deliver", "studio@example.org", data={"note": "All files."})

    with tenant_context(tenant_b):
        assert timers_run(now=datetime.now(UTC) + timedelta(days=2)) == 0
        assert timers_run(now=datetime.now(UTC) + timedelta(days=3, minutes=1)) == 1
        done = Booking.objects.get(public_id=booking)
        assert done.state == "completed"
        assert list(done.money_intents.values_list("kind", "amount")) == [("hold", 120000), ("release", 120000)]
        assert done.events.last().role == "system"


def test_across_the_spring_forward_gap_slots_skip_the_missing_hour_and_last_their_real_length(
    api_a, tenant_a, tutoring
):
    tutor = _auth(api_a, "tutor@example.org")
    api_a.put(
        "/api/v1/providers/me/availability/",
        {
            "time_zone": "Europe/London",
            "weekly": [{"weekday": 6, "start": "00:00", "end": "04:00"}],
            "horizon_days": 730,
        },
        format="json",
        **tutor,
    )
    day = "2027-03-28"  # clocks go from 01:00 GMT straight to 02:00 BST in London

    slots = api_a.get(f"/api/v1/listings/{tutoring}/slots/?package=Hour&from={day}&to={day}&tz=Europe/London").json()
    misaligned = _book(api_a, tutoring, "2027-03-28T00:30:00+00:00")
    booked = _book(api_a, tutoring, "2027-03-28T00:00:00+00:00")

    assert [s["starts_at"] for s in slots["slots"]] == [
        "2027-03-28T00:00:00+00:00",
        "2027-03-28T02:00:00+01:00",
        "2027-03-28T03:00:00+01:00",
    ]
    assert misaligned.status_code == 409
    assert booked.status_code == 201, booked.content
    # one real hour: it ends at 01:00 UTC, which London calls 02:00 BST
    assert booked.json()["ends_at"] == "2027-03-28T01:00:00Z"


@pytest.mark.parametrize(
    ("action", "reporter", "money"),
    [
        ("report_provider_no_show", "client@example.org", "refund"),
        ("report_client_no_show", "tutor@example.org", "release"),
    ],
)
def test_no_shows_are_reported_once_the_session_started(api_a, tenant_a, tutoring, action, reporter, money):
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    _act(api_a, booking, "pay", "client@example.org")

    early = _act(api_a, booking, action, reporter)
    with tenant_context(tenant_a):
        Booking.objects.filter(public_id=booking).update(
            starts_at=datetime.now(UTC) - timedelta(minutes=10), ends_at=datetime.now(UTC) + timedelta(minutes=50)
        )
    reported = _act(api_a, booking, action, reporter)

    assert early.status_code == 409 and "started" in early.json()["error"]["message"]
    assert reported.status_code == 200 and reported.json()["state"] == "no_show"
    assert [(m["kind"], m["amount"]["amount"]) for m in reported.json()["money"]] == [("hold", 6000), (money, 6000)]
