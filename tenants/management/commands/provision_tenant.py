from django.core.management.base import BaseCommand, CommandError

from marketplace.common.errors import DomainError
from tenants.models import TenantKind
from tenants.selectors import tenant_primary_url
from tenants.services import tenant_provision


class Command(BaseCommand):
    help = "Create a marketplace (schema cloned from the template, subdomain, first admin, seed data)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", choices=TenantKind.values, default=TenantKind.OTHER)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", default=None, help="omit to let the admin set one by password reset")

    def handle(self, *args, **o):
        try:
            tenant = tenant_provision(
                name=o["name"],
                slug=o["slug"],
                kind=o["kind"],
                admin_email=o["admin_email"],
                admin_password=o["admin_password"],
            )
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(f"created {tenant.name} at {tenant_primary_url(tenant)}")
