import logging

from django.apps import AppConfig

logger = logging.getLogger("tenants")


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER and not settings.REDIS_URL and settings.DJANGO_ENV == "development":
            logger.warning("REDIS_URL is not set: background tasks run eagerly in-process (no worker, no beat).")
