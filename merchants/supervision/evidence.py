"""A violation's evidence file: a screenshot (PNG, JPEG, WebP) or the platform's notice (PDF),
recognised by its content, not by its name, and at most ``MAX_BYTES``. Images are re-encoded
(no EXIF, no trailing payload); a PDF is kept as sent, under a random name, in private storage."""

from __future__ import annotations

import io
import warnings

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from jingdezhen.core.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PDF_MAGIC = b"%PDF-"


def _refuse(message, field: str) -> DomainError:
    return DomainError(message, field=field, code="invalid_file")


def check_evidence(upload, *, field: str = "evidence") -> ContentFile:
    """The file to store for ``upload``, or a DomainError naming ``field``."""
    size = getattr(upload, "size", None)
    if not size:
        raise _refuse(_("The file is empty."), field)
    if size > MAX_BYTES:
        raise _refuse(_("The evidence file is larger than 10 MB."), field)
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return ContentFile(upload.read(), name="evidence.pdf")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(upload)
            if source.format not in IMAGE_FORMATS:
                raise _refuse(_("Upload a PNG, JPEG or WebP screenshot or a PDF."), field)
            width, height = source.size
            if width * height > MAX_PIXELS:
                raise _refuse(_("The image has too many pixels (at most 40 megapixels)."), field)
            source.load()
    except DomainError:
        raise
    except (
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise _refuse(_("Upload a PNG, JPEG or WebP screenshot or a PDF."), field) from exc
    fmt = source.format
    image = source.convert("RGB") if fmt == "JPEG" and source.mode not in ("RGB", "L") else source
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return ContentFile(buffer.getvalue(), name=f"evidence.{IMAGE_FORMATS[fmt]}")
