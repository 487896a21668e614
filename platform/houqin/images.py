"""Images people upload (photos of faults, scans of licences): checked to be an image of a
bounded size in bytes and in pixels (a decompression bomb is refused before it is decoded),
turned upright, scaled down and re-encoded as JPEG without their metadata (EXIF, GPS location
included). What was uploaded is never kept as sent. Each app says the refusal in its own words."""

import io
from dataclasses import dataclass
from enum import Enum
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

# An image's pixels before scaling: a 50-megapixel phone camera fits, a decompression bomb not.
MAX_PIXELS = 60_000_000
QUALITY = 85


class Refusal(Enum):
    TOO_LARGE = "too_large"
    TOO_MANY_PIXELS = "too_many_pixels"
    NOT_AN_IMAGE = "not_an_image"


class ImageRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class CleanImage:
    """An uploaded image as kept: JPEG bytes, and their width and height."""

    content: bytes
    width: int
    height: int


def image_cleaned(upload: IO[bytes], *, size: int, max_bytes: int, max_side: int) -> CleanImage:
    """The upload as a clean JPEG no wider or taller than `max_side`; ImageRefused when it is
    larger than `max_bytes`, has too many pixels, or is not a JPEG, PNG or WebP image."""
    if size > max_bytes:
        raise ImageRefused(Refusal.TOO_LARGE)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRefused(Refusal.TOO_LARGE)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRefused(Refusal.TOO_MANY_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except Image.DecompressionBombError:
        raise ImageRefused(Refusal.TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused(Refusal.NOT_AN_IMAGE) from None
    upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    # Saved without `exif=`: nothing of the original's metadata is written.
    upright.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return CleanImage(out.getvalue(), upright.width, upright.height)
