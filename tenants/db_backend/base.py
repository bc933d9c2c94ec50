"""PostgreSQL backend for schema-per-tenant routing.

django-tenants' backend forgets the connection's search_path on every tenant switch, so each request
pays a `SET search_path` round trip even when the (persistent) connection already points at the
right schema. This backend remembers what the server was last told and skips the switch when the
search path is unchanged. The memory is dropped whenever the server side could have changed:
on close, rollback and savepoint rollback (handled by the parent class).
"""

from django.contrib.contenttypes.models import ContentType
from django_tenants.postgresql_backend import base as tenant_base


class DatabaseWrapper(tenant_base.DatabaseWrapper):
    def set_tenant(self, tenant, include_public=True):
        previous_paths = self.search_path_set_schemas
        previous_schema = self.schema_name
        self.tenant = tenant
        self.schema_name = tenant.schema_name
        self.include_public_schema = include_public
        self.set_settings_schema(self.schema_name)
        if previous_paths is not None and previous_schema == self.schema_name:
            if self._get_cursor_search_paths() == previous_paths:
                return  # the server is already on this search path
        self.search_path_set_schemas = None
        if previous_schema != self.schema_name:
            # Content type ids are per schema; cached ones from another schema must not be reused.
            ContentType.objects.clear_cache()
