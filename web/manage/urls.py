"""The marketplace admin console, under /manage/ on a marketplace host."""

from django.urls import path  # noqa: F401

app_name = "manage"

urlpatterns: list = []
