"""A notification as an e-mail: the kind's templates (text and HTML, autoescaped) in the marketplace's
language and branding (its sender name, email logo and colours), with a link to what it is about,
and — unless the kind is essential — a one-click unsubscribe link and the List-Unsubscribe headers
(RFC 2369, RFC 8058)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from branding.selectors import sender_address
from marketplace.notifications import kinds as registry
from marketplace.notifications.models import Notification


def absolute(base_url: str, url: str) -> str:
    if not url:
        return base_url + "/"
    if url.startswith(("https://", "http://")):
        return url
    return base_url + "/" + url.lstrip("/")


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """Render in the current schema (the task runs in the notification's marketplace). Raises the
    template's error (TemplateSyntaxError, TemplateDoesNotExist, KeyError) when it does not render."""
    from accounts.emails import site_name_and_url
    from branding.selectors import site_look
    from marketplace.notifications.services import unsubscribe_token

    spec = registry.kind(notification.kind)
    user = notification.user
    look = site_look()
    tenant_name, base_url = site_name_and_url()
    base_url = base_url.rstrip("/")
    site_name = look.name or tenant_name
    unsubscribe_url = ""
    if spec.unsubscribable:
        token = unsubscribe_token(user=user, kind=spec.slug)
        unsubscribe_url = base_url + reverse("notifications-unsubscribe", kwargs={"token": token})
    context = {
        "notification": notification,
        "values": notification.context,
        "recipient": user,
        "site_name": site_name,
        "tenant_name": tenant_name,
        "base_url": base_url,
        "link": absolute(base_url, notification.url),
        "unsubscribe_url": unsubscribe_url,
        "essential": spec.essential,
        "look": look,
        "logo_url": absolute(base_url, look.email_logo_url) if look.email_logo_url else "",
    }
    with translation.override(look.locale or settings.LANGUAGE_CODE):
        text = render_to_string(f"notifications/email/{spec.slug}.txt", context)
        html = render_to_string(f"notifications/email/{spec.slug}.html", context)
    headers = {}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=f"[{site_name}] {notification.title}".replace("\n", " ")[:300],
        body=text,
        from_email=sender_address(),
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
