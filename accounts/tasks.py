from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail

from accounts.emails import render_email
from accounts.models import Invitation, User
from branding.selectors import sender_address


@shared_task(name="accounts.send_account_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_account_email(*, kind: str, user_id: int, token: str) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    subject, body = render_email(kind, user=user, token=token)
    send_mail(subject, body, sender_address(), [user.email])


@shared_task(name="accounts.send_invitation", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(*, invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id).select_related("invited_by").first()
    if invitation is None or not invitation.is_open:
        return
    subject, body = render_email("invitation", invitation=invitation, token=token)
    send_mail(subject, body, sender_address(), [invitation.email])


@shared_task(name="accounts.expire_invitations")
def expire_invitations() -> int:
    from accounts.services import invitations_expire

    return invitations_expire()
