"""The run sheet: the products a stream features, in the order the host shows them.

It changes while the stream is scheduled or live (``lifecycle.RUN_SHEET_OPEN``); marking a
product as showing is what the host's phone page does during the stream.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError
from jingdezhen.core.tenancy import Reach
from merchants import permissions as team

from .. import lifecycle
from ..models import FeaturedProduct, LiveStream
from .streams import locked_stream


@transaction.atomic
def featured_add(
    *,
    reach: Reach,
    stream: LiveStream,
    product,
    talking_points: str = "",
    live_price: Decimal | None = None,
) -> FeaturedProduct:
    stream = locked_stream(reach, stream, team.STREAMS_FEATURE)
    if product.merchant_id != stream.merchant_id:
        raise DomainError(_("Choose a product from your own catalogue."), field="product")
    bounds.check_text(talking_points or "", field="talking_points")
    if stream.status not in lifecycle.RUN_SHEET_OPEN:
        raise Conflict(_("The run sheet of a finished stream cannot change."))
    if live_price is not None and live_price < 0:
        raise DomainError(_("The live price cannot be negative."), field="live_price")
    if stream.featured.filter(product=product).exists():
        raise Conflict(_("This product is already on the run sheet."), field="product")
    last = stream.featured.aggregate(m=Max("position"))["m"] or 0
    return FeaturedProduct.objects.create(
        stream=stream,
        product=product,
        position=last + 1,
        talking_points=talking_points or product.story,
        live_price=live_price,
    )


@transaction.atomic
def featured_remove(*, reach: Reach, featured: FeaturedProduct) -> None:
    stream = locked_stream(reach, featured.stream, team.STREAMS_FEATURE)
    if stream.status not in lifecycle.RUN_SHEET_OPEN:
        raise Conflict(_("The run sheet of a finished stream cannot change."))
    if stream.showing_id == featured.pk:
        stream.showing = None
        stream.save(update_fields=["showing"])
    featured.delete()


@transaction.atomic
def featured_move(*, reach: Reach, featured: FeaturedProduct, up: bool) -> None:
    """Swap a featured product with its neighbour above (``up``) or below."""
    stream = locked_stream(reach, featured.stream, team.STREAMS_FEATURE)
    items = list(stream.featured.order_by("position", "id"))
    index = next(i for i, item in enumerate(items) if item.pk == featured.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
    FeaturedProduct.objects.bulk_update(items, ["position"])


@transaction.atomic
def featured_mark_showing(*, reach: Reach, featured: FeaturedProduct) -> LiveStream:
    stream = locked_stream(reach, featured.stream, team.STREAMS_RUN)
    if featured.stream_id != stream.pk:
        raise DomainError(_("This product is not on the run sheet."))
    now = timezone.now()
    stream.showing = featured
    stream.save(update_fields=["showing"])
    FeaturedProduct.objects.filter(pk=featured.pk).update(shown_at=now)
    return stream
