from django.urls import path

from marketplace.providers.api import views

urlpatterns = [
    path("providers/apply/", views.ApplyView.as_view(), name="provider-apply"),
    path("providers/me/", views.MyProfileView.as_view(), name="provider-me"),
    path("providers/me/portfolio/", views.MyPortfolioView.as_view(), name="provider-portfolio"),
    path("providers/me/portfolio/<str:item_id>/", views.MyPortfolioItemView.as_view(), name="provider-portfolio-item"),
    path(
        "providers/me/portfolio/<str:item_id>/image/",
        views.MyPortfolioImageView.as_view(),
        name="provider-portfolio-image",
    ),
    path("providers/me/documents/", views.MyDocumentsView.as_view(), name="provider-documents"),
    path("providers/review-queue/", views.ReviewQueueView.as_view(), name="provider-review-queue"),
    path("providers/<str:public_id>/", views.ProviderDetailView.as_view(), name="provider-detail"),
    path("providers/<str:public_id>/decision/", views.DecisionView.as_view(), name="provider-decision"),
    path(
        "providers/<str:public_id>/documents/<str:document_id>/",
        views.DocumentDownloadView.as_view(),
        name="provider-document",
    ),
]
