"""Two releases (or two refunds) of the same booking, and two payouts for one provider, at the same
instant, each in its own process and connection, in a throwaway marketplace that is dropped afterwards.

    python tests/payments/race_release.py     # prints JSON: each attempt's outcome and the final state
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _attempt(schema: str, booking_id: int, operation: str, amount: int, key: str, barrier, results) -> None:
    from django.db import connection

    from marketplace.bookings.models import Booking
    from marketplace.common.errors import DomainError
    from marketplace.payments import escrow, payouts
    from tenants.context import tenant_context
    from tenants.models import Tenant

    connection.close()
    with tenant_context(Tenant.objects.get(schema_name=schema)):
        booking = Booking.objects.get(pk=booking_id)
        barrier.wait()
        try:
            if operation == "payout":
                done = payouts.payout_request(booking.provider, amount=amount, currency="USD", key=key)
            else:
                done = getattr(escrow, f"escrow_{operation}")(booking=booking, amount=amount, key=key)
            results.put([operation, key, "ok", done.public_id])
        except DomainError as error:
            results.put([operation, key, error.status_code, error.code])
        except Exception as error:  # noqa: BLE001 - reported, and the caller asserts there is none
            results.put([operation, key, 500, repr(error)])
    connection.close()


def main() -> dict:
    from django.db import connections

    from marketplace.payments.escrow import escrow_capture, escrow_release, escrow_state
    from marketplace.payments.payouts import earnings, payee_onboard
    from tenants.context import tenant_context
    from tests.payments.conftest import make_booking
    from tests.processes import throwaway_marketplace

    with throwaway_marketplace() as tenant:
        slug = tenant.schema_name
        booking = make_booking(tenant, price=10_000)
        earned = make_booking(tenant, price=10_000, tag="paid")  # 9,000 on its provider's balance
        with tenant_context(tenant):
            escrow_capture(booking=booking, amount=10_000, key="capture")
            escrow_capture(booking=earned, amount=10_000, key="earned-capture")
            escrow_release(booking=earned, amount=10_000, key="earned-release")
            payee_onboard(earned.provider, email="pro@race.test", return_url="https://race.test/")
        connections.close_all()
        context = multiprocessing.get_context("fork")
        attempts = [
            ("release", booking, 10_000, "release-a"),
            ("release", booking, 10_000, "release-b"),  # a second, different release of all of it
            ("refund", booking, 6_000, "refund-a"),
            ("refund", booking, 6_000, "refund-a"),  # the same refund twice (a replay)
            ("payout", earned, 5_000, "payout-a"),
            ("payout", earned, 5_000, "payout-b"),  # a second payout while the first is in flight
        ]
        barrier, results = context.Barrier(len(attempts)), context.Queue()
        workers = [
            context.Process(target=_attempt, args=(slug, on.pk, op, amount, key, barrier, results))
            for op, on, amount, key in attempts
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        with tenant_context(tenant):
            state = escrow_state(booking)
            from marketplace.payments.models import JournalEntry, JournalTransaction

            journals = sorted(
                JournalTransaction.objects.filter(booking=booking).values_list("idempotency_key", flat=True)
            )
            total = sum(JournalEntry.objects.values_list("amount", flat=True))
            left = earnings(earned.provider, "USD")
        return {
            "outcomes": sorted(outcomes, key=str),
            "state": {
                "captured": state.captured,
                "released": state.released,
                "refunded": state.refunded,
                "held": state.held,
            },
            "journals": journals,
            "sum": total,
            "earnings": {"available": left.available, "in_transit": left.in_transit, "paid_out": left.paid_out},
        }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from tests.processes import script_main

    script_main(main)
