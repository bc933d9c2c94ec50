from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class EmailBackend(ModelBackend):
    """Sign in with the email address (case-insensitive), within the current schema's users."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip()
        if not email or password is None:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint that the email is unknown
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
