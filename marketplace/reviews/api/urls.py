from django.urls import path

from marketplace.reviews.api import views

urlpatterns = [
    path("bookings/<str:public_id>/review/", views.BookingReviewView.as_view(), name="booking-review"),
    path("providers/<str:public_id>/reviews/", views.ProviderReviewsView.as_view(), name="provider-reviews"),
    path("listings/<str:public_id>/reviews/", views.ListingReviewsView.as_view(), name="listing-reviews"),
    path("reviews/flagged/", views.FlaggedReviewsView.as_view(), name="reviews-flagged"),
    path("reviews/<str:public_id>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<str:public_id>/response/", views.ReviewResponseView.as_view(), name="review-response"),
    path("reviews/<str:public_id>/report/", views.ReviewReportView.as_view(), name="review-report"),
    path("reviews/<str:public_id>/moderation/", views.ReviewModerationView.as_view(), name="review-moderation"),
    path("marketplace/reputation/", views.ReputationSettingsView.as_view(), name="marketplace-reputation"),
    path(
        "categories/<str:public_id>/review-criteria/",
        views.CategoryReviewCriteriaView.as_view(),
        name="category-review-criteria",
    ),
]
