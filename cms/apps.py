"""Content pages per marketplace, managed in Wagtail (tenant schema)."""

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms import seeds  # noqa: F401 - registers the per-kind page seeder
