"""Where uploads are kept and how private ones reach their readers.

Every upload is stored under a random name (``RandomName``: 128 bits from ``secrets``, under a
prefix of its kind), so no name can be guessed from another or from the day it was sent. Public
files (product photos) live in the default storage, which the proxy serves at ``/media/``.
Private files (breakage-claim photos) live in ``STORAGES["private"]`` (``private_storage``): by
default a folder beside ``MEDIA_ROOT`` that nothing serves, or an S3-compatible bucket (Aliyun
OSS, MinIO) through django-storages. A private file is read only through a view that checks the
reader's reach first and then answers with ``private_file_response``.
"""

from __future__ import annotations

import mimetypes
import re
import secrets
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, cached_property, empty

# An extension kept from the uploaded name: a dot and a few letters or digits, nothing else.
SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
# How long a browser may keep a private file it was given: names never change, but a reader
# whose reach ends should not keep it for days.
PRIVATE_MAX_AGE = 600


@deconstructible(path="jingdezhen.core.storage.RandomName")
class RandomName:
    """An ``upload_to`` giving ``<prefix>/<2 hex>/<32 hex><.ext>``: a random name of 128 bits,
    the first two digits as a folder so no folder grows past a few thousand files. Only the
    extension of the uploaded name is kept (lower-cased, and only when it looks like one)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        token = secrets.token_hex(16)
        suffix = Path(filename or "").suffix.lower()
        if not SAFE_SUFFIX.fullmatch(suffix):
            suffix = ""
        return f"{self.prefix}/{token[:2]}/{token}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk that nothing serves: ``PRIVATE_MEDIA_ROOT``, or, when that is empty, a
    folder beside ``MEDIA_ROOT`` named after it (``media`` → ``media-private``), so a proxy that
    serves ``MEDIA_ROOT`` never reaches it. They have no URL of their own."""

    @cached_property
    def base_location(self):
        if self._location is not None:
            return self._location
        if getattr(settings, "PRIVATE_MEDIA_ROOT", ""):
            return settings.PRIVATE_MEDIA_ROOT
        public = Path(settings.MEDIA_ROOT)
        return public.with_name(f"{public.name}-private")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            "A private file has no public URL: link the view that checks the reader's reach."
        )


class _PrivateStorage(LazyObject):
    """``STORAGES["private"]``, looked up on first use and again after the setting changes (a
    model field keeps the storage it was given at import time; this keeps it following the
    settings)."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def _forget_private(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


setting_changed.connect(_forget_private)


def private_storage() -> Storage:
    """The ``storage`` of private file fields (a callable, so migrations name it, not a path)."""
    return _private


def private_file_response(file: FieldFile | None) -> HttpResponse:
    """Answer with a private file, once the caller has checked that the reader may see it.

    A storage with no local path (an S3-compatible bucket) gets a redirect to its short-lived
    signed URL. A file on disk is handed to the proxy when ``PRIVATE_FILES_ACCEL`` names the
    proxy's internal location (nginx's ``X-Accel-Redirect``), else sent by the app itself (the
    development server). A missing file is a 404.
    """
    if not file:
        raise Http404
    storage, name = file.storage, file.name
    try:
        storage.path(name)
    except NotImplementedError:
        response = HttpResponseRedirect(storage.url(name))
        patch_cache_control(response, private=True, no_store=True)
        return response
    if not storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    accel = getattr(settings, "PRIVATE_FILES_ACCEL", "")
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{quote(name)}"
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    patch_cache_control(response, private=True, max_age=PRIVATE_MAX_AGE)
    return response
