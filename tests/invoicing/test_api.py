"""Receipts and statements through the API: clients read and download their own documents, providers
their statement for a period with totals; nobody else (and no other marketplace) sees them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from marketplace.bookings.services import timers_run
from marketplace.configuration.models import MarketplaceSettings
from marketplace.invoicing.models import ClientDocument, StatementLine
from marketplace.payments.escrow import escrow_capture, escrow_refund, escrow_release
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.bookings.test_booking_api import (
    _act,
    _auth,
    _book,
    _day,
    _slots,
    tutoring,  # noqa: F401 - fixture
)
from tests.factories import UserFactory
from tests.invoicing.test_pdf import page_text

pytestmark = pytest.mark.django_db

CLIENT, PROVIDER = "client-a@example.org", "pro-a@example.org"


@pytest.fixture
def paid_and_refunded(tenant_a, booking_a):
    """120.00 paid (receipt R-000001), 20.00 of it refunded (credit note C-000001)."""
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        escrow_refund(booking=booking_a, amount=2_000, key="ref")
        return {d.number: d.public_id for d in ClientDocument.objects.all()}


def test_clients_list_and_open_their_receipts_and_credit_notes(api_a, booking_a, paid_and_refunded):
    auth = _auth(api_a, CLIENT)

    listed = api_a.get("/api/v1/me/receipts/", **auth)
    detail = api_a.get(f"/api/v1/me/receipts/{paid_and_refunded['R-000001']}/", **auth)

    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2 and [d["number"] for d in body["results"]] == ["C-000001", "R-000001"]
    note = body["results"][0]
    assert (note["kind"], note["refers_to"], note["booking"]) == ("credit_note", "R-000001", booking_a.public_id)
    assert (note["gross"]["amount"], note["tax"]["amount"], note["net"]["formatted"]) == (2_000, 333, "16.67 USD")
    receipt = detail.json()
    assert detail.status_code == 200 and receipt == body["results"][1]
    assert receipt["gross"] == {"amount": 12_000, "currency": "USD", "formatted": "120.00 USD"}
    assert (receipt["tax_rate_bps"], receipt["tax_inclusive"], receipt["tax_label"]) == (2000, True, "VAT")
    assert (receipt["listing_title"], receipt["client_email"], receipt["refers_to"]) == ("Paid work", CLIENT, None)


def test_the_owner_and_admins_download_the_pdf(api_a, paid_and_refunded):
    receipt = paid_and_refunded["R-000001"]
    url = f"/api/v1/me/receipts/{receipt}/pdf/"

    mine = api_a.get(url, HTTP_ACCEPT="application/pdf", **_auth(api_a, CLIENT))
    admin = api_a.get(url, **_auth(api_a, "admin@alpha.test"))
    admin_detail = api_a.get(f"/api/v1/me/receipts/{receipt}/", **_auth(api_a, "admin@alpha.test"))

    assert mine.status_code == 200 and mine["Content-Type"] == "application/pdf"
    assert mine["Content-Disposition"] == 'attachment; filename="R-000001.pdf"'
    assert mine["Cache-Control"] == "private, no-store"
    assert mine.content.startswith(b"%PDF-") and "Receipt R-000001" in page_text(mine.content)
    assert admin.status_code == 200 and admin.content == mine.content
    assert admin_detail.status_code == 200 and admin_detail.json()["number"] == "R-000001"


def test_nobody_else_sees_a_clients_documents(api_a, tenant_a, paid_and_refunded):
    with tenant_context(tenant_a):
        UserFactory(email="other@example.org")
    receipt = paid_and_refunded["R-000001"]

    for email in ("other@example.org", PROVIDER):  # another client; the provider of the booking
        auth = _auth(api_a, email)
        assert api_a.get("/api/v1/me/receipts/", **auth).json()["count"] == 0
        for url in (f"/api/v1/me/receipts/{receipt}/", f"/api/v1/me/receipts/{receipt}/pdf/"):
            response = api_a.get(url, **auth)
            assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api_a.get(f"/api/v1/me/receipts/{receipt}/").status_code == 401


def test_the_other_marketplace_sees_nothing(api_b, tenant_b, paid_and_refunded):
    admin = _auth(api_b, "admin@beta.test")

    assert api_b.get(f"/api/v1/me/receipts/{paid_and_refunded['R-000001']}/", **admin).status_code == 404
    assert api_b.get(f"/api/v1/me/receipts/{paid_and_refunded['R-000001']}/pdf/", **admin).status_code == 404
    assert api_b.get("/api/v1/me/receipts/", **admin).json()["count"] == 0
    with tenant_context(tenant_b):
        assert not ClientDocument.objects.exists() and not StatementLine.objects.exists()


@pytest.fixture
def statement(tenant_a, booking_a, settings, monkeypatch):
    """Two releases of 60.00 and a clawback of 30.00, issued on either side of midnights in Tokyo
    (the marketplace's time zone): 1 March 16:00 UTC is 2 March in Tokyo."""
    with tenant_context(tenant_a):
        MarketplaceSettings.objects.update(time_zone="Asia/Tokyo")
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        for key, when in (("rel-1", "2026-03-01T16:00"), ("rel-2", "2026-03-02T10:00"), ("ref", "2026-03-02T16:00")):
            instant = datetime.fromisoformat(when).replace(tzinfo=UTC)
            monkeypatch.setattr(timezone, "now", lambda instant=instant: instant)
            if key == "ref":
                escrow_refund(booking=booking_a, amount=3_000, key=key)
            else:
                escrow_release(booking=booking_a, amount=6_000, key=key)
        monkeypatch.undo()
        return list(StatementLine.objects.order_by("sequence").values_list("public_id", flat=True))


def test_providers_read_their_statement_for_a_period_with_totals(api_a, statement):
    auth = _auth(api_a, PROVIDER)

    everything = api_a.get("/api/v1/providers/me/statement/?page_size=2", **auth).json()
    second_of_march = api_a.get("/api/v1/providers/me/statement/?from=2026-03-02&to=2026-03-02", **auth).json()
    later = api_a.get("/api/v1/providers/me/statement/?from=2026-03-04", **auth).json()

    # every line, newest first, two to a page; the totals cover the whole period
    assert everything["count"] == 3 and everything["next"]
    assert [(line["number"], line["kind"]) for line in everything["results"]] == [
        ("S-000003", "clawback"),
        ("S-000002", "release"),
    ]
    assert everything["totals"] == [
        {"currency": "USD", "gross": 9_000, "commission": 960, "platform_fee": 240, "net_to_provider": 7_800}
    ]
    # 2 March in Tokyo: both releases, not the clawback (3 March there)
    assert [line["number"] for line in second_of_march["results"]] == ["S-000002", "S-000001"]
    release = second_of_march["results"][1]
    assert (release["gross"]["amount"], release["commission"]["amount"], release["platform_fee"]["amount"]) == (
        6_000,
        480,
        120,
    )
    assert release["net_to_provider"]["formatted"] == "54.00 USD" and release["commission_bps"] == 1000
    assert second_of_march["totals"] == [
        {"currency": "USD", "gross": 12_000, "commission": 960, "platform_fee": 240, "net_to_provider": 10_800}
    ]
    assert later == {"count": 0, "next": None, "previous": None, "results": [], "totals": []}


def test_providers_download_their_own_statement_lines_only(api_a, tenant_a, statement):
    with tenant_context(tenant_a):
        rival_user = UserFactory(email="rival-pro@example.org", is_provider=True)
        ProviderProfile.objects.create(user=rival_user, headline="Rival", status="approved")
    url = f"/api/v1/providers/me/statement/{statement[0]}/pdf/"

    mine = api_a.get(url, **_auth(api_a, PROVIDER))
    rival = api_a.get(url, **_auth(api_a, "rival-pro@example.org"))
    rival_list = api_a.get("/api/v1/providers/me/statement/", **_auth(api_a, "rival-pro@example.org")).json()

    assert mine.status_code == 200 and "Statement line S-000001" in page_text(mine.content)
    assert rival.status_code == 404 and rival_list["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=March", "from"), ("to=2026-02-30", "to"), ("from=2026-03-02&to=2026-03-01", "to")],
)
def test_bad_dates_name_the_parameter(api_a, statement, query, field):
    response = api_a.get(f"/api/v1/providers/me/statement/?{query}", **_auth(api_a, PROVIDER))

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [field]


