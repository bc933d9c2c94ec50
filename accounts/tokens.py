from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection


class TenantPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, bound to the schema too: a link minted at one marketplace is worthless
    at another, even for an account with the same id there."""

    key_salt = "accounts.tokens.TenantPasswordResetTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{connection.schema_name}:{super()._make_hash_value(user, timestamp)}"


password_reset_tokens = TenantPasswordResetTokenGenerator()
