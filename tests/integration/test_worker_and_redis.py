import threading

import pytest

from tenants.cache import RedisCache
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


def test_the_redis_cache_reuses_one_client_across_calls_and_threads(redis_url, tenant_a, tenant_b):
    # given: the platform's Redis cache, tenant-keyed
    redis_cache = RedisCache(redis_url, {"KEY_FUNCTION": "tenants.cache.make_key"})
    seen = []

    def work(tenant, value):
        with tenant_context(tenant):
            redis_cache.set("counter", value)
            seen.append((tenant.schema_name, redis_cache.get("counter"), redis_cache._cache.get_client()))

    # when: calls from this thread and from others, for two marketplaces
    threads = [threading.Thread(target=work, args=(t, v)) for t, v in ((tenant_a, 1), (tenant_b, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: one client served them all, and each marketplace still reads only its own value
    clients = {id(client) for *_, client in seen} | {id(redis_cache._cache.get_client())}
    assert len(clients) == 1
    assert sorted((schema, value) for schema, value, _ in seen) == [("alpha", 1), ("beta", 2)]
