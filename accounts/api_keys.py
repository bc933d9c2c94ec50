"""API keys for a marketplace's integrations. Making one needs the plan's "api_access" feature (403
naming the plan that has it); a key only works while the plan still has it
(`accounts.authentication.PlanAwareTokenAuthentication`). The key itself is shown once, when made;
only its prefix is kept to tell keys apart."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import ApiKey
from accounts.permissions import require
from billing import entitlements
from marketplace.audit.services import audit_record
from marketplace.common.errors import NotFound, ValidationFailed

MAX_KEYS = 20  # per marketplace, live ones


@transaction.atomic
def api_key_create(*, actor, name) -> tuple[ApiKey, str]:
    """A new key acting as `actor`; returns it with the secret, which is never shown again."""
    require(actor, "api_keys.manage")
    entitlements.require_feature(connection.tenant, "api_access")
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 80:
        raise ValidationFailed("Name the key after what uses it.", fields={"name": ["Use 1 to 80 characters."]})
    if ApiKey.objects.filter(revoked_at__isnull=True).count() >= MAX_KEYS:
        raise ValidationFailed(
            f"A marketplace has at most {MAX_KEYS} live API keys; revoke one first.",
            fields={"name": [f"{MAX_KEYS} keys are live."]},
        )
    token, secret = AuthToken.objects.create(actor, expiry=None)
    key = ApiKey.objects.create(name=name, user=actor, token_digest=token.digest, prefix=secret[:8])
    audit_record(actor=actor, action="api_key.created", target=key, after={"name": name, "prefix": key.prefix})
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor, public_id: str) -> ApiKey:
    require(actor, "api_keys.manage")
    key = ApiKey.objects.select_for_update().filter(public_id=public_id).first()
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        AuthToken.objects.filter(digest=key.token_digest).delete()
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="api_key.revoked", target=key, before={"name": key.name})
    return key


def api_keys() -> list[ApiKey]:
    return list(ApiKey.objects.select_related("user").order_by("-created_at"))
