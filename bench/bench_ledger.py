"""Ledger: posting throughput and the latency of a release with its commission split.

Sequential, one journal transaction per database transaction (as the services post them), in one
marketplace: BENCH_POSTINGS captures into escrow (journal transactions per second), then a release
with commission and platform fee split for each of BENCH_RELEASES bookings (p50/p95).
"""

from __future__ import annotations

import os
import time

from _setup import emit, percentile, use_fresh_database

POSTINGS = int(os.environ.get("BENCH_POSTINGS", "2000"))
RELEASES = int(os.environ.get("BENCH_RELEASES", "500"))


def main() -> None:
    use_fresh_database("bench_ledger")
    import io
    from contextlib import redirect_stdout

    from django.core.management import call_command
    from django.db import connection, transaction

    from marketplace.payments.escrow import escrow_capture, escrow_release, escrow_state
    from marketplace.payments.models import JournalEntry
    from tenants.context import tenant_context
    from tenants.services import template_ensure, tenant_provision
    from tests.payments.conftest import make_booking

    with redirect_stdout(io.StringIO()):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_ensure()
    tenant = tenant_provision(name="Ledger Bench", slug="ledgerbench", kind="agency", admin_email="a@ledger.test")
    bookings = [make_booking(tenant, tag=str(i), price=12_345) for i in range(RELEASES)]
    with tenant_context(tenant):
        started = time.perf_counter()
        for index in range(POSTINGS):
            with transaction.atomic():
                escrow_capture(booking=bookings[index % RELEASES], amount=12_345, key=f"cap-{index}")
        elapsed = time.perf_counter() - started
        emit("ledger_postings_per_second", POSTINGS / elapsed, "transactions/s", postings=POSTINGS, entries_each=2)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        times = []
        for index, booking in enumerate(bookings):
            t0 = time.perf_counter()
            with transaction.atomic():
                escrow_release(booking=booking, amount=12_345, key=f"rel-{index}")
            times.append(time.perf_counter() - t0)
        sample = escrow_state(bookings[0])
        total = sum(JournalEntry.objects.values_list("amount", flat=True))
    emit("ledger_release_p50", percentile(times, 0.5) * 1000, "ms", releases=RELEASES)
    emit("ledger_release_p95", percentile(times, 0.95) * 1000, "ms", releases=RELEASES, balanced=total == 0)
    assert sample.released == 12_345 and total == 0


if __name__ == "__main__":
    main()
