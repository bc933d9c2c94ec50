from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

OUTPUTS = {
    "marketplace": settings.ROOT_URLCONF,
    "platform": settings.PUBLIC_SCHEMA_URLCONF,
}


def render_schema(urlconf: str) -> str:
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


class Command(BaseCommand):
    help = "Write the OpenAPI schemas of the marketplace and platform APIs to docs/openapi/."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the files are out of date")

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "docs" / "openapi"
        folder.mkdir(parents=True, exist_ok=True)
        stale = []
        for name, urlconf in OUTPUTS.items():
            path = folder / f"{name}.yaml"
            text = render_schema(urlconf)
            yaml.safe_load(text)  # always valid YAML
            if options["check"]:
                if not path.exists() or path.read_text() != text:
                    stale.append(str(path))
            else:
                path.write_text(text)
                self.stdout.write(f"wrote {path}")
        if stale:
            raise SystemExit(f"out of date: {', '.join(stale)}; run `manage.py export_openapi`")
