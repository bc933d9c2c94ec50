"""Pages for clients and every member of a marketplace, at the marketplace host's root:
discovery (browse, listings, providers, checkout) and activity (bookings, messages,
notifications, reviews, disputes, account)."""

from web.client.activity.urls import urlpatterns as activity
from web.client.discovery.urls import urlpatterns as discovery

app_name = "client"

urlpatterns = [*discovery, *activity]
