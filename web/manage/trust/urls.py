"""URL patterns of the trust and people pages of the admin console (joined into the `manage`
namespace by its parent urls.py): provider verification, listing moderation, bookings, disputes,
review moderation, members and invitations."""

from django.urls import path

from web.manage.trust import bookings, disputes, listings, members, providers, reviews

urlpatterns: list = [
    path("providers/", providers.provider_list, name="providers"),
    path("providers/<str:public_id>/", providers.provider_detail, name="provider"),
    path("listings/", listings.listing_list, name="listings"),
    path("listings/<str:public_id>/", listings.listing_detail, name="listing"),
    path("bookings/", bookings.booking_list, name="bookings"),
    path("bookings/<str:public_id>/", bookings.booking_detail, name="booking"),
    path("disputes/", disputes.dispute_list, name="disputes"),
    path("disputes/<str:public_id>/", disputes.dispute_detail, name="dispute"),
    path("disputes/<str:public_id>/decide/", disputes.dispute_decide, name="dispute-decide"),
    path("disputes/<str:public_id>/notes/", disputes.dispute_note, name="dispute-note"),
    path("disputes/<str:public_id>/conversation/", disputes.dispute_conversation, name="dispute-conversation"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/<str:public_id>/moderate/", reviews.review_moderate, name="review-moderate"),
    path("members/", members.member_list, name="members"),
    path("members/invitations/", members.invitations, name="invitations"),
    path("members/invitations/<str:public_id>/revoke/", members.invitation_revoke, name="invitation-revoke"),
    path("members/invitations/<str:public_id>/resend/", members.invitation_resend, name="invitation-resend"),
    path("members/<str:public_id>/", members.member_detail, name="member"),
    path("members/<str:public_id>/status/", members.member_status, name="member-status"),
    path("members/<str:public_id>/roles/", members.member_roles, name="member-roles"),
]
