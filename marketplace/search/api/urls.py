from django.urls import path

from marketplace.search.api import views

urlpatterns = [
    path("search/listings/", views.ListingSearchView.as_view(), name="search-listings"),
    path("search/autocomplete/", views.AutocompleteView.as_view(), name="search-autocomplete"),
]
