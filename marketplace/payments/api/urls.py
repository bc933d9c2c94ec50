from django.urls import path

from marketplace.payments.api import views

urlpatterns = [
    path("me/payments/", views.MyPaymentsView.as_view(), name="my-payments"),
    path("providers/me/earnings/", views.EarningsView.as_view(), name="provider-earnings"),
    path("providers/me/payee/", views.PayeeView.as_view(), name="provider-payee"),
    path("providers/me/payouts/", views.PayoutsView.as_view(), name="provider-payouts"),
    path("marketplace/money/", views.MoneyTotalsView.as_view(), name="marketplace-money"),
    path("marketplace/reconciliation/", views.ReconciliationView.as_view(), name="marketplace-reconciliation"),
    path("payments/webhooks/<str:gateway_name>/", views.WebhookView.as_view(), name="payments-webhook"),
]
