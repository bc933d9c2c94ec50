import pytest
from django.core.management import call_command
from django.db import connection

from tenants.services import tenant_provision
from tenants.services.schema_migrations import expected_tenant_leaves, migrate_stale, stale_schemas

pytestmark = pytest.mark.django_db


def test_all_schemas_are_current_after_setup():
    assert stale_schemas() == []


def test_stale_schema_is_found_by_one_query_and_migrated():
    # given: a marketplace missing its audit migrations (made before the audit app existed)
    tenant_provision(name="Old One", slug="old-one", kind="other", admin_email="a@old.test")
    assert any(leaf[0] == "audit" for leaf in expected_tenant_leaves())
    with connection.cursor() as cursor:  # roll the schema back to before the audit app
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('DROP TABLE "old-one".audit_auditevent')
        cursor.execute('DROP FUNCTION "old-one".audit_is_append_only()')
        cursor.execute('DELETE FROM "old-one".django_migrations WHERE app = %s', ["audit"])

    # when
    stale = stale_schemas()
    checked, migrated = migrate_stale()

    # then
    assert stale == ["old-one"]
    assert migrated == ["old-one"] and checked >= 4
    assert stale_schemas() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('\"old-one\".audit_auditevent') IS NOT NULL")
        assert cursor.fetchone()[0] is True


def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
