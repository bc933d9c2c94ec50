import pytest
from django.core.cache.backends.redis import RedisCache

from tenants.context import tenant_context
from tenants.tasks import describe_current_tenant

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_a_real_worker_runs_each_task_in_the_schema_that_enqueued_it(real_celery, tenant_a, tenant_b):
    # when
    with tenant_context(tenant_a):
        at_a = describe_current_tenant.delay()
    with tenant_context(tenant_b):
        at_b = describe_current_tenant.delay()

    # then
    seen_a, seen_b = at_a.get(timeout=60), at_b.get(timeout=60)
    assert seen_a["schema"] == "alpha" and seen_a["tenant"] == "Alpha University"
    assert "admin@alpha.test" in seen_a["users"] and "admin@beta.test" not in seen_a["users"]
    assert seen_b == {"schema": "beta", "tenant": "Beta Agency", "users": ["admin@beta.test"]}


def test_redis_cache_keys_carry_the_tenant(redis_url, tenant_a, tenant_b):
    redis_cache = RedisCache(redis_url, {"KEY_FUNCTION": "tenants.cache.make_key"})

    with tenant_context(tenant_a):
        redis_cache.set("home-page", "alpha's page")
    with tenant_context(tenant_b):
        assert redis_cache.get("home-page") is None
    with tenant_context(tenant_a):
        assert redis_cache.get("home-page") == "alpha's page"
    assert any(key.startswith(b":alpha:") for key in redis_cache._cache.get_client().keys("*"))
