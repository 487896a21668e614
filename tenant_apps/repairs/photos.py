"""Photos sent with repair requests: checked and cleaned as every uploaded image is
(houqin.images: bounded, upright, scaled down, JPEG without metadata), then kept through
Django's storage API under the school's schema."""

import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.db import tenant_db
from houqin.exceptions import InvalidInput
from houqin.images import ImageRefused, Refusal, image_cleaned


@dataclass(frozen=True)
class StoredPhoto:
    name: str
    width: int
    height: int


def _refuse(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={"image": [message]})


def photo_store(upload: IO[bytes], *, size: int) -> StoredPhoto:
    """Check, clean and keep one uploaded photo; refuses what is not an image or is too large."""
    try:
        clean = image_cleaned(
            upload,
            size=size,
            max_bytes=settings.REPAIRS_PHOTO_MAX_BYTES,
            max_side=settings.REPAIRS_PHOTO_MAX_SIDE,
        )
    except ImageRefused as refused:
        if refused.refusal is Refusal.TOO_LARGE:
            limit = settings.REPAIRS_PHOTO_MAX_BYTES // (1024 * 1024)
            raise _refuse(
                _("A photo of at most %(mb)d MB.") % {"mb": limit}, "photo_too_large"
            ) from None
        if refused.refusal is Refusal.TOO_MANY_PIXELS:
            raise _refuse(_("The photo has too many pixels."), "photo_too_large") from None
        raise _refuse(_("This file is not a photo (JPEG, PNG or WebP)."), "not_an_image") from None
    name = f"repairs/{tenant_db().schema_name}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"
    stored = default_storage.save(name, ContentFile(clean.content))
    return StoredPhoto(name=stored, width=clean.width, height=clean.height)
