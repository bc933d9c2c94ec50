"""The one Celery app. Every task runs inside the schema of the tenant that enqueued it.

`TenantTask.apply_async` stamps the current schema into the task's kwargs as `_schema`; the worker
switches to that schema before running the task body and back to public afterwards. The schema
travels in the message itself, so it works the same in eager mode and on a real worker.
"""

from __future__ import annotations

import logging
import os

from celery import Celery, Task
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger("config.celery")

SCHEMA_KWARG = "_schema"


class TenantTask(Task):
    # The `_schema` kwarg is consumed in __call__, so Celery must not check it against the signature.
    typing = False

    def apply_async(self, args=None, kwargs=None, **options):
        from django.db import connection

        kwargs = dict(kwargs or {})
        kwargs.setdefault(SCHEMA_KWARG, connection.schema_name)
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args, **kwargs):
        from django.db import connection

        from tenants.models import Tenant

        schema = kwargs.pop(SCHEMA_KWARG, None) or "public"
        previous = connection.tenant
        if schema == "public":
            connection.set_schema_to_public()
        else:
            tenant = Tenant.objects.filter(schema_name=schema).first()
            if tenant is None:
                logger.warning("task %s skipped: tenant %s no longer exists", self.name, schema)
                return None
            connection.set_tenant(tenant)
        try:
            return super().__call__(*args, **kwargs)
        finally:
            connection.set_tenant(previous)


app = Celery("marketplace", task_cls=TenantTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _log_ready(**_kwargs):
    logger.info("celery worker ready")
