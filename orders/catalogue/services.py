"""Every write of the catalogue: products, their stock counts and their photos. Keyword-only
arguments, one transaction each, the caller's reach checked inside (``orders.permissions``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jingdezhen.core import history
from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach
from merchants.models import Merchant
from orders.catalogue import photos
from orders.models import Product, ProductPhoto
from orders.models.catalogue import PRODUCT_FIELDS
from orders.ordering import stock
from orders.permissions import CATALOGUE_EDIT, require_act


def product_create(
    *, reach: Reach, merchant: Merchant, sku: str, stock: int = 0, photo_uploads=(), **fields
) -> Product:
    """Add a product, with its photos if given. Every photo is checked before anything is
    written: one bad photo refuses the whole product, and nothing is left half-written."""
    require_act(reach, merchant, CATALOGUE_EDIT)
    sku = sku.strip()
    if not sku:
        raise DomainError(_("Give the product a SKU."), field="sku")
    if stock < 0:
        raise DomainError(_("Stock cannot be negative."), field="stock")
    _check_fields(fields)
    if Product.objects.filter(merchant=merchant, sku=sku).exists():
        raise Conflict(_("You already have a product with this SKU."), field="sku")
    checked = [photos.check_and_process(upload, field="photos") for upload in photo_uploads]
    stored: list[ProductPhoto] = []
    try:
        with transaction.atomic():
            product = Product.objects.create(merchant=merchant, sku=sku, stock=stock, **fields)
            for position, photo in enumerate(checked):
                stored.append(_store_photo(product, photo, position))
    except IntegrityError as exc:
        _delete_files(stored)
        raise Conflict(_("You already have a product with this SKU."), field="sku") from exc
    except Exception:
        _delete_files(stored)
        raise
    return product


def _check_fields(fields: dict) -> None:
    """The description fields a create or an edit may write (``PRODUCT_FIELDS``), price not
    negative."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown product fields: {sorted(unknown)}")
    if fields.get("price") is not None and fields["price"] < 0:
        raise DomainError(_("The price cannot be negative."), field="price")


def _store_photo(product: Product, checked, position: int) -> ProductPhoto:
    photo = ProductPhoto(
        product=product, width=checked.width, height=checked.height, position=position
    )
    photo.image.save(checked.image.name, checked.image, save=False)
    photo.thumbnail.save(checked.thumbnail.name, checked.thumbnail, save=False)
    photo.save()
    return photo


def _delete_files(stored: list[ProductPhoto]) -> None:
    for photo in stored:
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)


@transaction.atomic
def product_update(*, reach: Reach, product: Product, **fields) -> Product:
    """Change a product's description and price. Stock changes go through ``product_restock``
    (a relative change), so an edit never overwrites units that orders took meanwhile."""
    require_act(reach, product.merchant, CATALOGUE_EDIT)
    _check_fields(fields)
    for name, value in fields.items():
        setattr(product, name, value)
    if fields:
        product.save(update_fields=list(fields))
    return product


MAX_STOCK = 1_000_000


@transaction.atomic
def product_restock(*, reach: Reach, product: Product, change: int) -> Product:
    """Add units to stock (or remove them with a negative change, never below zero)."""
    require_act(reach, product.merchant, CATALOGUE_EDIT)
    if change == 0:
        return product
    # Far below the column's limit, so racing restocks cannot overflow it either.
    too_many = Product.objects.filter(pk=product.pk, stock__gt=MAX_STOCK - change)
    if change > 0 and too_many.exists():
        raise DomainError(
            _("A product holds at most %(max)s units in stock.") % {"max": MAX_STOCK},
            field="change",
        )
    # A person's stock change goes into the product's history; orders' holds do not.
    with history.stock_edit():
        if change > 0:
            stock.give_back(product_id=product.pk, quantity=change)
        else:
            removed = Product.objects.filter(pk=product.pk, stock__gte=-change).update(
                stock=F("stock") + change
            )
            if not removed:
                raise Conflict(_("You cannot remove more units than are in stock."), field="stock")
    product.refresh_from_db(fields=["stock"])
    return product


def product_photo_add(*, reach: Reach, product: Product, upload) -> ProductPhoto:
    """Check the upload, strip its metadata, make the thumbnail and store both.

    The image work runs before the transaction opens; files written for a row that then fails
    to save are deleted again, so nothing is left half-written.
    """
    require_act(reach, product.merchant, CATALOGUE_EDIT)
    checked = photos.check_and_process(upload)
    stored: list[ProductPhoto] = []
    try:
        with transaction.atomic():
            position = product.photos.count()
            stored.append(_store_photo(product, checked, position))
    except Exception:
        _delete_files(stored)
        raise
    return stored[0]


@transaction.atomic
def product_photo_delete(*, reach: Reach, photo: ProductPhoto) -> None:
    require_act(reach, photo.product.merchant, CATALOGUE_EDIT)
    image, thumbnail = photo.image, photo.thumbnail
    photo.delete()
    transaction.on_commit(lambda: (image.delete(save=False), thumbnail.delete(save=False)))
