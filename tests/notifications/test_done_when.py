"""The whole story at the demo law firm, through the API and a real SMTP server: a client asks a
lawyer about a fixed-fee conveyancing before booking, gets a quote in the same conversation, accepts
and pays; both sides get the marketplace's branded emails at each step, in their own inbox."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tenants.demo import DEMO_PASSWORD, seed_demo
from tests.notifications.conftest import html_of, text_of

pytestmark = pytest.mark.django_db

NORA, SARAH = "nora@hartwell.example.com", "sarah@hartwell.example.com"


@pytest.fixture
def lawfirm(settings):
    settings.ALLOWED_HOSTS = ["*"]
    seed_demo()
    yield APIClient(HTTP_HOST="lawfirm.localhost")
    connection.set_schema_to_public()


def _login(api, email) -> dict:
    token = api.post("/api/v1/auth/login/", {"email": email, "password": DEMO_PASSWORD}, format="json").json()["token"]
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_ask_quote_book_and_pay_in_one_thread_with_branded_emails(lawfirm, smtp, run_on_commit):
    api = lawfirm
    nora, sarah = _login(api, NORA), _login(api, SARAH)
    listing = _ok(api.get("/api/v1/search/listings/?q=conveyancing home purchase"))["results"][0]
    assert listing["title"] == "Fixed-fee home purchase or sale"

    # the client asks before booking; the lawyer answers in the same conversation
    with run_on_commit():
        asked = _ok(
            api.post(
                "/api/v1/conversations/",
                {"listing": listing["id"], "body": "Is a leasehold flat more?"},
                format="json",
                **nora,
            ),
            201,
        )
    with run_on_commit():
        _ok(
            api.post(
                f"/api/v1/conversations/{asked['id']}/messages/",
                {"body": "Slightly: send the lease."},
                format="json",
                **sarah,
            ),
            201,
        )
    # she asks for a quote (the listing's workflow), the lawyer quotes, she accepts and pays
    with run_on_commit():
        booking = _ok(
            api.post(
                "/api/v1/bookings/",
                {"listing": listing["id"], "package": "Purchase or sale", "message": "Leasehold flat in Leeds, £240k."},
                format="json",
                **nora,
            ),
            201,
        )
    with run_on_commit():
        _ok(
            api.post(
                f"/api/v1/bookings/{booking['id']}/actions/",
                {
                    "action": "send_quote",
                    "data": {"price": 110000, "terms": "Fixed fee including searches.", "valid_days": 10},
                },
                format="json",
                **sarah,
            )
        )
    with run_on_commit():
        paid = _ok(
            api.post(
                f"/api/v1/bookings/{booking['id']}/actions/",
                {"action": "accept_quote", "data": {"payment_method": "4242 4242 4242 4242"}},
                format="json",
                **nora,
            )
        )

    # one conversation: the question, the answer, the quote, in order
    assert paid["state"] in ("accepted", "confirmed", "in_progress")
    thread = _ok(api.get(f"/api/v1/bookings/{booking['id']}/conversation/", **nora))
    assert thread["id"] == asked["id"]
    bodies = [m["body"] for m in reversed(thread["messages"])]
    assert bodies[:2] == ["Is a leasehold flat more?", "Slightly: send the lease."]
    currency = paid["price"]["currency"]
    assert bodies[2].startswith(f"Quote: 1,100.00 {currency}. Fixed fee including searches.")

    # both got an email at each step, from the marketplace, in its colours and with its logo
    subjects = {address: [m["Subject"] for m in smtp.to(address)] for address in (NORA, SARAH)}
    assert any("New message from" in s for s in subjects[SARAH])  # the question
    assert any("New booking request" in s for s in subjects[SARAH])  # asked for a quote
    assert any("New message from" in s for s in subjects[NORA])  # the answer
    assert any("New quote for Fixed-fee home purchase or sale" in s for s in subjects[NORA])
    assert any("Booking confirmed" in s for s in subjects[NORA])
    assert any(f"Payment receipt: 1,100.00 {currency}" in s for s in subjects[NORA])
    for message in smtp.messages:
        assert "Hartwell & Co Legal Advice" in str(message["From"])
        assert str(message["Subject"]).startswith("[Hartwell & Co Legal Advice]")
        html = html_of(message)
        assert "#14532d" in html  # the firm's primary colour
        assert "/media/lawfirm/branding/logo-" in html
        assert "http://lawfirm.localhost" in text_of(message)  # links to the firm's own address
