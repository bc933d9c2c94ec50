"""Content pages of a marketplace (its home page included). Mounted last on the marketplace host."""

from django.urls import path

from tenants.views import marketplace_home

urlpatterns = [
    path("", marketplace_home, name="home"),
]
