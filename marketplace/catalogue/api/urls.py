from django.urls import path

from marketplace.catalogue.api import listings, views

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="categories"),
    path("categories/<str:public_id>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("categories/<str:public_id>/attributes/", views.AttributeListView.as_view(), name="category-attributes"),
    path(
        "categories/<str:public_id>/attributes/<slug:key>/",
        views.AttributeDetailView.as_view(),
        name="category-attribute-detail",
    ),
    path("listings/", listings.ListingListView.as_view(), name="listings"),
    path("listings/mine/", listings.MyListingsView.as_view(), name="listings-mine"),
    path("listings/moderation-queue/", listings.ModerationQueueView.as_view(), name="listings-moderation"),
    path("listings/<str:public_id>/", listings.ListingDetailView.as_view(), name="listing-detail"),
    path("listings/<str:public_id>/images/", listings.ListingImagesView.as_view(), name="listing-images"),
    path(
        "listings/<str:public_id>/images/<str:image_id>/",
        listings.ListingImageDetailView.as_view(),
        name="listing-image-detail",
    ),
    path("listings/<str:public_id>/duplicate/", listings.ListingDuplicateView.as_view(), name="listing-duplicate"),
    *[
        path(f"listings/<str:public_id>/{action}/", listings.action_view(action), name=f"listing-{action}")
        for action in ("submit", "pause", "resume", "archive", "approve", "reject")
    ],
]
