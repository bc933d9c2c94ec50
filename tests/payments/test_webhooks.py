"""Processor events over HTTP: a signed event is stored once and processed; a repeated delivery is
acknowledged and changes nothing; a bad signature gets 400, is logged and stores nothing."""

import json
import logging
import time

import pytest

from marketplace.payments import payouts
from marketplace.payments.gateways.local import SIGNATURE_HEADER, sign
from marketplace.payments.models import PayeeAccount, WebhookEvent
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/webhooks/local/"


def _payee(tenant, tag="a") -> PayeeAccount:
    booking = make_booking(tenant, tag=tag)
    with tenant_context(tenant):
        return payouts.payee_onboard(booking.provider, email="pro@x.test", return_url="https://x.test/")


def _event(account: str, *, event_id="evt_1", enabled=False) -> bytes:
    body = {
        "id": event_id,
        "kind": "payee.updated",
        "reference": account,
        "created": int(time.time()),
        "data": {"payouts_enabled": enabled},
    }
    return json.dumps(body).encode()


def _post(api, payload: bytes, signature: str | None = None):
    headers = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": signature or sign(payload)}
    return api.post(URL, payload, content_type="application/json", **headers)


def test_a_signed_event_is_stored_once_and_processed(api_a, tenant_a, run_on_commit):
    payee = _payee(tenant_a)
    payload = _event(payee.account)

    with run_on_commit():
        first = _post(api_a, payload)
    with run_on_commit():
        again = _post(api_a, payload)

    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False}
    assert again.status_code == 200 and again.json() == {"received": True, "duplicate": True}
    with tenant_context(tenant_a):
        event = WebhookEvent.objects.get()
        payee.refresh_from_db()
    assert (event.event_id, event.kind, event.processed_at is not None) == ("evt_1", "payee.updated", True)
    assert payee.payouts_enabled is False


@pytest.mark.parametrize(
    "signature",
    [
        "t=1,v1=00",  # made up
        "nonsense",
        None,  # replaced below by a signature of another payload
        "stale",  # a real signature, ten minutes old
    ],
)
def test_a_bad_signature_gets_400_is_logged_and_stores_nothing(api_a, tenant_a, caplog, signature):
    payee = _payee(tenant_a)
    payload = _event(payee.account)
    if signature is None:
        signature = sign(_event(payee.account, enabled=True))
    elif signature == "stale":
        signature = sign(payload, at=int(time.time()) - 600)

    with caplog.at_level(logging.WARNING):
        refused = _post(api_a, payload, signature)

    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_signature"
    assert "refused a local webhook" in caplog.text
    with tenant_context(tenant_a):
        assert WebhookEvent.objects.count() == 0
        payee.refresh_from_db()
    assert payee.payouts_enabled is True


def test_events_for_another_processor_are_not_found(api_a):
    refused = api_a.post("/api/v1/payments/webhooks/stripe/", b"{}", content_type="application/json")

    assert refused.status_code == 404


def test_an_event_at_one_marketplace_stays_there(api_a, tenant_a, tenant_b, run_on_commit):
    payee = _payee(tenant_a)
    other = _payee(tenant_b, tag="b")

    with run_on_commit():
        _post(api_a, _event(payee.account))

    with tenant_context(tenant_b):
        other.refresh_from_db()
        assert WebhookEvent.objects.count() == 0
    assert other.payouts_enabled is True
