"""URLs of the platform host (PLATFORM_DOMAIN): the platform's site, sign-up and platform API."""

from django.contrib import admin
from django.urls import include, path

from billing import views as billing_views
from billing.urls import platform_urlpatterns as billing_api
from config.urls_common import common_urlpatterns
from tenants import api as tenants_api
from tenants import views as tenants_views
from web.platform import views as platform_views

api_v1 = [
    path("tenants/", tenants_api.TenantListCreateView.as_view(), name="tenants"),
    path("tenants/<str:public_id>/", tenants_api.TenantDetailView.as_view(), name="tenant-detail"),
    path("tenants/<str:public_id>/suspend/", tenants_api.TenantSuspendView.as_view(), name="tenant-suspend"),
    path("tenants/<str:public_id>/reactivate/", tenants_api.TenantReactivateView.as_view(), name="tenant-reactivate"),
    path("tenants/<str:public_id>/close/", tenants_api.TenantCloseView.as_view(), name="tenant-close"),
    path("signups/", tenants_api.SignupCreateView.as_view(), name="signups"),
    path("signups/<str:public_id>/", tenants_api.SignupDetailView.as_view(), name="signup-detail"),
    path("slugs/<str:slug>/", tenants_api.SlugAvailabilityView.as_view(), name="slug-availability"),
    *billing_api,
    path("domains/verified/", tenants_api.VerifiedDomainListView.as_view(), name="verified-domains"),
]

urlpatterns = [
    path("", platform_views.landing, name="home"),
    path("signup/", tenants_views.signup_view, name="signup"),
    path("signup/<str:public_id>/", tenants_views.signup_progress_view, name="signup-progress"),
    path("console/billing/", billing_views.console_view, name="billing-console-page"),
    path("console/", include("web.console.urls")),
    path("platform-admin/", admin.site.urls),
    *common_urlpatterns,
    path("api/v1/", include(api_v1)),
    path("", include("web.platform.urls")),
]
