from django.urls import path

from marketplace.notifications.api import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("notifications/preferences/", views.PreferencesView.as_view(), name="notification-preferences"),
    path("notifications/<str:public_id>/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path(
        "marketplace/notification-settings/",
        views.MarketplaceNotificationSettingsView.as_view(),
        name="marketplace-notification-settings",
    ),
]
