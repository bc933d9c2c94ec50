from django.core.management.base import BaseCommand

from tenants.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo marketplaces (university, agency, law firm) and their people, if missing."

    def handle(self, *args, **options):
        for tenant in seed_demo():
            self.stdout.write(f"demo marketplace ready: {tenant.schema_name}")
