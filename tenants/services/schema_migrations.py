"""Migrating many schemas quickly: find the schemas that need work with one query, migrate only those.

Stock `migrate_schemas` spends ~0.25 s per schema even when nothing is to be done (it builds the
migration plan per schema). Here checking a schema costs ~0.3 ms on the server: the expected state
is reduced to the leaf migration of every app; a schema whose `django_migrations` holds all leaves
is current (Django refuses to apply a migration before its dependencies, so holding the leaves
implies holding everything before them).
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


# Checks each schema with a tiny dynamic query inside one server-side loop: one round trip, and no
# planning of a thousand-branch UNION (which costs ~2 ms per schema in planning alone).
_STALE_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.stale_schemas(schemas text[], leaves text[]) RETURNS SETOF text AS $$
DECLARE s text; found int;
BEGIN
  FOREACH s IN ARRAY schemas LOOP
    EXECUTE format('SELECT count(*) FROM %I.django_migrations WHERE app || ''.'' || name = ANY($1)', s)
      INTO found USING leaves;
    IF found < cardinality(leaves) THEN RETURN NEXT s; END IF;
  END LOOP;
END $$ LANGUAGE plpgsql
"""


def stale_schemas(schemas: list[str] | None = None, leaves: list[tuple[str, str]] | None = None) -> list[str]:
    """The schemas missing at least one expected leaf migration, found in one round trip."""
    connection.set_schema_to_public()
    schemas = tenant_schemas() if schemas is None else schemas
    leaves = expected_tenant_leaves() if leaves is None else leaves
    if not schemas or not leaves:
        return list(schemas)
    with connection.cursor() as cursor:
        cursor.execute(_STALE_FUNCTION)
        cursor.execute(
            "SELECT s FROM pg_temp.stale_schemas(%s, %s) AS s", [list(schemas), [f"{a}.{n}" for a, n in leaves]]
        )
        found = {row[0] for row in cursor.fetchall()}
    return [s for s in schemas if s in found]


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
