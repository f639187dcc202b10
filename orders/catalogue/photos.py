"""Photo checks and processing for the catalogue: type by content, size and pixel limits, EXIF
stripped by re-encoding, one thumbnail made at upload. Nothing here runs when a page is read."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jingdezhen.core.errors import DomainError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel camera photo; anything larger is refused unopened
THUMBNAIL_SIZE = (480, 480)
# Pillow format name -> (file extension, save format)
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass
class CheckedPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _refuse(message, field: str) -> DomainError:
    return DomainError(message, field=field, code="invalid_image")


def check_and_process(upload, *, field: str = "image") -> CheckedPhoto:
    """Check an uploaded file and return the clean image and its thumbnail, or raise DomainError.

    The pixel count is read from the header and checked before any pixel is decoded, so a small
    file that declares a gigantic canvas (a decompression bomb) is refused without being opened.
    """
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise _refuse(_("The file is empty."), field)
    if size > MAX_BYTES:
        raise _refuse(_("The photo is larger than 8 MB."), field)
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(upload)
            if source.format not in FORMATS:
                raise _refuse(_("Upload a JPEG, PNG or WebP photo."), field)
            width, height = source.size
            if width * height > MAX_PIXELS:
                raise _refuse(_("The photo has too many pixels (at most 40 megapixels)."), field)
            source.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(_("The photo has too many pixels (at most 40 megapixels)."), field) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refuse(_("The file is not a photo we can read (JPEG, PNG or WebP)."), field) from exc

    fmt = source.format
    ext = FORMATS[fmt]
    # Turn the pixels upright, then write them afresh: metadata (EXIF, GPS) is not carried over.
    upright = ImageOps.exif_transpose(source)
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    upright.info = {}
    buffer = io.BytesIO()
    save_options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    upright.save(buffer, format=fmt, **save_options)

    thumb = upright.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    if thumb.mode in ("RGBA", "LA", "P"):
        thumb = thumb.convert("RGBA")
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.split()[-1])
        thumb = background
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    thumb_buffer = io.BytesIO()
    thumb.save(thumb_buffer, format="JPEG", quality=82)
    return CheckedPhoto(
        image=ContentFile(buffer.getvalue(), name=f"photo.{ext}"),
        thumbnail=ContentFile(thumb_buffer.getvalue(), name="thumb.jpg"),
        width=upright.width,
        height=upright.height,
    )
