from django.core.management.base import BaseCommand

from tenants.services import template_ensure


class Command(BaseCommand):
    help = "Create or migrate the template schema every new marketplace is cloned from."

    def handle(self, *args, **options):
        template = template_ensure(verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write(f"template schema '{template.schema_name}' is up to date")
