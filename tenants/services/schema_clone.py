"""Cloning the template schema into a new schema, fast and at a cost that does not grow with the
number of tenants.

The template is dumped once per state of its migrations (`pg_dump --schema=<template>`: tables,
sequences, indexes, constraints, triggers and rows such as the migration history), stored as a
`TemplateSnapshot` with the schema name replaced by a placeholder, and replayed for each new schema
in one round trip. When pg_dump is not available, django-tenants' catalogue-walking clone is used
instead (slower, and slower still as the catalogue grows) and a warning is logged.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import re
import shutil
import subprocess

from django.conf import settings
from django.db import connection, transaction
from django_tenants.clone import CloneSchema

from tenants.models import TemplateSnapshot

logger = logging.getLogger(__name__)

PLACEHOLDER = "__clone_target_schema__"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def template_fingerprint() -> str:
    template = settings.TENANT_TEMPLATE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quote_ident(template)}.django_migrations ORDER BY app, name")
        rows = cursor.fetchall()
    return hashlib.sha256("\n".join(f"{app}.{name}" for app, name in rows).encode()).hexdigest()


def pg_dump_path() -> str | None:
    configured = getattr(settings, "PG_DUMP_PATH", "")
    if configured:
        return configured
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)
    found = shutil.which("pg_dump")
    return candidates[0] if candidates else found


def _dump_template() -> str:
    db = settings.DATABASES["default"]
    binary = pg_dump_path()
    if not binary:
        raise FileNotFoundError("pg_dump")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        binary,
        "--schema",
        settings.TENANT_TEMPLATE_SCHEMA,
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--inserts",
        "--rows-per-insert=1000",
        "-h",
        str(db.get("HOST") or "localhost"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER") or "postgres"),
        str(db["NAME"]),
    ]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    return result.stdout


def sanitize_dump(dump: str, template: str) -> str:
    """Keep only the statements that build the schema; make the schema name a placeholder."""
    kept = []
    for line in dump.splitlines():
        if line.startswith(("--", "\\", "SET ")) or "set_config('search_path'" in line:
            continue
        kept.append(line)
    sql = "\n".join(kept)
    escaped = re.escape(template)
    sql = re.sub(rf"CREATE SCHEMA {escaped};", f"CREATE SCHEMA {PLACEHOLDER};", sql)
    sql = re.sub(rf'(?<![\w"]){escaped}\.', f"{PLACEHOLDER}.", sql)
    if re.search(rf"(?<![\w\"]){escaped}(?![\w])", sql):
        raise RuntimeError(f"the template dump still names '{template}' somewhere; refusing to use it")
    return sql


def snapshot_current() -> TemplateSnapshot | None:
    """The snapshot for the template's current migrations, building it if needed (None without pg_dump)."""
    fingerprint = template_fingerprint()
    snapshot = TemplateSnapshot.objects.filter(fingerprint=fingerprint).first()
    if snapshot is not None:
        return snapshot
    try:
        sql = sanitize_dump(_dump_template(), settings.TENANT_TEMPLATE_SCHEMA)
    except FileNotFoundError:
        logger.warning("pg_dump not found: cloning tenants through the catalogue (slow); set PG_DUMP_PATH")
        return None
    with transaction.atomic():
        TemplateSnapshot.objects.exclude(fingerprint=fingerprint).delete()
        snapshot, _ = TemplateSnapshot.objects.get_or_create(fingerprint=fingerprint, defaults={"sql": sql})
    return snapshot


def clone_template_into(schema: str) -> str:
    """Create `schema` as a copy of the template. Returns the method used ("snapshot" or "catalogue")."""
    connection.set_schema_to_public()
    snapshot = snapshot_current()
    if snapshot is None:
        CloneSchema().clone_schema(settings.TENANT_TEMPLATE_SCHEMA, schema, "DATA")
        return "catalogue"
    with connection.cursor() as cursor:
        cursor.execute(snapshot.sql.replace(PLACEHOLDER, quote_ident(schema)))
    # The replayed script may have changed the session's search path: make the next query set it again.
    connection.search_path_set_schemas = None
    return "snapshot"
