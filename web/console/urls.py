"""The platform console for platform staff, under /console/ on the platform host. The revenue page
(`/console/billing/`, MRR and churn) is billing's own view, drawn in the console's layout."""

from django.urls import path

from web.console import views

app_name = "console"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tenants/", views.tenants, name="tenants"),
    path("tenants/<str:public_id>/", views.tenant, name="tenant"),
    path("tenants/<str:public_id>/suspend/", views.tenant_suspend_view, name="tenant-suspend"),
    path("tenants/<str:public_id>/reactivate/", views.tenant_reactivate_view, name="tenant-reactivate"),
    path("tenants/<str:public_id>/close/", views.tenant_close_view, name="tenant-close"),
    path("tenants/<str:public_id>/payment/", views.tenant_payment, name="tenant-payment"),
    path("tenants/<str:public_id>/members/", views.tenant_members, name="tenant-members"),
    path("tenants/<str:public_id>/support/", views.support_start, name="support-start"),
    path("support/", views.support_sessions, name="support-sessions"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<slug:code>/", views.plan_edit, name="plan"),
    path("plans/<slug:code>/retire/", views.plan_retire, name="plan-retire"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<str:public_id>.pdf", views.invoice_pdf_view, name="invoice-pdf"),
]
