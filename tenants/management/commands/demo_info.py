from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.demo import DEMO_MARKETPLACES, DEMO_PASSWORD, OPERATOR, PLATFORM_STAFF


class Command(BaseCommand):
    help = "Print the demo URLs and sign-in accounts."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **o):
        port = o["port"]
        domain = settings.PLATFORM_DOMAIN
        lines = [
            "",
            "=" * 78,
            f"  Platform site      http://{domain}:{port}/      (platform admin: /platform-admin/)",
            f"    staff            {PLATFORM_STAFF}",
            f"    operator         {OPERATOR}",
        ]
        for spec in DEMO_MARKETPLACES:
            lines.append(f"  {spec['name']:<32} http://{spec['slug']}.{domain}:{port}/")
            lines.append(f"    admin            admin@{spec['domain']}")
            lines.append(f"    provider         {spec['providers'][0][1]}@{spec['domain']}")
            lines.append(f"    client           {spec['clients'][0][1]}@{spec['domain']}")
        lines += [
            f"  Password for every demo account: {DEMO_PASSWORD}",
            f"  API docs: http://uni.{domain}:{port}/api/docs/   token: POST /api/v1/auth/login/",
            f"  Health: http://{domain}:{port}/healthz  /readyz",
            "  Press Ctrl-C to stop everything.",
            "=" * 78,
        ]
        self.stdout.write("\n".join(lines))
