"""In the demo marketplaces, through the API: book a tutoring slot instantly at the university, request
a consultation and get accepted by a lawyer at the law firm, and run a quoted milestone project at
the agency."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tenants.demo import DEMO_MARKETPLACES, DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.django_db

DOMAINS = {spec["slug"]: spec["domain"] for spec in DEMO_MARKETPLACES}


def _client(slug: str) -> APIClient:
    return APIClient(HTTP_HOST=f"{slug}.localhost")


def _login(api: APIClient, slug: str, handle: str) -> dict:
    email = f"{handle}@{DOMAINS[slug]}"
    response = api.post("/api/v1/auth/login/", {"email": email, "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Token {response.json()['token']}"}


def _find(api: APIClient, text: str) -> dict:
    found = api.get(f"/api/v1/search/listings/?q={text}").json()["results"]
    assert found, text
    return found[0]


def _first_slot(api: APIClient, listing: dict, package: str, tz: str) -> str:
    start = (datetime.now(UTC) + timedelta(days=2)).date()
    end = start + timedelta(days=10)
    slots = api.get(f"/api/v1/listings/{listing['id']}/slots/?package={package}&from={start}&to={end}&tz={tz}")
    assert slots.status_code == 200, slots.content
    assert slots.json()["slots"], "the demo provider has open slots"
    return slots.json()["slots"][0]["starts_at"]


def _act(api, booking, action, auth, **body):
    if action in ("pay", "accept_quote"):
        body.setdefault("data", {"payment_method": "4242 4242 4242 4242"})
    response = api.post(f"/api/v1/bookings/{booking}/actions/", {"action": action, **body}, format="json", **auth)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def demo_marketplaces(settings):
    settings.ALLOWED_HOSTS = ["*"]
    seed_demo()
    yield
    connection.set_schema_to_public()


def test_university_tutoring_slot_booked_instantly(demo_marketplaces):
    api = _client("uni")
    priya = _login(api, "uni", "priya")
    listing = _find(api, "calculus exam")
    starts_at = _first_slot(api, listing, "Single session", "Asia/Kolkata")

    booked = api.post(
        "/api/v1/bookings/",
        {"listing": listing["id"], "package": "Single session", "starts_at": starts_at, "time_zone": "Asia/Kolkata"},
        format="json",
        **priya,
    )
    assert booked.status_code == 201, booked.content
    paid = _act(api, booked.json()["id"], "pay", priya)

    assert (paid["workflow"], paid["state"]) == ("instant", "confirmed")
    assert paid["meeting_url"]
    assert [m["kind"] for m in paid["money"]] == ["hold"]


def test_law_firm_consultation_requested_and_accepted(demo_marketplaces):
    api = _client("lawfirm")
    nora, sarah = _login(api, "lawfirm", "nora"), _login(api, "lawfirm", "sarah")
    listing = _find(api, "divorce consultation")
    starts_at = _first_slot(api, listing, "45-minute consultation", "Europe/London")

    requested = api.post(
        "/api/v1/bookings/",
        {
            "listing": listing["id"],
            "package": "45-minute consultation",
            "starts_at": starts_at,
            "time_zone": "Europe/London",
            "message": "Separating after twelve years; two children.",
            "payment_method": "4242 4242 4242 4242",
        },
        format="json",
        **nora,
    ).json()
    assert (requested["workflow"], requested["state"]) == ("request", "requested")
    inbox = api.get("/api/v1/bookings/?state=requested", **sarah).json()["results"]
    accepted = _act(api, requested["id"], "accept", sarah)

    assert [b["id"] for b in inbox] == [requested["id"]]
    assert accepted["state"] == "confirmed"
    assert [(e["action"], e["role"]) for e in accepted["timeline"]] == [("book", "client"), ("accept", "provider")]


def test_agency_quoted_milestone_project(demo_marketplaces):
    api = _client("agency")
    acme, marco = _login(api, "agency", "acme"), _login(api, "agency", "marco")
    listing = _find(api, "django application")

    inquiry = api.post(
        "/api/v1/bookings/",
        {"listing": listing["id"], "package": "MVP", "message": "An order portal for our robot parts."},
        format="json",
        **acme,
    ).json()
    today = datetime.now(UTC).date()
    quoted = _act(
        api,
        inquiry["id"],
        "send_quote",
        marco,
        data={
            "terms": "Fixed price, two milestones.",
            "valid_days": 10,
            "milestones": [
                {"title": "Data model and admin", "amount": 300000, "due_date": str(today + timedelta(days=20))},
                {"title": "Portal live", "amount": 600000, "due_date": str(today + timedelta(days=50))},
            ],
        },
    )
    project = _act(api, inquiry["id"], "accept_quote", acme)
    for milestone in project["milestones"]:
        _act(api, inquiry["id"], "deliver_milestone", marco, data={"milestone": milestone["id"], "note": "Ready."})
        project = _act(api, inquiry["id"], "accept_milestone", acme, data={"milestone": milestone["id"]})

    assert (quoted["workflow"], quoted["price"]["amount"]) == ("milestone", 900000)
    assert project["state"] == "completed"
    assert [(m["kind"], m["amount"]["amount"]) for m in project["money"]] == [
        ("hold", 900000),
        ("release", 300000),
        ("release", 600000),
    ]
