import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from jingdezhen.core.errors import Conflict
from livestreams.models import LiveStream
from orders.intake.specs import LineIn
from orders.models import FlashDeal, Order, Product
from orders.ordering import flash_deals, services
from orders.tasks import end_due_flash_deals
from tests import factories


def _stream(merchant):
    now = timezone.now()
    return factories.LiveStreamFactory(
        merchant=merchant,
        title="Evening blue-and-white",
        planned_start=now - dt.timedelta(hours=1),
        planned_end=now + dt.timedelta(hours=1),
        status=LiveStream.Status.LIVE,
    )


def _deal(product, quantity=3, limit=1, **kwargs):
    return flash_deals.flash_deal_create(
        reach=factories.merchant_reach(product.merchant),
        stream=_stream(product.merchant),
        product=product,
        deal_price="99.00",
        quantity=quantity,
        per_buyer_limit=limit,
        **kwargs,
    )


def _buy(deal, buyer, quantity=1, n=0):
    return services.order_place(
        reach=factories.merchant_reach(deal.product.merchant),
        merchant=deal.product.merchant,
        platform="douyin",
        external_id=f"{buyer}-{n}",
        buyer_name=buyer,
        stream_id=deal.stream_id,
        lines=[LineIn(product_id=deal.product_id, quantity=quantity, flash_deal_id=deal.pk)],
    )


def test_a_deal_sets_its_quantity_aside_and_sells_at_the_deal_price(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=10, price="300.00")
    deal = _deal(product, quantity=4)
    assert Product.objects.get(pk=product.pk).stock == 6
    order = _buy(deal, "Mei")
    assert str(order.amount) == "99.00"
    deal.refresh_from_db()
    assert deal.remaining == 3
    assert Product.objects.get(pk=product.pk).stock == 6  # the rest of the stock is untouched


def test_a_buyer_cannot_pass_the_per_buyer_limit(merchant):
    deal = _deal(factories.ProductFactory(merchant=merchant, stock=10), quantity=5, limit=2)
    _buy(deal, "Mei", quantity=2)
    with pytest.raises(Conflict):
        _buy(deal, "Mei", quantity=1, n=1)


def test_a_deal_that_has_not_started_or_has_ended_sells_nothing(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=10)
    later = _deal(product, starts_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(Conflict):
        _buy(later, "Mei")


def test_unsold_units_go_back_to_stock_when_the_deal_ends(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=10)
    deal = _deal(product, quantity=4, limit=5)
    _buy(deal, "Mei", quantity=1)
    FlashDeal.objects.filter(pk=deal.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    assert end_due_flash_deals.delay().get() == 3
    assert Product.objects.get(pk=product.pk).stock == 6 + 3
    assert end_due_flash_deals.delay().get() == 0  # idempotent


def test_a_cancelled_deal_order_returns_its_unit_to_the_running_deal(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=10)
    deal = _deal(product, quantity=2)
    services.order_cancel(reach=factories.merchant_reach(merchant), order=_buy(deal, "Mei"))
    deal.refresh_from_db()
    assert deal.remaining == 2
    assert Product.objects.get(pk=product.pk).stock == 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_deal_buyers_never_take_more_than_was_set_aside():
    product = factories.ProductFactory(stock=20)
    deal = _deal(product, quantity=5)
    barrier = threading.Barrier(20)
    sold = []

    def buy(n):
        try:
            barrier.wait()
            _buy(deal, f"buyer{n}")
            sold.append(n)
        except Conflict:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deal.refresh_from_db()
    assert len(sold) == 5 and deal.remaining == 0
    assert Order.objects.count() == 5
    assert Product.objects.get(pk=product.pk).stock == 15


@pytest.mark.django_db(transaction=True)
def test_a_buyers_second_order_waits_for_the_first_and_is_refused_at_the_limit():
    """The deal's row is locked only by the intake's last statement; a (deal, buyer) advisory
    lock makes one buyer's second order wait for the first to commit, then count it."""
    product = factories.ProductFactory(stock=20)
    deal = _deal(product, quantity=10, limit=1)
    first_in, release, answers = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                _buy(deal, "Mei", n=1)
                first_in.set()
                release.wait(10)  # the first order holds its transaction open
        finally:
            connection.close()

    def second():
        try:
            first_in.wait(10)
            _buy(deal, "Mei", n=2)
            answers["second"] = "sold"
        except Conflict as exc:
            answers["second"] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_in.wait(10)
    time.sleep(0.5)  # without the lock the second order is taken meanwhile
    assert "second" not in answers
    release.set()
    for t in threads:
        t.join()
    assert answers["second"] == "deal_limit"
    assert Order.objects.filter(buyer_name="Mei").count() == 1
    deal.refresh_from_db()
    assert deal.remaining == 9
