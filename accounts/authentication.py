"""Token sign-in with one plan check: an integration's API key (`ApiKey`) only works while the
marketplace's plan has API access. People's own sign-in tokens are not affected."""

from __future__ import annotations

from django.db import connection
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class PlanAwareTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token):
        from accounts.models import ApiKey
        from billing.entitlements import has_feature

        user, auth_token = super().authenticate_credentials(token)
        is_key = ApiKey.objects.filter(token_digest=auth_token.digest).exists()
        if is_key and not has_feature(getattr(connection, "tenant", None), "api_access"):
            raise exceptions.PermissionDenied(
                "API keys need a plan with API access; this marketplace's plan has none. Sign in instead, "
                "or ask the marketplace's admins to upgrade."
            )
        return user, auth_token


try:
    from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme

    class PlanAwareTokenScheme(KnoxTokenScheme):
        target_class = "accounts.authentication.PlanAwareTokenAuthentication"

except ImportError:  # pragma: no cover - the schema generator is a development dependency
    pass
