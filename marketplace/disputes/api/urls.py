from django.urls import path

from marketplace.disputes.api import views

urlpatterns = [
    path("bookings/<str:booking_id>/disputes/", views.OpenDisputeView.as_view(), name="dispute-open"),
    path("disputes/", views.DisputeListView.as_view(), name="disputes"),
    path("disputes/metrics/", views.DisputeMetricsView.as_view(), name="dispute-metrics"),
    path("disputes/<str:public_id>/", views.DisputeDetailView.as_view(), name="dispute-detail"),
    path("disputes/<str:public_id>/entries/", views.DisputeEntriesView.as_view(), name="dispute-entries"),
    path(
        "disputes/<str:public_id>/entries/<str:entry_id>/file/",
        views.EvidenceFileView.as_view(),
        name="dispute-evidence",
    ),
    path("disputes/<str:public_id>/actions/", views.DisputeActionView.as_view(), name="dispute-actions"),
]
