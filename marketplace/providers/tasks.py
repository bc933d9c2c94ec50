from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from accounts.emails import render_email
from marketplace.providers.models import ProviderProfile


@shared_task(name="providers.send_review_decision", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_review_decision(*, profile_id: int) -> None:
    profile = ProviderProfile.objects.filter(pk=profile_id).select_related("user").first()
    if profile is None:
        return
    subject, body = render_email("provider_decision", profile=profile)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [profile.user.email])


@shared_task(name="providers.make_portfolio_thumbnail", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_portfolio_thumbnail(*, item_id: int) -> bool:
    from marketplace.providers.services import portfolio_thumbnail_make

    item = portfolio_thumbnail_make(item_id=item_id)
    return bool(item and item.thumbnail)
