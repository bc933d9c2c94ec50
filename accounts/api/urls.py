from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/verify-email/", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("auth/password-reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password-reset/confirm/", views.PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"),
    path("me/", views.MeView.as_view(), name="me"),
]

# Marketplace-only endpoints (members and invitations).
marketplace_urlpatterns = [
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/<str:public_id>/status/", views.UserStatusView.as_view(), name="user-status"),
    path("users/<str:public_id>/roles/", views.UserRolesView.as_view(), name="user-roles"),
    path("invitations/", views.InvitationListCreateView.as_view(), name="invitations"),
    path("invitations/<str:public_id>/revoke/", views.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path("api-keys/", views.ApiKeyListCreateView.as_view(), name="api-keys"),
    path("api-keys/<str:public_id>/revoke/", views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
]
