"""The orders services decide who may write: called with a reach that cannot act for the
object's merchant, each refuses (a 404, as for any foreign object) and writes nothing, whatever
door called it. Views and viewsets keep no checks of their own, so these are the only ones."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from jingdezhen.core.tenancy import reach_for
from livestreams.models import LiveStream
from merchants.models import Role
from orders.catalogue import services as catalogue_services
from orders.intake.csv_import import import_orders
from orders.intake.specs import LineIn
from orders.models import BreakageClaim, FlashDeal, Order, OrderEvent, Product, ProductPhoto
from orders.ordering import claims, flash_deals, money, services
from tests import factories

from .helpers import douyin_csv, png


@pytest.fixture
def theirs(other_merchant):
    """The twin merchant's things: a product, a paid order, a live stream with a running deal,
    a shipped order with an open breakage claim."""
    reach = factories.merchant_reach(other_merchant)
    product = factories.ProductFactory(merchant=other_merchant, stock=20, sku="QH-001")
    paid = services.order_pay(
        reach=reach,
        order=services.order_place(
            reach=reach,
            merchant=other_merchant,
            platform="douyin",
            lines=[LineIn(product_id=product.pk, quantity=1)],
        ),
    )
    shipped = services.order_place(
        reach=reach,
        merchant=other_merchant,
        platform="douyin",
        lines=[LineIn(product_id=product.pk, quantity=1)],
    )
    to_ship = services.order_pay(reach=reach, order=shipped)
    shipped = services.order_ship(reach=reach, order=to_ship, **factories.parcel())
    claim = claims.claim_file(
        reach=reach,
        order=shipped,
        line_ids=list(shipped.lines.values_list("pk", flat=True)),
        photo=ContentFile(png().read(), name="broken.png"),
    )
    now = timezone.now()
    stream = factories.LiveStreamFactory(
        merchant=other_merchant,
        planned_start=now - dt.timedelta(hours=1),
        planned_end=now + dt.timedelta(hours=1),
        status=LiveStream.Status.LIVE,
        actual_start=now - dt.timedelta(hours=1),
    )
    deal = flash_deals.flash_deal_create(
        reach=reach, stream=stream, product=product, deal_price="9.00", quantity=2
    )
    photo = catalogue_services.product_photo_add(reach=reach, product=product, upload=png())
    return {
        "merchant": other_merchant,
        "product": Product.objects.select_related("merchant").get(pk=product.pk),
        "paid": Order.objects.select_related("merchant").get(pk=paid.pk),
        "claim": claim,
        "stream": LiveStream.objects.select_related("merchant").get(pk=stream.pk),
        "deal": deal,
        "photo": ProductPhoto.objects.select_related("product__merchant").get(pk=photo.pk),
    }


# Every write service, called on the twin's things.
WRITES = {
    "product_create": lambda r, t: catalogue_services.product_create(
        reach=r, merchant=t["merchant"], sku="NEW-1", name="Cup", price=Decimal("1")
    ),
    "product_update": lambda r, t: catalogue_services.product_update(
        reach=r, product=t["product"], price=Decimal("1")
    ),
    "product_restock": lambda r, t: catalogue_services.product_restock(
        reach=r, product=t["product"], change=5
    ),
    "product_photo_add": lambda r, t: catalogue_services.product_photo_add(
        reach=r, product=t["product"], upload=png()
    ),
    "product_photo_delete": lambda r, t: catalogue_services.product_photo_delete(
        reach=r, photo=t["photo"]
    ),
    "platform_price_set": lambda r, t: money.platform_price_set(
        reach=r, product=t["product"], platform="taobao", price=Decimal("1")
    ),
    "order_policy_set": lambda r, t: money.order_policy_set(
        reach=r, merchant=t["merchant"], live_payment_minutes=1, payment_minutes=1
    ),
    "order_place": lambda r, t: services.order_place(
        reach=r,
        merchant=t["merchant"],
        platform="douyin",
        lines=[LineIn(product_id=t["product"].pk, quantity=1)],
    ),
    "order_place_idempotent": lambda r, t: services.order_place_idempotent(
        reach=r,
        merchant=t["merchant"],
        key="k-1",
        platform="douyin",
        lines=[LineIn(product_id=t["product"].pk, quantity=1)],
    ),
    "order_ship": lambda r, t: services.order_ship(reach=r, order=t["paid"], **factories.parcel()),
    "order_refund": lambda r, t: services.order_refund(reach=r, order=t["paid"]),
    "claim_file": lambda r, t: claims.claim_file(
        reach=r,
        order=t["claim"].order,
        line_ids=list(t["claim"].lines.values_list("pk", flat=True)),
        photo=ContentFile(png().read(), name="broken.png"),
    ),
    "claim_decide": lambda r, t: claims.claim_decide(
        reach=r, claim=t["claim"], outcome=BreakageClaim.Outcome.REFUNDED
    ),
    "flash_deal_create": lambda r, t: flash_deals.flash_deal_create(
        reach=r, stream=t["stream"], product=t["product"], deal_price="1.00", quantity=1
    ),
    "flash_deal_end": lambda r, t: flash_deals.flash_deal_end(reach=r, deal_id=t["deal"].pk),
    "import_orders": lambda r, t: import_orders(
        reach=r,
        merchant=t["merchant"],
        platform="douyin",
        data=douyin_csv("DY9,QH-001,1,1.00,已完成,2026-01-05 20:15:00,A"),
        filename="x.csv",
    ),
}


def _state(theirs) -> tuple:
    product = Product.objects.get(pk=theirs["product"].pk)
    paid = Order.objects.get(pk=theirs["paid"].pk)
    deal = FlashDeal.objects.get(pk=theirs["deal"].pk)
    return (
        product.stock,
        product.price,
        paid.status,
        paid.refunded_cny,
        deal.ended,
        deal.remaining,
        Order.objects.count(),
        OrderEvent.objects.count(),
        Product.objects.count(),
        ProductPhoto.objects.count(),
        FlashDeal.objects.count(),
        BreakageClaim.objects.filter(outcome=BreakageClaim.Outcome.OPEN).count(),
        BreakageClaim.objects.count(),
        product.platform_prices.count(),
        theirs["merchant"].order_imports.count(),
    )


def test_a_refund_with_a_twin_merchants_owner_reach_is_refused_and_changes_nothing(owner, theirs):
    paid = theirs["paid"]
    with pytest.raises(Http404):
        services.order_refund(reach=reach_for(owner), order=paid, actor=owner)
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID and paid.refunded_cny == 0
    assert not paid.events.filter(actor=owner).exists()


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_with_a_twin_merchants_reach_is_refused_and_writes_nothing(
    owner, theirs, write
):
    before = _state(theirs)
    with pytest.raises(Http404):
        WRITES[write](reach_for(owner), theirs)
    assert _state(theirs) == before


@pytest.mark.parametrize("write", ["order_refund", "flash_deal_end", "product_restock"])
def test_a_manager_of_another_base_is_refused(other_base, theirs, write):
    stranger = factories.UserFactory(role=Role.MANAGER, base=other_base, username="far")
    before = _state(theirs)
    with pytest.raises(Http404):
        WRITES[write](reach_for(stranger), theirs)
    assert _state(theirs) == before


def test_the_bases_manager_may_act_for_its_merchants(manager, theirs):
    reach = reach_for(manager)
    assert services.order_refund(reach=reach, order=theirs["paid"]).status == Order.Status.REFUNDED
    assert flash_deals.flash_deal_end(reach=reach, deal_id=theirs["deal"].pk) == 2
