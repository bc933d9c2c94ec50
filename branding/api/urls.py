from django.urls import path

from branding.api.views import BrandingDiscardView, BrandingPublishView, BrandingView

urlpatterns = [
    path("marketplace/branding/", BrandingView.as_view(), name="marketplace-branding"),
    path("marketplace/branding/publish/", BrandingPublishView.as_view(), name="marketplace-branding-publish"),
    path("marketplace/branding/discard/", BrandingDiscardView.as_view(), name="marketplace-branding-discard"),
]
