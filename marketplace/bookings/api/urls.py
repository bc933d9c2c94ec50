from django.urls import path

from marketplace.bookings.api import calendar_views, views

urlpatterns = [
    path("providers/me/availability/", views.MyAvailabilityView.as_view(), name="provider-availability"),
    path("providers/me/time-off/", views.MyTimeOffView.as_view(), name="provider-time-off"),
    path("listings/<str:public_id>/slots/", views.ListingSlotsView.as_view(), name="listing-slots"),
    path("bookings/", views.BookingListView.as_view(), name="bookings"),
    path("bookings/<str:public_id>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<str:public_id>/actions/", views.BookingActionView.as_view(), name="booking-actions"),
]

# Calendars: the signed-in member's feed address, providers' external calendars.
urlpatterns += [
    path("me/calendar-feed/", calendar_views.MyCalendarFeedView.as_view(), name="my-calendar-feed"),
    path("me/calendar-feed/rotate/", calendar_views.MyCalendarFeedRotateView.as_view(), name="my-calendar-feed-rotate"),
    path("providers/me/calendars/", calendar_views.MyCalendarsView.as_view(), name="provider-calendars"),
    path(
        "providers/me/calendars/<str:public_id>/",
        calendar_views.MyCalendarDetailView.as_view(),
        name="provider-calendar-detail",
    ),
]
