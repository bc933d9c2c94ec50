"""Account emails. Each is sent by a task that runs in the schema that asked for it, so the links
point at that marketplace and carry its name."""

from __future__ import annotations

from django.db import connection


def site_name_and_url() -> tuple[str, str]:
    """The name and address of the marketplace (or the platform) the current schema belongs to."""
    from django.conf import settings

    from tenants.selectors import platform_url, tenant_primary_url

    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "pk", None) and tenant.schema_name != "public":
        return tenant.name, tenant_primary_url(tenant)
    return settings.PLATFORM_NAME, platform_url()


def render_email(kind: str, **context) -> tuple[str, str]:
    from django.template.loader import render_to_string

    name, base_url = site_name_and_url()
    context.update(site_name=name, base_url=base_url.rstrip("/"))
    subject = render_to_string(f"accounts/email/{kind}_subject.txt", context).strip()
    body = render_to_string(f"accounts/email/{kind}.txt", context)
    return subject, body


def send_verification_email(*, user_id: int, token: str) -> None:
    from accounts.tasks import send_account_email

    send_account_email.delay(kind="verify_email", user_id=user_id, token=token)


def send_password_reset_email(*, user_id: int, uid: str, token: str) -> None:
    from accounts.tasks import send_account_email

    send_account_email.delay(kind="password_reset", user_id=user_id, token=f"{uid}/{token}")


def send_invitation_email(*, invitation_id: int, token: str) -> None:
    from accounts.tasks import send_invitation

    send_invitation.delay(invitation_id=invitation_id, token=token)
