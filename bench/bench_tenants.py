"""Tenant provisioning time as the number of tenants grows, and the cost of a no-op migration run.

Prints one JSON object per measurement. Environment:
  BENCH_TENANTS      tenants to create (default 500)
  BENCH_PLAIN        tenants created by plain migrations for comparison (default 2)
  BENCH_SKIP_PLAIN_MIGRATE=1  skip the slow stock `migrate_schemas` no-op runs
"""

from __future__ import annotations

import io
import os
import time
from contextlib import redirect_stderr, redirect_stdout

from _setup import emit, median, use_fresh_database

TENANTS = int(os.environ.get("BENCH_TENANTS", "500"))
PLAIN = int(os.environ.get("BENCH_PLAIN", "2"))


def quiet(func, *args, **kwargs):
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        return func(*args, **kwargs)


def main() -> None:
    use_fresh_database("bench_marketplace")
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Tenant, TenantRole
    from tenants.services import pool_fill, template_ensure, tenant_provision
    from tenants.services.schema_clone import snapshot_current
    from tenants.services.schema_migrations import migrate_stale

    quiet(call_command, "migrate_schemas", shared=True, interactive=False, verbosity=0)
    quiet(template_ensure)
    snapshot_current()

    # --- provisioning by cloning the template, 1 .. TENANTS -------------------------------------
    times: list[float] = []
    for index in range(1, TENANTS + 1):
        started = time.perf_counter()
        tenant_provision(
            name=f"Bench {index}",
            slug=f"bench-{index}",
            kind="agency",
            admin_email=f"admin@bench{index}.test",
            use_pool=False,
        )
        times.append(time.perf_counter() - started)
    for nth in (1, 10, 100, 500, 1000):
        if nth <= TENANTS:
            emit("provision_clone_nth", times[nth - 1], "s", nth=nth, method="template snapshot")
            window = times[max(0, nth - 10) : nth + 10]
            emit("provision_clone_median_around_nth", median(window), "s", nth=nth, window=len(window))
    emit("provision_clone_median", median(times), "s", tenants=TENANTS)
    emit("provision_clone_p95", sorted(times)[int(len(times) * 0.95) - 1], "s", tenants=TENANTS)
    if TENANTS >= 20:
        emit(
            "provision_clone_growth_ratio",
            median(times[-10:]) / median(times[:10]),
            "ratio",
            note="median of the last 10 / median of the first 10",
        )

    # --- provisioning from the pre-cloned pool (what self-service sign-up uses) -----------------
    pool_fill(size=10)
    pooled: list[float] = []
    for index in range(10):
        started = time.perf_counter()
        tenant_provision(
            name=f"Pooled {index}", slug=f"pooled-{index}", kind="agency", admin_email=f"admin@pooled{index}.test"
        )
        pooled.append(time.perf_counter() - started)
    emit("provision_pool_median", median(pooled), "s", tenants_existing=TENANTS, samples=len(pooled))

    # --- provisioning by plain migrations, for comparison ---------------------------------------
    plain: list[float] = []
    for index in range(PLAIN):
        slug = f"plain-{index}"
        started = time.perf_counter()
        Tenant.objects.create(schema_name=slug, name=slug, role=TenantRole.MARKETPLACE)
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{slug}"')
        quiet(call_command, "migrate_schemas", schema_name=slug, interactive=False, verbosity=0)
        plain.append(time.perf_counter() - started)
    if plain:
        emit("provision_plain_migrations_median", median(plain), "s", samples=len(plain))

    # --- a deploy with nothing to migrate ---------------------------------------------------------
    schemas = Tenant.objects.count()
    started = time.perf_counter()
    checked, migrated = migrate_stale()
    emit(
        "migrate_noop_fast",
        time.perf_counter() - started,
        "s",
        schemas=checked,
        migrated=len(migrated),
        method="one query finds stale schemas; only those are migrated",
    )
    if not os.environ.get("BENCH_SKIP_PLAIN_MIGRATE"):
        started = time.perf_counter()
        quiet(call_command, "migrate_schemas", tenant=True, interactive=False, verbosity=0)
        emit("migrate_noop_plain", time.perf_counter() - started, "s", schemas=schemas, executor="standard")
        started = time.perf_counter()
        quiet(call_command, "migrate_schemas", tenant=True, interactive=False, verbosity=0, executor="multiprocessing")
        emit(
            "migrate_noop_parallel",
            time.perf_counter() - started,
            "s",
            schemas=schemas,
            executor="multiprocessing",
            cores=os.cpu_count(),
        )


if __name__ == "__main__":
    main()
