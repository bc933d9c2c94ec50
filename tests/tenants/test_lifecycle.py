from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_exists

from marketplace.common.errors import Conflict
from tenants.models import Domain, Tenant, TenantEvent, TenantStatus
from tenants.services import tenant_close, tenant_provision, tenant_purge, tenant_reactivate, tenant_suspend
from tenants.tasks import purge_closed_tenants

pytestmark = pytest.mark.django_db


def test_suspend_and_reactivate_are_recorded(tenant_a):
    tenant_suspend(actor=None, tenant=tenant_a, reason="unpaid")
    tenant = tenant_reactivate(actor=None, tenant=tenant_a)

    assert tenant.status == TenantStatus.ACTIVE
    actions = list(TenantEvent.objects.filter(tenant=tenant_a).values_list("action", flat=True))
    assert actions[:2] == ["reactivated", "suspended"]


def test_reactivating_an_active_marketplace_is_refused(tenant_a):
    with pytest.raises(Conflict) as error:
        tenant_reactivate(actor=None, tenant=tenant_a)
    assert "suspended or closed" in error.value.message


def test_close_keeps_data_until_the_retention_period(settings, tenant_a):
    settings.TENANT_RETENTION_DAYS = 30

    tenant = tenant_close(actor=None, tenant=tenant_a, reason="done")

    assert tenant.status == TenantStatus.CLOSED
    assert timedelta(days=29) < tenant.purge_after - timezone.now() <= timedelta(days=30)
    with pytest.raises(Conflict):
        tenant_purge(tenant=tenant)
    assert schema_exists("alpha")


def test_purge_drops_schema_rows_and_domains_after_retention():
    # given
    tenant = tenant_provision(name="Short Lived", slug="short-lived", kind="other", admin_email="a@s.test")
    tenant_close(actor=None, tenant=tenant)
    Tenant.objects.filter(pk=tenant.pk).update(purge_after=timezone.now() - timedelta(minutes=1))

    # when
    purged = purge_closed_tenants.apply().get()

    # then
    assert purged == 1
    assert not schema_exists("short-lived")
    assert not Tenant.objects.filter(schema_name="short-lived").exists()
    assert not Domain.objects.filter(domain__startswith="short-lived.").exists()
    assert TenantEvent.objects.filter(tenant_slug="short-lived", action="purged").exists()
    assert schema_exists("alpha") and schema_exists("beta")
