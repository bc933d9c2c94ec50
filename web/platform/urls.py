"""The platform's public site: landing page and pricing, on the platform host."""

from django.urls import path  # noqa: F401

app_name = "platform"

urlpatterns: list = []
