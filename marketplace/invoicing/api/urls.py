from django.urls import path

from marketplace.invoicing.api import views

urlpatterns = [
    path("me/receipts/", views.MyReceiptsView.as_view(), name="my-receipts"),
    path("me/receipts/<str:public_id>/", views.MyReceiptView.as_view(), name="my-receipt"),
    path("me/receipts/<str:public_id>/pdf/", views.MyReceiptPdfView.as_view(), name="my-receipt-pdf"),
    path("providers/me/statement/", views.MyStatementView.as_view(), name="provider-statement"),
    path(
        "providers/me/statement/<str:public_id>/pdf/",
        views.MyStatementLinePdfView.as_view(),
        name="provider-statement-line-pdf",
    ),
]
