"""The platform console for platform staff, under /console/ on the platform host."""

from django.urls import path  # noqa: F401

app_name = "console"

urlpatterns: list = []
