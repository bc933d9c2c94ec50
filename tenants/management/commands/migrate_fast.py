import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services.schema_migrations import migrate_stale


class Command(BaseCommand):
    help = (
        "Migrate the public schema, then only the tenant schemas that need it (found with one query). "
        "Cost grows with the schemas that need work, not with the number of tenants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=1, help="migrate stale schemas in N processes")
        parser.add_argument("--skip-shared", action="store_true", help="do not migrate the public schema")

    def handle(self, *args, **o):
        started = time.perf_counter()
        if not o["skip_shared"]:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=max(0, o["verbosity"] - 1))
        checked, migrated = migrate_stale(jobs=o["jobs"], verbosity=max(0, o["verbosity"] - 1))
        summary = {
            "schemas_checked": checked,
            "schemas_migrated": len(migrated),
            "seconds": round(time.perf_counter() - started, 3),
        }
        self.stdout.write(json.dumps(summary))