def test_people_who_are_not_providers_have_no_statement(api_a, paid_and_refunded):
    response = api_a.get("/api/v1/providers/me/statement/", **_auth(api_a, CLIENT))

    assert response.status_code == 409 and response.json()["error"]["code"] == "not_a_provider"


def test_a_booking_paid_and_completed_gives_a_receipt_and_a_statement_line(api_a, tenant_a, tutoring):  # noqa: F811
    # given a client who books and pays an instant session
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()
    assert _act(api_a, booking["id"], "pay", "client@example.org").status_code == 200
    # when the session ends and the auto-complete timer releases the money
    with tenant_context(tenant_a):
        timers_run(now=datetime.fromisoformat(booking["ends_at"]) + timedelta(hours=49))

    # then the client has a receipt and the tutor a statement line
    receipts = api_a.get("/api/v1/me/receipts/", **_auth(api_a, "client@example.org")).json()["results"]
    lines = api_a.get("/api/v1/providers/me/statement/", **_auth(api_a, "tutor@example.org")).json()["results"]
    assert [(r["number"], r["booking"], r["gross"]["amount"]) for r in receipts] == [("R-000001", booking["id"], 6000)]
    assert receipts[0]["listing_title"] == "One-to-one sessions" and receipts[0]["package_name"] == "Hour"
    assert [(s["number"], s["kind"], s["gross"]["amount"]) for s in lines] == [("S-000001", "release", 6000)]
