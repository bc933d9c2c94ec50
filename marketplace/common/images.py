"""Pictures people upload (listing images, portfolio items): checked by their content, and
thumbnails made later by a background task."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from marketplace.common.errors import ValidationFailed
from marketplace.common.uploads import check_upload

EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
IMAGE_TYPES = set(EXTENSIONS)
THUMBNAIL_SIZE = (480, 320)
MAX_PIXELS = 40_000_000  # refuse decompression bombs


def image_checked(upload) -> tuple[str, int, int]:
    """The upload's real content type and size in pixels, or a field error on `file` when it is
    not a PNG/JPEG/WEBP picture, too large in bytes or pixels, or damaged. Store it under a name
    ending in `EXTENSIONS[content_type]`, never the uploader's."""
    from PIL import Image, UnidentifiedImageError

    content_type = check_upload(upload, allowed=IMAGE_TYPES, max_bytes=settings.IMAGE_MAX_BYTES)
    try:
        with Image.open(upload) as picture:
            picture.verify()
        upload.seek(0)
        with Image.open(upload) as picture:
            width, height = picture.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            _("The image is damaged or not really an image."),
            fields={"file": [_("Upload a PNG, JPEG or WEBP picture.")]},
        ) from exc
    finally:
        upload.seek(0)
    if width * height > MAX_PIXELS:
        raise ValidationFailed(_("The image is too large."), fields={"file": [_("Use at most 40 megapixels.")]})
    return content_type, width, height


def thumbnail_write(record, *, name: str) -> bool:
    """Give `record` (with `image` and `thumbnail` file fields) a JPEG thumbnail made from its image.
    Idempotent: a record that has one, or no image, is left as it is. True when one was written."""
    from PIL import Image, ImageOps

    if record.thumbnail or not record.image:
        return False
    with record.image.open("rb") as source, Image.open(source) as picture:
        picture = ImageOps.exif_transpose(picture).convert("RGB")
        picture.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=82, optimize=True)
    record.thumbnail.save(f"{name}-thumb.jpg", ContentFile(out.getvalue()), save=False)
    record.save(update_fields=["thumbnail", "updated_at"])
    return True
