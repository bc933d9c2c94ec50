from celery import shared_task


@shared_task(name="providers.make_portfolio_thumbnail", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_portfolio_thumbnail(*, item_id: int) -> bool:
    from marketplace.providers.services import portfolio_thumbnail_make

    item = portfolio_thumbnail_make(item_id=item_id)
    return bool(item and item.thumbnail)
