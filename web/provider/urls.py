"""The provider dashboard, under /provider/ on a marketplace host."""

from django.urls import path

from web.provider.views import apply, availability, earnings, listings, overview, profile, work

app_name = "provider"

urlpatterns = [
    path("", overview.overview_view, name="overview"),
    path("apply/", apply.apply_view, name="apply"),
    path("calendar/", work.calendar_view, name="calendar"),
    path("bookings/", work.bookings_view, name="bookings"),
    path("listings/", listings.listings_view, name="listings"),
    path("listings/new/", listings.listing_new_view, name="listing-new"),
    path("listings/<str:public_id>/", listings.listing_edit_view, name="listing"),
    path("listings/<str:public_id>/action/", listings.listing_action_view, name="listing-action"),
    path("listings/<str:public_id>/images/", listings.listing_images_view, name="listing-images"),
    path(
        "listings/<str:public_id>/images/<str:image_id>/remove/",
        listings.listing_image_remove_view,
        name="listing-image-remove",
    ),
    path("availability/", availability.availability_view, name="availability"),
    path("availability/time-off/", availability.time_off_add_view, name="time-off-add"),
    path("availability/time-off/<str:public_id>/remove/", availability.time_off_remove_view, name="time-off-remove"),
    path("availability/calendars/", availability.calendar_add_view, name="calendar-add"),
    path("availability/calendars/<str:public_id>/remove/", availability.calendar_remove_view, name="calendar-remove"),
    path("earnings/", earnings.earnings_view, name="earnings"),
    path("earnings/payee/", earnings.payee_view, name="payee"),
    path("earnings/payout/", earnings.payout_view, name="payout"),
    path("earnings/statement/<str:public_id>.pdf", earnings.statement_pdf_view, name="statement-pdf"),
    path("profile/", profile.profile_view, name="profile"),
    path("profile/portfolio/", profile.portfolio_add_view, name="portfolio-add"),
    path("profile/portfolio/<str:public_id>/remove/", profile.portfolio_remove_view, name="portfolio-remove"),
    path("profile/portfolio/<str:public_id>/picture/", profile.portfolio_picture_view, name="portfolio-picture"),
    path("profile/reviews/<str:public_id>/respond/", profile.review_respond_view, name="review-respond"),
]
