from django.core.management.base import BaseCommand, CommandError

from tenants.selectors import tenant_by_slug
from tenants.services import tenant_close


class Command(BaseCommand):
    help = "Close a marketplace; its schema is dropped after TENANT_RETENTION_DAYS by the purge job."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--reason", default="")

    def handle(self, *args, **o):
        tenant = tenant_by_slug(o["slug"])
        if tenant is None:
            raise CommandError(f"no marketplace '{o['slug']}'")
        tenant = tenant_close(actor=None, tenant=tenant, reason=o["reason"])
        self.stdout.write(f"closed {tenant.schema_name}; data kept until {tenant.purge_after:%Y-%m-%d}")
