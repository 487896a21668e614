"""Photos sent with repair requests: checked to be images of a bounded size, turned upright,
scaled down and re-encoded as JPEG without their metadata (EXIF, GPS location included), then
kept through Django's storage API under the school's schema."""

import io
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from houqin.db import tenant_db
from houqin.exceptions import InvalidInput

# A photo's pixels before scaling: a 50-megapixel phone camera fits, a decompression bomb not.
MAX_PIXELS = 60_000_000
QUALITY = 85


@dataclass(frozen=True)
class StoredPhoto:
    name: str
    width: int
    height: int


def _refuse(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={"image": [message]})


def photo_store(upload: IO[bytes], *, size: int) -> StoredPhoto:
    """Check, clean and keep one uploaded photo; refuses what is not an image or is too large."""
    if size > settings.REPAIRS_PHOTO_MAX_BYTES:
        limit = settings.REPAIRS_PHOTO_MAX_BYTES // (1024 * 1024)
        raise _refuse(_("A photo of at most %(mb)d MB.") % {"mb": limit}, "photo_too_large")
    data = upload.read(settings.REPAIRS_PHOTO_MAX_BYTES + 1)
    too_many = _refuse(_("The photo has too many pixels."), "photo_too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise too_many
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except Image.DecompressionBombError:
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(_("This file is not a photo (JPEG, PNG or WebP)."), "not_an_image") from None
    side = settings.REPAIRS_PHOTO_MAX_SIDE
    upright.thumbnail((side, side))
    out = io.BytesIO()
    # Saved without `exif=`: nothing of the original's metadata is written.
    upright.save(out, format="JPEG", quality=QUALITY, optimize=True)
    name = f"repairs/{tenant_db().schema_name}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"
    stored = default_storage.save(name, ContentFile(out.getvalue()))
    return StoredPhoto(name=stored, width=upright.width, height=upright.height)
