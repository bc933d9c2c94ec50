from django.urls import path

from marketplace.bookings.api import views

urlpatterns = [
    path("providers/me/availability/", views.MyAvailabilityView.as_view(), name="provider-availability"),
    path("providers/me/time-off/", views.MyTimeOffView.as_view(), name="provider-time-off"),
    path("listings/<str:public_id>/slots/", views.ListingSlotsView.as_view(), name="listing-slots"),
    path("bookings/", views.BookingListView.as_view(), name="bookings"),
    path("bookings/<str:public_id>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<str:public_id>/actions/", views.BookingActionView.as_view(), name="booking-actions"),
]
