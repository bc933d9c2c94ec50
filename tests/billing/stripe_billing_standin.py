"""Stripe Billing on 127.0.0.1 for the Stripe billing provider's tests: the payments tests' recording
stand-in (tests/payments/stripe_standin.py) in front of localstripe, taught the invoice calls
localstripe lacks. Nothing reaches the internet.

localstripe (1.15) holds the customers (with `invoice_settings.default_payment_method`), payment
methods (attach, and its test cards: `pm_card_visa` pays, `pm_card_visa_chargeDeclined` is refused
when attached, `pm_card_chargeCustomerFail` attaches and is declined when charged) and the
PaymentIntents. Its invoices only come from subscriptions: no one-off invoice, no
`collection_method`, `auto_advance` or `pending_invoice_items_behavior`, no invoice item added to a
given invoice, no finalize. The stand-in answers those itself, shaped as in Stripe's API reference:

- POST /v1/invoices: a draft invoice for a customer localstripe knows;
- POST /v1/invoiceitems with `invoice`: a line of that draft invoice (the same customer and currency);
- POST /v1/invoices/{id}/finalize: draft → open;
- POST /v1/invoices/{id}/pay: a PaymentIntent for the amount remaining, made and confirmed on
  localstripe off-session with the customer's default payment method, so the test cards decline
  there as they would at Stripe: 402 `card_declined`, or 402
  `invoice_payment_intent_requires_action` for a card wanting 3-D Secure; the invoice stays open
  with its attempt counted, or is paid;
- GET /v1/invoices/{id}: what it holds (the payments stand-in's own lookup).

Idempotency keys are replayed by the payments stand-in for all of these.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from tests.payments.stripe_standin import StripeStandIn, _id, _metadata, _missing, _now, stripe_standin

# localstripe only checks that a secret key is given; the stand-in calls it with its own.
UPSTREAM = {"Authorization": "Bearer sk_test_billing_standin", "Content-Type": "application/x-www-form-urlencoded"}
REQUIRES_ACTION = (
    "This payment requires additional user action before it can be completed successfully. Payment can be "
    "completed using the PaymentIntent associated with the invoice."
)

Answer = tuple[int, dict]


@contextmanager
def stripe_billing_standin(upstream: str) -> Iterator[StripeStandIn]:
    """The payments stand-in in front of localstripe, answering the invoice calls as well."""
    with stripe_standin(upstream=upstream) as standin:
        standin.answer = functools.partial(_answer, standin, standin.answer)
        yield standin


def _answer(
    standin: StripeStandIn, others: Callable, method: str, path: str, form: dict, account: str
) -> Answer | None:
    parts = path.strip("/").split("/")
    if method == "POST" and path == "/v1/invoices":
        return _invoice_create(standin, form)
    if method == "POST" and path == "/v1/invoiceitems" and "invoice" in form:
        return _item_add(standin, form)
    if method == "POST" and len(parts) == 4 and parts[1] == "invoices" and parts[3] in ("finalize", "pay"):
        invoice = standin.find(parts[2])
        if invoice is None:
            return _missing("invoice", parts[2])
        return _finalize(invoice) if parts[3] == "finalize" else _pay(standin, invoice, form)
    return others(method, path, form, account)


def _upstream(standin: StripeStandIn, method: str, path: str, form: dict | None = None) -> Answer:
    status, body = standin.passed_on(method, path, urlencode(form or {}).encode(), UPSTREAM)
    return status, json.loads(body)


def _refused(message: str, *, status: int = 400, kind: str = "invalid_request_error", **error) -> Answer:
    return status, {"error": {"type": kind, "message": message, **error}}


def _invoice_create(standin: StripeStandIn, form: dict) -> Answer:
    customer = form.get("customer", "")
    if _upstream(standin, "GET", f"/v1/customers/{customer}")[0] != 200:
        return _missing("customer", customer)
    invoice_id = _id("in")
    return 200, standin.add(
        "/v1/invoices",
        {
            "id": invoice_id,
            "object": "invoice",
            "customer": customer,
            "currency": form.get("currency", "usd"),
            "collection_method": form.get("collection_method", "charge_automatically"),
            "auto_advance": form.get("auto_advance") == "true",
            "description": form.get("description"),
            "metadata": _metadata(form),
            "status": "draft",
            "lines": {"object": "list", "data": [], "has_more": False, "url": f"/v1/invoices/{invoice_id}/lines"},
            "subtotal": 0,
            "total": 0,
            "amount_due": 0,
            "amount_paid": 0,
            "amount_remaining": 0,
            "attempt_count": 0,
            "attempted": False,
            "status_transitions": {"finalized_at": None, "paid_at": None, "voided_at": None},
            "payments": {"object": "list", "data": [], "has_more": False, "url": "/v1/invoice_payments"},
            "created": _now(),
        },
    )


def _item_add(standin: StripeStandIn, form: dict) -> Answer:
    invoice = standin.find(form["invoice"])
    if invoice is None:
        return _missing("invoice", form["invoice"])
    if invoice["status"] != "draft":
        return _refused(f"Invoice {invoice['id']} is {invoice['status']}: items can only be added to a draft.")
    if (form.get("customer"), form.get("currency")) != (invoice["customer"], invoice["currency"]):
        return _refused("The invoice item's customer and currency must be the invoice's.")
    item = {
        "id": _id("ii"),
        "object": "invoiceitem",
        "invoice": invoice["id"],
        "customer": invoice["customer"],
        "currency": invoice["currency"],
        "amount": int(form["amount"]),
        "description": form.get("description"),
        "metadata": _metadata(form),
        "date": _now(),
    }
    line = {"id": _id("il"), "object": "line_item", "invoice_item": item["id"]}
    line.update({name: item[name] for name in ("amount", "currency", "description", "metadata")})
    invoice["lines"]["data"].append(line)
    total = sum(line["amount"] for line in invoice["lines"]["data"])
    invoice.update(subtotal=total, total=total, amount_due=total, amount_remaining=total)
    return 200, standin.add("/v1/invoiceitems", item)


def _finalize(invoice: dict) -> Answer:
    if invoice["status"] != "draft":
        return _refused("This invoice is already finalized, you can't re-finalize a non-draft invoice.")
    invoice["status"] = "open" if invoice["total"] else "paid"  # nothing due: paid as it is finalized
    invoice["status_transitions"]["finalized_at"] = _now()
    return 200, invoice


def _pay(standin: StripeStandIn, invoice: dict, form: dict) -> Answer:
    if invoice["status"] == "draft":
        _finalize(invoice)
    if invoice["status"] == "paid":
        return _refused("Invoice is already paid")
    if invoice["status"] != "open":
        return _refused(f"You cannot pay a {invoice['status']} invoice.")
    _, customer = _upstream(standin, "GET", f"/v1/customers/{invoice['customer']}")
    method = form.get("payment_method") or customer["invoice_settings"].get("default_payment_method")
    if not method:
        return _refused("This customer has no attached payment source or default payment method.")
    invoice.update(attempt_count=invoice["attempt_count"] + 1, attempted=True)
    status, intent = _upstream(
        standin,
        "POST",
        "/v1/payment_intents",
        {
            "amount": invoice["amount_remaining"],
            "currency": invoice["currency"],
            "customer": invoice["customer"],
            "payment_method": method,
            "confirm": "true",
            "off_session": "true",
            "metadata[invoice]": invoice["id"],
        },
    )
    if status == 402:
        error = intent["error"]
        return _refused(error["message"], status=402, kind="card_error", code=error.get("code", "card_declined"))
    if status != 200:
        return status, intent
    if intent["status"] == "requires_action":
        return _refused(REQUIRES_ACTION, status=402, kind="card_error", code="invoice_payment_intent_requires_action")
    paid = invoice["amount_remaining"]
    invoice.update(status="paid", amount_paid=paid, amount_remaining=0)
    invoice["status_transitions"]["paid_at"] = _now()
    payment = {"type": "payment_intent", "payment_intent": intent["id"]}
    invoice["payments"]["data"].append(
        {"id": _id("inpay"), "object": "invoice_payment", "amount_paid": paid, "status": "paid", "payment": payment}
    )
    return 200, invoice
