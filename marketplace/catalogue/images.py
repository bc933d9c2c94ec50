"""Listing images: checked by content, stored per tenant, thumbnails made in the background."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from marketplace.audit.services import audit_record
from marketplace.catalogue.models import Listing, ListingImage
from marketplace.common.errors import Conflict, NotFound, ValidationFailed
from marketplace.common.uploads import check_upload

IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}
MAX_IMAGES = 10
THUMBNAIL_SIZE = (480, 320)
MAX_PIXELS = 40_000_000  # refuse decompression bombs


def _dimensions(upload) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as picture:
            picture.verify()
        upload.seek(0)
        with Image.open(upload) as picture:
            width, height = picture.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            "The image is damaged or not really an image.", fields={"file": ["Upload a PNG, JPEG or WEBP picture."]}
        ) from exc
    finally:
        upload.seek(0)
    if width * height > MAX_PIXELS:
        raise ValidationFailed("The image is too large.", fields={"file": ["Use at most 40 megapixels."]})
    return width, height


@transaction.atomic
def listing_image_add(*, user, listing: Listing, upload) -> ListingImage:
    listing = Listing.objects.select_for_update().select_related("provider").get(pk=listing.pk)
    if listing.provider.user_id != user.pk:
        raise NotFound("No such listing of yours.")
    if listing.images.count() >= MAX_IMAGES:
        raise Conflict(f"A listing has at most {MAX_IMAGES} images; remove one first.", code="too_many_images")
    content_type = check_upload(upload, allowed=IMAGE_TYPES, max_bytes=settings.IMAGE_MAX_BYTES)
    width, height = _dimensions(upload)
    image = ListingImage(
        listing=listing, content_type=content_type, width=width, height=height, position=listing.images.count()
    )
    image.image.save(image.public_id, upload, save=False)
    image.save()
    audit_record(actor=user, action="listing.image_added", target=listing, after={"image": image.public_id})
    transaction.on_commit(lambda: _queue_thumbnail(image.pk))
    return image


def _queue_thumbnail(image_id: int) -> None:
    from marketplace.catalogue.tasks import make_listing_thumbnail

    make_listing_thumbnail.delay(image_id=image_id)


def listing_thumbnail_make(*, image_id: int) -> ListingImage | None:
    """Idempotent: an image that already has a thumbnail is left as it is."""
    from PIL import Image, ImageOps

    image = ListingImage.objects.filter(pk=image_id).select_related("listing").first()
    if image is None or image.thumbnail:
        return image
    with image.image.open("rb") as source, Image.open(source) as picture:
        picture = ImageOps.exif_transpose(picture).convert("RGB")
        picture.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=82, optimize=True)
    image.thumbnail.save(f"{image.public_id}-thumb.jpg", ContentFile(out.getvalue()), save=False)
    image.save(update_fields=["thumbnail", "updated_at"])
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
