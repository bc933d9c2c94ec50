"""Pages for clients and every member of a marketplace: browse, listings, checkout, bookings,
messages, notifications. Mounted at the marketplace host's root."""

from django.urls import path  # noqa: F401

app_name = "client"

urlpatterns: list = []
