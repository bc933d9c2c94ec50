from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("verify-email/<str:token>/", views.verify_email_view, name="verify_email"),
    path("password-reset/", views.password_reset_view, name="password_reset"),
    path("reset/<str:uid>/<str:token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("me/", views.account_view, name="account"),
]
