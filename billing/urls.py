from django.urls import path

from billing import api, console_api, webhook_views

platform_urlpatterns = [
    path("billing/webhooks/<str:provider>/", webhook_views.BillingWebhookView.as_view(), name="billing-webhook"),
    path("billing/console/", console_api.ConsoleView.as_view(), name="billing-console"),
    path("billing/plans/", api.PlanListView.as_view(), name="billing-plans"),
    path("billing/plans/<str:code>/", api.PlanDetailView.as_view(), name="billing-plan"),
    path("billing/plans/<str:code>/retire/", api.PlanRetireView.as_view(), name="billing-plan-retire"),
    path("billing/subscriptions/<str:public_id>/", api.SubscriptionView.as_view(), name="billing-subscription"),
    path(
        "billing/subscriptions/<str:public_id>/change/",
        api.SubscriptionChangeView.as_view(),
        name="billing-subscription-change",
    ),
    path(
        "billing/subscriptions/<str:public_id>/payments/",
        api.SubscriptionPaymentView.as_view(),
        name="billing-subscription-payments",
    ),
]

marketplace_urlpatterns = [
    path("billing/", api.BillingOverviewView.as_view(), name="billing-overview"),
    path("billing/change/", api.MarketplaceChangePlanView.as_view(), name="billing-change"),
    path("billing/payment-method/", api.PaymentMethodView.as_view(), name="billing-payment-method"),
    path("billing/invoices/", api.InvoiceListView.as_view(), name="billing-invoices"),
    path("billing/invoices/<str:public_id>/", api.InvoiceDetailView.as_view(), name="billing-invoice"),
    path("billing/invoices/<str:public_id>/pdf/", api.InvoicePdfView.as_view(), name="billing-invoice-pdf"),
    path("billing/invoices/<str:public_id>/pay/", api.InvoicePayView.as_view(), name="billing-invoice-pay"),
]
