from django.core.management.base import BaseCommand, CommandError

from cms.seeds import cms_seed
from tenants.context import tenant_context
from tenants.selectors import marketplaces, tenant_by_slug


class Command(BaseCommand):
    help = (
        "Give marketplaces the pages of their kind (home page sections, about, help centre) where they "
        "have none yet, and point their Wagtail Site at their host. Pages that exist are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="marketplaces to seed (default: every marketplace)")

    def handle(self, *args, **o):
        tenants = []
        for slug in o["slugs"]:
            tenant = tenant_by_slug(slug)
            if tenant is None:
                raise CommandError(f"no marketplace '{slug}'")
            tenants.append(tenant)
        for tenant in tenants or marketplaces().order_by("schema_name"):
            with tenant_context(tenant):
                cms_seed(tenant=tenant)
            self.stdout.write(f"pages of {tenant.schema_name} ready")
