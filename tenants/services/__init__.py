from tenants.services.lifecycle import tenant_close, tenant_purge, tenant_reactivate, tenant_suspend
from tenants.services.provisioning import pool_fill, template_ensure, tenant_provision

__all__ = [
    "pool_fill",
    "template_ensure",
    "tenant_close",
    "tenant_provision",
    "tenant_purge",
    "tenant_reactivate",
    "tenant_suspend",
]
