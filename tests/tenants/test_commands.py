import json

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from tenants.models import Tenant, TenantRole, TenantStatus

pytestmark = pytest.mark.django_db


def test_provision_and_close_commands(capsys):
    call_command("provision_tenant", "cmd-market", name="Command Market", kind="agency", admin_email="a@cmd.test")
    call_command("close_tenant", "cmd-market", reason="test")

    out = capsys.readouterr().out
    assert "created Command Market at http://cmd-market.localhost:8000/" in out
    assert "closed cmd-market" in out
    assert schema_exists("cmd-market")  # kept until the retention period is over
    assert Tenant.objects.get(schema_name="cmd-market").status == TenantStatus.CLOSED


def test_provision_command_reports_bad_input_and_creates_nothing():
    with pytest.raises(CommandError, match="reserved"):
        call_command("provision_tenant", "admin", name="Admin", admin_email="a@cmd.test")
    assert not Tenant.objects.filter(schema_name="admin").exists()


def test_close_command_names_an_unknown_marketplace():
    with pytest.raises(CommandError, match="no marketplace 'nowhere'"):
        call_command("close_tenant", "nowhere")


def test_pool_and_migrate_fast_commands(capsys):
    call_command("fill_schema_pool", size=1)
    call_command("migrate_fast", skip_shared=True)

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "added 1 schema(s) to the pool"
    summary = json.loads(lines[-1])
    assert summary["schemas_migrated"] == 0 and summary["schemas_checked"] >= 4
    assert Tenant.objects.filter(role=TenantRole.POOL).count() == 1
