from celery import shared_task


@shared_task(name="catalogue.make_listing_thumbnail", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_listing_thumbnail(*, image_id: int) -> bool:
    from marketplace.catalogue.images import listing_thumbnail_make

    image = listing_thumbnail_make(image_id=image_id)
    return bool(image and image.thumbnail)
