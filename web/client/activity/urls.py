"""URL patterns of this group of pages (joined into the area's namespace by its parent urls.py):
bookings, messages, notifications and disputes of the signed-in member."""

from django.urls import path

from web.client.activity import bookings, disputes, messages, notifications

urlpatterns: list = [
    path("bookings/", bookings.bookings_list, name="bookings"),
    path("bookings/<str:public_id>/", bookings.booking_detail, name="booking"),
    path("bookings/<str:public_id>/actions/", bookings.booking_action, name="booking-action"),
    path("bookings/<str:public_id>/review/", bookings.booking_review, name="booking-review"),
    path(
        "bookings/<str:public_id>/reviews/<str:review_id>/response/",
        bookings.review_response,
        name="booking-review-response",
    ),
    path("bookings/<str:public_id>/dispute/", bookings.dispute_open, name="booking-dispute"),
    path("messages/", messages.inbox, name="inbox"),
    path("messages/<str:public_id>/", messages.thread, name="thread"),
    path("messages/<str:public_id>/new/", messages.thread_new, name="thread-new"),
    path("messages/<str:public_id>/older/", messages.thread_older, name="thread-older"),
    path("messages/<str:public_id>/send/", messages.send, name="thread-send"),
    path("messages/<str:public_id>/block/", messages.block, name="thread-block"),
    path("messages/<str:public_id>/report/<str:message_id>/", messages.report, name="thread-report"),
    path("notifications/", notifications.notifications_list, name="notifications"),
    path("notifications/settings/", notifications.preferences, name="notification-settings"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications-read-all"),
    path("notifications/<str:public_id>/open/", notifications.notification_open, name="notification-open"),
    path("notifications/<str:public_id>/read/", notifications.notification_read, name="notification-read"),
    path("disputes/<str:public_id>/", disputes.dispute_detail, name="dispute"),
    path("disputes/<str:public_id>/post/", disputes.dispute_post, name="dispute-post"),
    path("disputes/<str:public_id>/propose/", disputes.dispute_propose, name="dispute-propose"),
    path("disputes/<str:public_id>/accept/", disputes.dispute_accept, name="dispute-accept"),
    path("disputes/<str:public_id>/escalate/", disputes.dispute_escalate, name="dispute-escalate"),
    path("disputes/<str:public_id>/appeal/", disputes.dispute_appeal, name="dispute-appeal"),
    path("disputes/<str:public_id>/withdraw/", disputes.dispute_withdraw, name="dispute-withdraw"),
]
