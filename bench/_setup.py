"""Shared set-up for benchmarks: a dedicated, freshly created database so numbers are comparable
and the development data is never touched."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def use_fresh_database(name: str) -> None:
    """Point DATABASE_URL at database `name`, dropped and created anew, then set Django up."""
    import psycopg

    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/marketplace"))
    admin = urlunparse(base._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(base._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TENANT_SCHEMA_POOL_SIZE"] = "0"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)


def prepare_platform() -> None:
    """The shared schema migrated and the template schema that new marketplaces are cloned from."""
    import io
    from contextlib import redirect_stdout

    from django.core.management import call_command

    from tenants.services import template_ensure

    with redirect_stdout(io.StringIO()):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_ensure()


def active_listing(email: str, *, headline: str, title: str, category, minutes: int = 60):
    """An approved provider (signed in by `email`) with an active listing at 50.00 USD and its one
    package "Hour" of `minutes`, in the current schema: (provider profile, listing, package)."""
    from datetime import UTC, datetime

    from accounts.models import User
    from marketplace.catalogue.models import Listing, Package
    from marketplace.providers.models import ProviderProfile

    user = User.objects.create_user(email, None, is_provider=True, full_name=headline)
    provider = ProviderProfile.objects.create(user=user, headline=headline, status="approved")
    listing = Listing.objects.create(
        provider=provider,
        category=category,
        title=title,
        description=f"{title}.",
        currency="USD",
        status="active",
        published_at=datetime.now(UTC),
        price_from=5000,
    )
    package = Package.objects.create(listing=listing, name="Hour", price=5000, duration_minutes=minutes)
    return provider, listing, package


def emit(name: str, value: float, unit: str, **parameters) -> None:
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, "parameters": parameters}), flush=True)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def timed_gets(host: str, requests: list[tuple[str, str]]) -> list[float]:
    """Seconds each GET (path, query string) takes through Django's WSGI handler in-process on
    `host`; any answer but 200 stops the benchmark."""
    import time
    from io import BytesIO

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def start_response(status, headers):
        assert status.startswith("200"), status

    times = []
    for path, query in requests:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "HTTP_HOST": host,
            "wsgi.input": BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        started = time.perf_counter()
        b"".join(handler(environ, start_response))
        times.append(time.perf_counter() - started)
    return times
