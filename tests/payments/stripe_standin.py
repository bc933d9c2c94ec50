"""Stripe on 127.0.0.1 for the Stripe gateway's tests; nothing reaches the internet.

- `localstripe_server()`: localstripe (PyPI), a stateful fake of Stripe's payments API, as its own
  process. It holds the PaymentIntents, PaymentMethods and refunds.
- `StripeStandIn`: an `http.server` in front of it that records every request (method, path, form,
  headers such as Idempotency-Key and Stripe-Account) and answers itself what localstripe does not
  implement, shaped like the objects in Stripe's API reference: Connect accounts, account links,
  transfers and their reversals, payouts on a connected account, and filtered, paged lists of what
  it holds (reconciliation reads those). Anything else goes on to localstripe, or is a 404 when the
  stand-in runs alone. localstripe ignores Idempotency-Key, so the stand-in replays the first answer
  to a key as Stripe does (and refuses the key with other parameters).
- `signed_event()`: a webhook as Stripe sends it, signed the way Stripe signs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.processes import free_port, log_file, stop

# localstripe's own command listens on every interface and reloads what an earlier run left in
# /tmp; its application, started here, listens on loopback only and starts empty.
LOCALSTRIPE = (
    "import sys; from aiohttp import web; from localstripe.server import app; "
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None, shutdown_timeout=0.5)"
)


# Lists the stand-in answers even when it holds nothing for them (the rest only once seeded by `add`).
OWN_LISTS = {"/v1/accounts", "/v1/transfers", "/v1/payouts", "/v1/balance_transactions"}


@contextmanager
def localstripe_server() -> Iterator[str]:
    """localstripe's base URL while it runs; skips the tests that need it when it cannot start."""
    port = free_port()
    log = log_file("localstripe")
    proc = subprocess.Popen([sys.executable, "-c", LOCALSTRIPE, str(port)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc, log)
            last = (Path(log.name).read_text(errors="replace").strip().splitlines() or ["no answer on its port"])[-1]
            pytest.skip(f"localstripe did not start: {last}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc, log)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    form: dict[str, str]  # the body (or query) as Stripe's library encodes it: "metadata[ledger_key]" etc.
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)


@dataclass
class StripeStandIn:
    upstream: str | None = None  # localstripe, for everything the stand-in does not answer itself
    requests: list[Recorded] = field(default_factory=list)
    # (Stripe-Account or "", collection path) -> objects, oldest first
    held: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    refusals: dict[str, tuple[int, dict]] = field(default_factory=dict)
    replays: dict[str, tuple[str, int, bytes]] = field(default_factory=dict)
    url: str = ""

    def to(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def refuse(self, path: str, status: int, error: dict) -> None:
        """Answer every request to `path` with Stripe's error shape, `{"error": error}`."""
        self.refusals[path] = (status, {"error": error})

    def add(self, path: str, obj: dict, *, account: str = "") -> dict:
        self.held.setdefault((account, path), []).append(obj)
        return obj

    def find(self, obj_id: str) -> dict | None:
        return next((o for objs in self.held.values() for o in objs if o.get("id") == obj_id), None)

    def finish_onboarding(self, account: str, *, last4: str = "6789") -> None:
        """The account as Stripe shows it once the provider has given their bank and been verified."""
        found = self.find(account)
        found.update(details_submitted=True, payouts_enabled=True, capabilities={"transfers": "active"})
        bank = {"id": _id("ba"), "object": "bank_account", "account": account, "last4": last4, "currency": "usd"}
        found["external_accounts"]["data"].append(bank)

    # --- answering ------------------------------------------------------------------------------

    def answer(self, method: str, path: str, form: dict[str, str], account: str) -> tuple[int, dict] | None:
        """The stand-in's own answer, or None to pass the request on."""
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v1/accounts":
            return 200, self.add(path, _account(form))
        if method == "POST" and path == "/v1/account_links":
            if self.find(form.get("account", "")) is None:
                return _missing("account", form.get("account"))
            link = f"https://connect.stripe.test/setup/e/{form['account']}/{secrets.token_urlsafe(8)}"
            return 200, {"object": "account_link", "created": _now(), "expires_at": _now() + 300, "url": link}
        if method == "POST" and path == "/v1/transfers":
            if self.find(form.get("destination", "")) is None:
                return _missing("destination", form.get("destination"))
            return 200, self.add(path, _transfer(form))
        if method == "POST" and len(parts) == 4 and parts[1] == "transfers" and parts[3] == "reversals":
            return self._reverse(parts[2], form)
        if method == "POST" and path == "/v1/payouts":
            return 200, self.add(path, _payout(form), account=account)
        if method == "GET" and (path in OWN_LISTS or (account, path) in self.held):
            return 200, self._list(path, form, account)
        if method == "GET" and len(parts) == 3 and (found := self.find(parts[2])) is not None:
            return 200, found
        return None

    def _reverse(self, transfer_id: str, form: dict[str, str]) -> tuple[int, dict]:
        transfer = self.find(transfer_id)
        if transfer is None:
            return _missing("transfer", transfer_id)
        amount = int(form.get("amount", transfer["amount"] - transfer["amount_reversed"]))
        if amount > transfer["amount"] - transfer["amount_reversed"]:
            message = "You have attempted to reverse more than the transfer's remaining amount."
            return 400, {"error": {"type": "invalid_request_error", "param": "amount", "message": message}}
        reversal = {
            "id": _id("trr"),
            "object": "transfer_reversal",
            "amount": amount,
            "currency": transfer["currency"],
            "transfer": transfer_id,
            "metadata": _metadata(form),
            "created": _now(),
        }
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, reversal)
        self.add(
            "/v1/balance_transactions",
            {
                "id": _id("txn"),
                "object": "balance_transaction",
                "type": "transfer_refund",
                "amount": amount,
                "currency": reversal["currency"],
                "source": reversal["id"],
                "created": reversal["created"],
            },
        )
        return 200, self.add(f"/v1/transfers/{transfer_id}/reversals", reversal)

    def _list(self, path: str, query: dict[str, str], account: str) -> dict:
        """A page of a list, newest first, as Stripe pages them (created[gte|lt], type, limit,
        starting_after, expand[]=data.source)."""
        objs = list(reversed(self.held.get((account, path), [])))
        for bound, fits in (("gte", lambda a, b: a >= b), ("lt", lambda a, b: a < b)):
            if f"created[{bound}]" in query:
                objs = [o for o in objs if fits(o["created"], int(query[f"created[{bound}]"]))]
        if "type" in query:
            objs = [o for o in objs if o.get("type") == query["type"]]
        if "starting_after" in query:
            objs = objs[[o["id"] for o in objs].index(query["starting_after"]) + 1 :]
        limit = int(query.get("limit", 10))
        page = [dict(o) for o in objs[:limit]]
        if "data.source" in (v for k, v in query.items() if k.startswith("expand")):
            for o in page:
                o["source"] = self.find(o["source"])
        return {"object": "list", "url": path, "has_more": len(objs) > limit, "data": page}

    def passed_on(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.upstream is None:
            return 404, json.dumps(_missing("resource", target)[1]).encode()
        keep = {k: v for k, v in headers.items() if k.lower() in ("authorization", "content-type", "idempotency-key")}
        request = urllib.request.Request(self.upstream + target, data=body or None, method=method, headers=keep)  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


@contextmanager
def stripe_standin(upstream: str | None = None) -> Iterator[StripeStandIn]:
    """A `StripeStandIn` on a free 127.0.0.1 port while the block runs."""
    standin = StripeStandIn(upstream=upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            self._handle()

        def do_POST(self):  # noqa: N802
            self._handle()

        def do_DELETE(self):  # noqa: N802
            self._handle()

        def _handle(self):
            target = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            form = dict(parse_qsl(body.decode() or target.query, keep_blank_values=True))
            headers = dict(self.headers.items())
            standin.requests.append(Recorded(self.command, target.path, form, headers))
            status, payload, replayed = self._answer(target, body, form, headers)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if replayed:
                self.send_header("Idempotent-Replayed", "true")
            self.end_headers()
            self.wfile.write(payload)

        def _answer(self, target, body, form, headers) -> tuple[int, bytes, bool]:
            if target.path in standin.refusals:
                status, error = standin.refusals[target.path]
                return status, json.dumps(error).encode(), False
            key = headers.get("Idempotency-Key") if self.command == "POST" else None
            if key in standin.replays:
                first_body, status, payload = standin.replays[key]
                if first_body == body.decode():
                    return status, payload, True
                message = f"Keys for idempotent requests can only be used with the same parameters ({key})."
                return 400, json.dumps({"error": {"type": "idempotency_error", "message": message}}).encode(), False
            own = standin.answer(self.command, target.path, form, headers.get("Stripe-Account", ""))
            if own is not None:
                status, payload = own[0], json.dumps(own[1]).encode()
            else:
                status, payload = standin.passed_on(self.command, self.path, body, headers)
            if key:
                standin.replays[key] = (body.decode(), status, payload)
            return status, payload, False

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    standin.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield standin
    finally:
        httpd.shutdown()
        httpd.server_close()


def signed_event(event_type: str, obj: dict, *, secret: str, at: int | None = None, **event: Any) -> tuple[bytes, dict]:
    """The body and headers of a webhook as Stripe sends it: the event as JSON, signed."""
    at = int(time.time()) if at is None else at
    body = {
        "id": _id("evt"),
        "object": "event",
        "type": event_type,
        "created": at,
        "livemode": False,
        "api_version": "2026-10-28.endive",
        "data": {"object": obj},
        **event,
    }
    payload = json.dumps(body).encode()
    return payload, {"Stripe-Signature": stripe_signature(payload, secret=secret, at=at)}


def stripe_signature(payload: bytes, *, secret: str, at: int) -> str:
    """Stripe-Signature: `t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>" under the endpoint's secret>`."""
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


# --- objects shaped like Stripe's ----------------------------------------------------------------


def _account(form: dict[str, str]) -> dict:
    account_id = _id("acct")
    return {
        "id": account_id,
        "object": "account",
        "type": form.get("type"),
        "email": form.get("email"),
        "country": form.get("country", "US"),
        "capabilities": {"transfers": "inactive"},
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "settings": {"payouts": {"schedule": {"interval": form.get("settings[payouts][schedule][interval]", "daily")}}},
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/accounts/{account_id}/external_accounts",
        },
        "metadata": _metadata(form),
        "created": _now(),
    }


def _transfer(form: dict[str, str]) -> dict:
    transfer_id = _id("tr")
    return {
        "id": transfer_id,
        "object": "transfer",
        "amount": int(form["amount"]),
        "amount_reversed": 0,
        "currency": form["currency"],
        "destination": form["destination"],
        "transfer_group": form.get("transfer_group"),
        "reversed": False,
        "reversals": {"object": "list", "data": [], "has_more": False, "url": f"/v1/transfers/{transfer_id}/reversals"},
        "metadata": _metadata(form),
        "created": _now(),
    }


def _payout(form: dict[str, str]) -> dict:
    return {
        "id": _id("po"),
        "object": "payout",
        "amount": int(form["amount"]),
        "currency": form["currency"],
        "status": "pending",
        "method": "standard",
        "type": "bank_account",
        "destination": _id("ba"),
        "arrival_date": _now() + 2 * 86_400,
        "automatic": False,
        "failure_code": None,
        "failure_message": None,
        "metadata": _metadata(form),
        "created": _now(),
    }


def _metadata(form: dict[str, str]) -> dict[str, str]:
    return {key[len("metadata[") : -1]: value for key, value in form.items() if key.startswith("metadata[")}


def _missing(param: str, value: Any) -> tuple[int, dict]:
    message = f"No such {param}: '{value}'"
    return 400, {
        "error": {"type": "invalid_request_error", "code": "resource_missing", "param": param, "message": message}
    }


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _now() -> int:
    return int(time.time())
