"""Migrating many schemas quickly: find the schemas that need work with one query, migrate only those.

Stock `migrate_schemas` spends ~0.25 s per schema even when nothing is to be done (it builds the
migration plan per schema). Here the expected state is reduced to the leaf migration of every
app; a schema whose `django_migrations` holds all leaves is current (Django refuses to apply
a migration before its dependencies, so holding the leaves implies holding everything before them).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def tenant_app_labels() -> set[str]:
    labels = set()
    for entry in settings.TENANT_APPS:
        for config in apps.get_app_configs():
            if config.name == entry:
                labels.add(config.label)
    return labels


def expected_tenant_leaves() -> list[tuple[str, str]]:
    """The newest migration of every app, as the code defines them.

    Shared apps count too: django-tenants records every migration in every schema (it skips the
    operations of apps that do not belong there), so a current schema holds all the leaves.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(loader.graph.leaf_nodes())


def tenant_schemas() -> list[str]:
    """Every schema a tenant row points at (marketplaces, the template, the pool) that exists."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.schema_name FROM tenants_tenant t JOIN pg_namespace n ON n.nspname = t.schema_name "
            "ORDER BY (t.role = 'template') DESC, t.id"
        )
        return [row[0] for row in cursor.fetchall()]


def stale_schemas(schemas: list[str] | None = None, leaves: list[tuple[str, str]] | None = None) -> list[str]:
    """The schemas missing at least one expected leaf migration, found with a single query."""
    connection.set_schema_to_public()
    schemas = tenant_schemas() if schemas is None else schemas
    leaves = expected_tenant_leaves() if leaves is None else leaves
    if not schemas or not leaves:
        return list(schemas)
    stale: list[str] = []
    chunk = 2000  # keep one statement's text reasonable
    for start in range(0, len(schemas), chunk):
        part = schemas[start : start + chunk]
        branches = " UNION ALL ".join(
            f"SELECT %s AS s, (SELECT count(*) FROM {_quote(s)}.django_migrations m "
            "JOIN leaves l ON l.app = m.app AND l.name = m.name) AS n"
            for s in part
        )
        values = ", ".join(["(%s, %s)"] * len(leaves))
        sql = f"WITH leaves(app, name) AS (VALUES {values}) SELECT s FROM ({branches}) c WHERE n < %s"
        params = [x for leaf in leaves for x in leaf] + part + [len(leaves)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {row[0] for row in cursor.fetchall()}
        stale += [s for s in part if s in found]
    return stale


def _quote(schema: str) -> str:
    return '"' + schema.replace('"', '""') + '"'


def migrate_schema(schema: str, *, verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=verbosity)


def _worker_init() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()


def _worker_migrate(schema: str) -> str:
    migrate_schema(schema)
    return schema


def migrate_stale(*, jobs: int = 1, verbosity: int = 0) -> tuple[int, list[str]]:
    """Migrate the stale schemas (template first). Returns (schemas checked, schemas migrated)."""
    schemas = tenant_schemas()
    stale = stale_schemas(schemas)
    if not stale:
        return len(schemas), []
    template = settings.TENANT_TEMPLATE_SCHEMA
    if template in stale:
        migrate_schema(template, verbosity=verbosity)
    rest = [s for s in stale if s != template]
    if jobs > 1 and len(rest) > 1:
        import multiprocessing

        from django.db import connections

        connections.close_all()
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init) as pool:
            list(pool.imap_unordered(_worker_migrate, rest))
    else:
        for schema in rest:
            migrate_schema(schema, verbosity=verbosity)
    return len(schemas), stale
