from django.urls import path

from tenants.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
]
