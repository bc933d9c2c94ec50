from django.urls import path

from marketplace.messaging.api import views

urlpatterns = [
    path("conversations/", views.ConversationListView.as_view(), name="conversations"),
    path("conversations/<str:public_id>/", views.ConversationDetailView.as_view(), name="conversation-detail"),
    path("conversations/<str:public_id>/messages/", views.MessagesView.as_view(), name="conversation-messages"),
    path("conversations/<str:public_id>/read/", views.ReadView.as_view(), name="conversation-read"),
    path(
        "conversations/<str:public_id>/messages/<str:message_id>/attachment/",
        views.AttachmentView.as_view(),
        name="message-attachment",
    ),
    path("messages/<str:message_id>/report/", views.ReportView.as_view(), name="message-report"),
    path("blocks/", views.BlockView.as_view(), name="blocks"),
    path(
        "bookings/<str:booking_id>/conversation/", views.BookingConversationView.as_view(), name="booking-conversation"
    ),
    path(
        "disputes/<str:dispute_id>/conversation/", views.DisputeConversationView.as_view(), name="dispute-conversation"
    ),
]
