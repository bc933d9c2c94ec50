"""Ledger: posting throughput and the latency of a release with its commission split.

Sequential, one journal transaction per database transaction (as the services post them), in one
marketplace: BENCH_POSTINGS captures into escrow (journal transactions per second), then a release
with commission and platform fee split for each of BENCH_RELEASES bookings (p50/p95).

Wall times swing with whatever else the machine runs, so two figures that load does not change much
come with them: the CPU time per operation, of this process plus its PostgreSQL backend (read from
/proc; only when the server runs on this machine), and the SQL statements one capture and one release
send (COMMIT not counted).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from _setup import emit, percentile, prepare_platform, use_fresh_database

POSTINGS = int(os.environ.get("BENCH_POSTINGS", "2000"))
RELEASES = int(os.environ.get("BENCH_RELEASES", "500"))
DATABASE = os.environ.get("BENCH_DATABASE", "bench_ledger")  # another name keeps parallel runs apart


def cpu_seconds(backend_pid: int) -> float:
    """CPU time so far of this process and of PostgreSQL backend `backend_pid` (0 for it when its
    /proc entry cannot be read)."""
    try:
        fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except OSError:
        backend = 0.0
    return time.process_time() + backend


def main() -> None:
    use_fresh_database(DATABASE)

    from django.conf import settings
    from django.db import connection, transaction

    from marketplace.payments.escrow import escrow_capture, escrow_release, escrow_state
    from marketplace.payments.models import JournalEntry
    from tenants.context import tenant_context
    from tenants.services import tenant_provision
    from tests.payments.conftest import make_booking

    prepare_platform()
    # The fixtures' users need no real password hashing (it took most of the set-up time).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tenant = tenant_provision(name="Ledger Bench", slug="ledgerbench", kind="agency", admin_email="a@ledger.test")
    bookings = [make_booking(tenant, tag=str(i), price=12_345) for i in range(RELEASES + 1)]
    spare = bookings.pop()  # for counting statements
    with tenant_context(tenant):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
        started, cpu_started = time.perf_counter(), cpu_seconds(backend_pid)
        for index in range(POSTINGS):
            with transaction.atomic():
                escrow_capture(booking=bookings[index % RELEASES], amount=12_345, key=f"cap-{index}")
        elapsed, capture_cpu = time.perf_counter() - started, cpu_seconds(backend_pid) - cpu_started
        emit("ledger_postings_per_second", POSTINGS / elapsed, "transactions/s", postings=POSTINGS, entries_each=2)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        times = []
        cpu_started = cpu_seconds(backend_pid)
        for index, booking in enumerate(bookings):
            t0 = time.perf_counter()
            with transaction.atomic():
                escrow_release(booking=booking, amount=12_345, key=f"rel-{index}")
            times.append(time.perf_counter() - t0)
        release_cpu = cpu_seconds(backend_pid) - cpu_started
        sample = escrow_state(bookings[0])
        statements = []
        with connection.execute_wrapper(lambda execute, *args: statements.append(args[0]) or execute(*args)):
            with transaction.atomic():
                escrow_capture(booking=spare, amount=12_345, key="count-cap")
            captured = len(statements)
            with transaction.atomic():
                escrow_release(booking=spare, amount=12_345, key="count-rel")
        total = sum(JournalEntry.objects.values_list("amount", flat=True))
    emit("ledger_release_p50", percentile(times, 0.5) * 1000, "ms", releases=RELEASES)
    emit("ledger_release_p95", percentile(times, 0.95) * 1000, "ms", releases=RELEASES, balanced=total == 0)
    emit("ledger_capture_cpu", capture_cpu / POSTINGS * 1000, "ms", client_and_server=True)
    emit("ledger_release_cpu", release_cpu / RELEASES * 1000, "ms", client_and_server=True)
    emit("ledger_statements_per_capture", captured, "statements", first_for_booking=True)
    emit("ledger_statements_per_release", len(statements) - captured, "statements", first_for_provider=True)
    assert sample.released == 12_345 and total == 0


if __name__ == "__main__":
    main()
