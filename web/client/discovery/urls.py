"""URL patterns of this group of pages (joined into the area's namespace by its parent urls.py):
search, listings, providers' profiles and checkout."""

from django.urls import path

from web.client.discovery import views

urlpatterns: list = [
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggest, name="search-suggest"),
    path("listings/<str:public_id>/", views.listing_detail, name="listing"),
    path("listings/<str:public_id>/slots/", views.listing_slots, name="listing-slots"),
    path("listings/<str:public_id>/ask/", views.listing_ask, name="listing-ask"),
    path("listings/<str:public_id>/book/", views.checkout, name="checkout"),
    path("providers/<str:public_id>/", views.provider_profile, name="provider"),
]
