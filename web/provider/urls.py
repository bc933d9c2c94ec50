"""The provider dashboard, under /provider/ on a marketplace host."""

from django.urls import path  # noqa: F401

app_name = "provider"

urlpatterns: list = []
