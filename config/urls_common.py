"""URLs served on every host: the API schema and its docs, the accounts API and pages."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.api.urls import urlpatterns as accounts_api


@extend_schema_view(get=extend_schema(exclude=True))
class HostSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host it is asked on: a marketplace's API or the platform's."""

    def get(self, request, *args, **kwargs):
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)


schema_urlpatterns = [
    path("api/schema/", HostSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

common_urlpatterns = [
    *schema_urlpatterns,
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include(accounts_api)),
]
