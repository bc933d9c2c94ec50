"""Helpers for tests that start real processes: servers (Celery worker, gunicorn, Redis) and race
scripts (many processes, each with its own connection, released at once)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process that must use this session's test database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(DJANGO_ENV="test", DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    env.update(overrides)
    return env


def log_file(name: str):
    (ROOT / ".data").mkdir(exist_ok=True)  # absent when PostgreSQL and Redis are external
    return open(ROOT / ".data" / f"{name}-{os.getpid()}.log", "w")  # noqa: SIM115 - closed by stop()


def stop(proc: subprocess.Popen, log=None) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if log is not None:
        log.close()


def run_script(*args: str) -> dict:
    """Run a test script (a path from the repository's root, then its arguments) on this session's
    test database; the last line it prints is JSON."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=process_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def script_main(main: Callable[[], dict]) -> None:
    """The body of a test script's `__main__`: set Django up quietly, print `main()` as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    logging.disable(logging.WARNING)
    print(json.dumps(main()))


@contextmanager
def throwaway_marketplace():
    """A marketplace made for one script and purged afterwards (its journal is append-only, so what
    the script posted cannot be removed row by row)."""
    from datetime import timedelta

    from django.db import connections
    from django.utils import timezone

    from tenants.models import Tenant, TenantStatus
    from tenants.services import tenant_provision
    from tenants.services.lifecycle import tenant_purge

    slug = f"race{uuid.uuid4().hex[:8]}"
    tenant = tenant_provision(name="Race Market", slug=slug, kind="agency", admin_email=f"admin@{slug}.test")
    try:
        yield tenant
    finally:
        connections.close_all()
        Tenant.objects.filter(pk=tenant.pk).update(
            status=TenantStatus.CLOSED, purge_after=timezone.now() - timedelta(seconds=1)
        )
        tenant_purge(tenant=Tenant.objects.get(pk=tenant.pk))
