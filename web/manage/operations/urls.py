"""The operations half of the admin console (joined into the `manage` namespace): overview and
reports, categories and attributes, workflows and policies, notification settings, the audit log and
API keys. Settings and billing keep their own URLs (`config/urls_tenant.py`)."""

from django.urls import path

from web.manage.operations import api_keys, audit, catalogue, notifications, overview, workflows

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("reports.csv", overview.reports_csv, name="reports-csv"),
    path("categories/", catalogue.categories, name="categories"),
    path("categories/<str:public_id>/", catalogue.category, name="category"),
    path("categories/<str:public_id>/attributes/<slug:key>/", catalogue.attribute, name="attribute"),
    path(
        "categories/<str:public_id>/attributes/<slug:key>/remove/", catalogue.attribute_delete, name="attribute-remove"
    ),
    path("workflows/", workflows.workflows, name="workflows"),
    path("workflows/<str:public_id>/", workflows.category_policies, name="category-policies"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/<str:kind>/", notifications.notification, name="notification"),
    path("notifications/<str:kind>/switch/", notifications.notification_switch, name="notification-switch"),
    path("notifications/<str:kind>/preview/", notifications.notification_preview, name="notification-preview"),
    path("audit/", audit.audit, name="audit"),
    path("api-keys/", api_keys.keys, name="api-keys"),
    path("api-keys/<str:public_id>/revoke/", api_keys.revoke, name="api-key-revoke"),
]
