"""The platform's public site: landing page and pricing, on the platform host."""

from django.urls import path

from tenants import views as tenants_views
from web.platform import views

app_name = "platform"

urlpatterns = [
    path("pricing/", views.pricing, name="pricing"),
    path("signup/check/address/", views.slug_check, name="slug-check"),
    path("marketplaces/<str:public_id>/admin/", tenants_views.open_admin_view, name="open-admin"),
]
