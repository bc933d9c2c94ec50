import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_exists

from accounts.models import User
from marketplace.common.errors import ValidationFailed
from tenants.context import tenant_context
from tenants.models import Domain, Tenant, TenantEvent, TenantRole, TenantStatus
from tenants.seeding import register_seeder, unregister_seeder
from tenants.services import pool_fill, tenant_provision
from tenants.services.provisioning import TemplateMissing
from tenants.services.schema_clone import PLACEHOLDER, sanitize_dump

pytestmark = pytest.mark.django_db


def _provision(slug="gamma", **overrides):
    args = {
        "name": "Gamma Law",
        "slug": slug,
        "kind": "law_firm",
        "admin_email": "Boss@Gamma.test",
        "admin_password": "Correct-Horse-77",
    }
    args.update(overrides)
    return tenant_provision(**args)


def _applied(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        return set(cursor.fetchall())


def test_provision_creates_schema_domain_first_admin_and_event():
    # when
    tenant = _provision()

    # then
    assert schema_exists("gamma")
    assert tenant.status == TenantStatus.TRIAL and tenant.role == TenantRole.MARKETPLACE
    assert tenant.join_policy == "approval"  # the law-firm default
    domain = Domain.objects.get(tenant=tenant)
    assert (domain.domain, domain.is_primary, domain.kind) == (f"gamma.{settings.PLATFORM_DOMAIN}", True, "subdomain")
    with tenant_context(tenant):
        admin = User.objects.get()
        assert admin.email == "boss@gamma.test"
        assert admin.is_marketplace_admin and admin.check_password("Correct-Horse-77")
    assert TenantEvent.objects.filter(tenant=tenant, action="provisioned").count() == 1
    # the new marketplace's users are not the platform's
    assert not User.objects.filter(email="boss@gamma.test").exists()


def test_new_tenant_migration_state_equals_the_code():
    # given
    tenant = _provision()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    expected = set()
    for key, migration in loader.graph.nodes.items():
        # every app's migrations are recorded (shared apps' operations are skipped in tenant
        # schemas), and a squashed migration records the ones it replaces too
        expected |= {key, *migration.replaces}

    # then: the cloned schema holds exactly the migrations the code defines, no more, no less
    assert _applied(tenant.schema_name) == expected
    assert _applied(settings.TENANT_TEMPLATE_SCHEMA) == expected


def test_cloned_schema_is_a_working_copy_with_its_own_sequences():
    # given
    one, two = _provision("delta"), _provision("epsilon")

    # when
    with tenant_context(one):
        first = User.objects.create_user("x@one.test", "pw-Strong-1")
    with tenant_context(two):
        second = User.objects.create_user("x@one.test", "pw-Strong-1")

    # then: same email, same id sequence start, two independent rows
    assert first.pk == second.pk
    with tenant_context(one):
        assert User.objects.count() == 2
    with tenant_context(two):
        assert User.objects.count() == 2


@pytest.mark.parametrize(
    "slug, message",
    [
        ("ab", "3 to 40"),
        ("a" * 41, "3 to 40"),
        ("-abc", "lower-case letters"),
        ("abc-", "lower-case letters"),
        ("a_b_c", "lower-case letters"),
        ("9lives", "lower-case letters"),
        ("ab--cd", "two hyphens"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("api", "reserved"),
        ("static", "reserved"),
        ("alpha", "already taken"),
        ("", "Choose a web address"),
    ],
)
def test_bad_slug_is_refused_and_nothing_is_left_behind(slug, message):
    # given
    tenants, domains = Tenant.objects.count(), Domain.objects.count()

    # when
    with pytest.raises(ValidationFailed) as error:
        _provision(slug)

    # then
    assert message in " ".join(error.value.fields["slug"])
    assert (Tenant.objects.count(), Domain.objects.count()) == (tenants, domains)
    if slug and slug != "alpha":
        assert not schema_exists(slug)


def test_other_bad_fields_are_all_reported_at_once():
    with pytest.raises(ValidationFailed) as error:
        _provision("zeta", name="", kind="castle", admin_email="not-an-email", admin_password="123")

    assert set(error.value.fields) == {"name", "kind", "admin_email", "admin_password"}
    assert not schema_exists("zeta")


def test_a_failing_seeder_leaves_no_schema_row_or_domain():
    # given
    def broken_seeder(*, tenant, admin):
        raise RuntimeError("seed data is broken")

    register_seeder(broken_seeder)
    tenants = Tenant.objects.count()
    try:
        # when
        with pytest.raises(RuntimeError):
            _provision("theta")
    finally:
        unregister_seeder(broken_seeder)

    # then
    assert not schema_exists("theta")
    assert Tenant.objects.count() == tenants
    assert not Domain.objects.filter(domain__startswith="theta.").exists()


def test_seeders_run_inside_the_new_schema_for_their_kind_only():
    # given
    seen = []

    @register_seeder(kinds=["university"])
    def university_seeder(*, tenant, admin):
        seen.append((tenant.schema_name, connection.schema_name, admin.email))

    try:
        # when
        _provision("iota", kind="university", admin_email="dean@iota.test")
        _provision("kappa", kind="agency")
    finally:
        unregister_seeder(university_seeder)

    # then
    assert seen == [("iota", "iota", "dean@iota.test")]


def test_missing_template_fails_loudly_instead_of_migrating():
    # given: the template schema has gone
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{settings.TENANT_TEMPLATE_SCHEMA}" RENAME TO "_template_gone"')

    # when / then
    with pytest.raises(TemplateMissing) as error:
        _provision("lambda")
    assert "tenants_template" in error.value.message
    assert not schema_exists("lambda")
    assert not Tenant.objects.filter(schema_name="lambda").exists()


def test_pool_schema_is_claimed_by_rename():
    # given
    assert pool_fill(size=1) == 1
    pooled = Tenant.objects.get(role=TenantRole.POOL)

    # when
    tenant = _provision("muon")

    # then
    assert tenant.pk == pooled.pk
    assert schema_exists("muon") and not schema_exists(pooled.schema_name)
    assert not Tenant.objects.filter(role=TenantRole.POOL).exists()
    assert TenantEvent.objects.get(tenant=tenant).data["from_pool"] is True
    with tenant_context(tenant):
        assert User.objects.get().email == "boss@gamma.test"


def test_pool_schema_out_of_date_with_the_template_is_dropped_not_used():
    # given: a pool schema that missed a migration
    pool_fill(size=1)
    pooled = Tenant.objects.get(role=TenantRole.POOL)
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{pooled.schema_name}".django_migrations WHERE app = %s', ["accounts"])

    # when
    tenant = _provision("nucleus")

    # then
    assert tenant.pk != pooled.pk
    assert not schema_exists(pooled.schema_name)
    assert TenantEvent.objects.get(tenant=tenant).data["from_pool"] is False


def test_template_dump_is_rewritten_to_a_placeholder():
    dump = (
        "-- comment\n\\restrict abc\nSET x = 1;\nSELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE SCHEMA _template;\nCREATE TABLE _template.t (id int);\n"
        "ALTER TABLE ONLY _template.t ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES _template.u(id);\n"
        "INSERT INTO _template.django_migrations VALUES (1, 'app', '0005_template_fix');\n"
    )

    sql = sanitize_dump(dump, "_template")

    assert "SET x" not in sql and "restrict" not in sql and "set_config" not in sql
    assert f"CREATE SCHEMA {PLACEHOLDER};" in sql
    assert f"REFERENCES {PLACEHOLDER}.u(id)" in sql
    assert "0005_template_fix" in sql  # data that merely contains the name is left alone


def test_pool_fill_tops_up_to_the_size_and_never_overshoots():
    assert pool_fill(size=2) == 2
    assert pool_fill(size=2) == 0
    assert Tenant.objects.filter(role=TenantRole.POOL).count() == 2


def test_a_second_pool_filler_backs_off_while_one_runs():
    # given: another process holds the filler lock
    import psycopg

    from tenants.services.provisioning import POOL_LOCK

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [POOL_LOCK])

        # when / then
        assert pool_fill(size=3) == 0
    assert not Tenant.objects.filter(role=TenantRole.POOL).exists()
