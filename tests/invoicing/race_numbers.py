"""Captures of different bookings at the same instant, each in its own process and connection, in a
throwaway marketplace that is dropped afterwards. One of them rolls back after drawing its receipt
number, holding the counter a moment while the others wait for it.

    python tests/invoicing/race_numbers.py     # prints JSON: each attempt's outcome and the receipts
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ATTEMPTS = 6


class RolledBack(Exception):
    pass


def _attempt(schema: str, booking_id: int, key: str, roll_back: bool, barrier, results) -> None:
    from django.db import connection, transaction

    from marketplace.bookings.models import Booking
    from marketplace.invoicing.models import ClientDocument
    from marketplace.payments.escrow import escrow_capture
    from tenants.context import tenant_context
    from tenants.models import Tenant

    connection.close()
    with tenant_context(Tenant.objects.get(schema_name=schema)):
        booking = Booking.objects.get(pk=booking_id)
        barrier.wait()
        try:
            with transaction.atomic():
                escrow_capture(booking=booking, amount=booking.price, key=key)
                number = ClientDocument.objects.get(journal__idempotency_key=key).number
                if roll_back:
                    time.sleep(0.5)
                    raise RolledBack(number)
            results.put([key, "committed", number])
        except RolledBack as drawn:
            results.put([key, "rolled_back", str(drawn)])
        except Exception as error:  # noqa: BLE001 - reported, and the caller asserts there is none
            results.put([key, "error", repr(error)])
    connection.close()


def main() -> dict:
    from django.db import connections

    from marketplace.invoicing.models import ClientDocument, NumberCounter
    from marketplace.payments.escrow import escrow_capture
    from tenants.context import tenant_context
    from tests.payments.conftest import make_booking
    from tests.processes import throwaway_marketplace

    with throwaway_marketplace() as tenant:
        slug = tenant.schema_name
        bookings = [make_booking(tenant, price=5_000, tag=str(i)) for i in range(ATTEMPTS + 1)]
        with tenant_context(tenant):  # the first receipt, before the race (it also opens the shared accounts)
            escrow_capture(booking=bookings[0], amount=5_000, key="capture-0")
        connections.close_all()
        context = multiprocessing.get_context("fork")
        barrier, results = context.Barrier(ATTEMPTS), context.Queue()
        workers = [
            context.Process(target=_attempt, args=(slug, booking.pk, f"capture-{i}", i == 1, barrier, results))
            for i, booking in enumerate(bookings[1:], start=1)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        with tenant_context(tenant):
            receipts = sorted(ClientDocument.objects.values_list("number", flat=True))
            last = NumberCounter.objects.get(series="R").last
        return {"outcomes": sorted(outcomes), "receipts": receipts, "last": last}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from tests.processes import script_main

    script_main(main)
