"""Data created at marketplace A is invisible at B through every path: ORM, API, cache, files, tasks."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import User
from tenants.context import tenant_context
from tenants.services import tenant_suspend
from tenants.tasks import describe_current_tenant, dispatch_periodic, ready_tenants
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_orm_rows_stay_in_their_schema(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        UserFactory(email="only-at-a@example.org")

    with tenant_context(tenant_b):
        assert not User.objects.filter(email="only-at-a@example.org").exists()
    with tenant_context(tenant_a):
        assert User.objects.filter(email="only-at-a@example.org").exists()
    assert not User.objects.filter(email="only-at-a@example.org").exists()  # nor in the platform's


def test_member_list_api_shows_only_its_own_marketplace(api_a, api_b, tenant_a):
    with tenant_context(tenant_a):
        UserFactory(email="only-at-a@example.org")
    token_b = api_b.post("/api/v1/auth/login/", {"email": "admin@beta.test", "password": PASSWORD}, format="json")

    listed = api_b.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Token {token_b.json()['token']}").json()

    assert [u["email"] for u in listed["results"]] == ["admin@beta.test"]


def test_cache_keys_carry_the_tenant(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        cache.set("greeting", "hello from A")
    with tenant_context(tenant_b):
        assert cache.get("greeting") is None
        cache.set("greeting", "hello from B")
    with tenant_context(tenant_a):
        assert cache.get("greeting") == "hello from A"


def test_files_live_under_the_tenant_prefix(tenant_a, tenant_b, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_context(tenant_a):
        name = default_storage.save("docs/contract.txt", ContentFile(b"secret of A"))
        assert name.startswith("alpha/")
        assert default_storage.open(name).read() == b"secret of A"

    with tenant_context(tenant_b):
        assert not default_storage.exists(name)
        with pytest.raises(FileNotFoundError):
            default_storage.open(name)
    assert (tmp_path / "alpha" / "docs" / "contract.txt").exists()


def test_task_enqueued_at_a_runs_in_a(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        seen_by_a = describe_current_tenant.delay().get()
    with tenant_context(tenant_b):
        seen_by_b = describe_current_tenant.delay().get()

    assert seen_by_a["schema"] == "alpha" and "admin@alpha.test" in seen_by_a["users"]
    assert "admin@beta.test" not in seen_by_a["users"]
    assert seen_by_b["schema"] == "beta" and seen_by_b["users"] == ["admin@beta.test"]


def test_periodic_dispatcher_fans_out_one_task_per_ready_tenant(tenant_a, tenant_b, monkeypatch):
    # given: beta is suspended, so only alpha is ready
    tenant_suspend(actor=None, tenant=tenant_b, reason="unpaid")
    ran_in = []
    original = describe_current_tenant.run

    def recording_run(*args, **kwargs):
        result = original(*args, **kwargs)
        ran_in.append(result["schema"])
        return result

    monkeypatch.setattr(describe_current_tenant, "run", recording_run)

    # when
    count = dispatch_periodic.apply(kwargs={"job": "tenants.describe_current_tenant", "jitter": 0}).get()

    # then
    ready = sorted(ready_tenants().values_list("schema_name", flat=True))
    assert "alpha" in ready and "beta" not in ready
    assert count == len(ready)
    assert sorted(ran_in) == ready
