"""Listing images: checked by content, stored per tenant, thumbnails made in the background."""

from __future__ import annotations

from django.db import connection, transaction

from marketplace.audit.services import audit_record
from marketplace.catalogue.models import Listing, ListingImage
from marketplace.common.errors import Conflict, NotFound
from marketplace.common.images import EXTENSIONS, image_checked, thumbnail_write

MAX_IMAGES = 10


@transaction.atomic
def listing_image_add(*, user, listing: Listing, upload) -> ListingImage:
    listing = Listing.objects.select_for_update().select_related("provider").get(pk=listing.pk)
    if listing.provider.user_id != user.pk:
        raise NotFound("No such listing of yours.")
    if listing.images.count() >= MAX_IMAGES:
        raise Conflict(f"A listing has at most {MAX_IMAGES} images; remove one first.", code="too_many_images")
    content_type, width, height = image_checked(upload)
    image = ListingImage(
        listing=listing, content_type=content_type, width=width, height=height, position=listing.images.count()
    )
    image.image.save(f"{image.public_id}{EXTENSIONS[content_type]}", upload, save=False)
    image.save()
    audit_record(actor=user, action="listing.image_added", target=listing, after={"image": image.public_id})
    # The commit may come after the caller has left the marketplace's schema (a seeding script's
    # outer transaction): the task names the schema the image was saved in.
    schema = connection.schema_name
    transaction.on_commit(lambda: _queue_thumbnail(image.pk, schema))
    return image


def _queue_thumbnail(image_id: int, schema: str) -> None:
    from config.celery import SCHEMA_KWARG
    from marketplace.catalogue.tasks import make_listing_thumbnail

    make_listing_thumbnail.apply_async(kwargs={"image_id": image_id, SCHEMA_KWARG: schema})


def listing_thumbnail_make(*, image_id: int) -> ListingImage | None:
    """Idempotent: an image that already has a thumbnail is left as it is."""
    image = ListingImage.objects.filter(pk=image_id).first()
    if image is not None:
        thumbnail_write(image, name=image.public_id)
    return image


@transaction.atomic
def listing_image_remove(*, user, image: ListingImage) -> None:
    if image.listing.provider.user_id != user.pk:
        raise NotFound("No such image.")
    audit_record(actor=user, action="listing.image_removed", target=image.listing, before={"image": image.public_id})
    files = [image.image.name, image.thumbnail.name]
    image.delete()
    storage = ListingImage._meta.get_field("image").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])
