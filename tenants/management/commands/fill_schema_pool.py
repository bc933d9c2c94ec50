from django.core.management.base import BaseCommand

from tenants.services import pool_fill


class Command(BaseCommand):
    help = "Pre-clone schemas from the template so new marketplaces are created by a rename."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=None)

    def handle(self, *args, **o):
        added = pool_fill(size=o["size"])
        self.stdout.write(f"added {added} schema(s) to the pool")
