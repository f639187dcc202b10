import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from jingdezhen.core.errors import Conflict
from merchants.models import Milestone
from orders.intake.specs import LineIn
from orders.models import Order, OrderEvent, Product
from orders.ordering import money, services
from orders.tasks import release_expired_holds
from tests import factories


def _place(product, quantity=1, **kwargs):
    return services.order_place(
        reach=factories.merchant_reach(product.merchant),
        merchant=product.merchant,
        platform="douyin",
        lines=[LineIn(product_id=product.pk, quantity=quantity)],
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_buyers_hold_exactly_the_ten_in_stock():
    product = factories.ProductFactory(stock=10)
    barrier = threading.Barrier(50)
    outcomes = []

    def buy(n):
        try:
            barrier.wait()
            _place(product, external_id=f"race-{n}")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("sold out")
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    product.refresh_from_db()
    assert outcomes.count("ok") == 10
    assert outcomes.count("sold out") == 40
    assert product.stock == 0
    assert Order.objects.filter(status="pending").count() == 10
    assert sum(Order.objects.values_list("units", flat=True)) == 10


def test_an_order_takes_its_units_out_of_stock_and_records_the_first_order(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=3)
    order = _place(product, quantity=2)
    product.refresh_from_db()
    assert product.stock == 1
    assert order.units == 2 and order.amount_cny == 2 * product.price
    assert order.hold_until > timezone.now()
    assert Milestone.objects.filter(merchant=merchant, kind="first_order").exists()


def test_an_order_beyond_the_stock_is_refused_and_writes_nothing(merchant):
    a = factories.ProductFactory(merchant=merchant, stock=5)
    b = factories.ProductFactory(merchant=merchant, stock=1)
    with pytest.raises(Conflict):
        services.order_place(
            reach=factories.merchant_reach(merchant),
            merchant=merchant,
            platform="taobao",
            lines=[LineIn(product_id=a.pk, quantity=2), LineIn(product_id=b.pk, quantity=2)],
        )
    a.refresh_from_db()
    assert a.stock == 5
    assert not Order.objects.exists()


def test_expired_holds_are_cancelled_and_their_units_return(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=4)
    late = _place(product, quantity=3)
    on_time = _place(product, quantity=1)
    Order.objects.filter(pk=late.pk).update(hold_until=timezone.now() - dt.timedelta(minutes=1))

    assert release_expired_holds.delay().get() == 1
    product.refresh_from_db()
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert product.stock == 3
    assert late.status == "cancelled" and late.updated_at > late.placed_at
    assert on_time.status == "pending"
    assert OrderEvent.objects.filter(order=late, to_status="cancelled").count() == 1
    assert services.holds_release_expired() == 0  # a second run changes nothing
    product.refresh_from_db()
    assert product.stock == 3


def test_paying_converts_the_hold_and_a_refund_before_shipping_gives_units_back(merchant, owner):
    product = factories.ProductFactory(merchant=merchant, stock=2)
    order = _place(product, quantity=2)
    order = services.order_pay(reach=factories.merchant_reach(merchant), order=order, actor=owner)
    assert order.hold_until is None
    assert services.holds_release_expired(now=timezone.now() + dt.timedelta(days=9)) == 0
    assert Product.objects.get(pk=product.pk).stock == 0
    order = services.order_refund(
        reach=factories.merchant_reach(merchant), order=order, actor=owner
    )
    assert order.status == "refunded" and order.refunded_cny == order.amount_cny
    assert Product.objects.get(pk=product.pk).stock == 2
    assert list(order.events.values_list("to_status", flat=True)) == [
        "pending",
        "paid",
        "refunded",
    ]
    assert order.events.last().actor == owner


def test_a_refund_after_shipping_keeps_the_units_out_and_may_be_partial(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=2, price="100.00")
    order = services.order_ship(
        **factories.parcel(),
        reach=factories.merchant_reach(merchant),
        order=services.order_pay(
            reach=factories.merchant_reach(merchant), order=_place(product, quantity=2)
        ),
    )
    order = services.order_refund(
        reach=factories.merchant_reach(merchant), order=order, amount_cny="50.00"
    )
    assert order.status == "shipped" and str(order.refunded_cny) == "50.00"
    order = services.order_refund(reach=factories.merchant_reach(merchant), order=order)
    assert order.status == "refunded" and str(order.refunded_cny) == "200.00"
    assert Product.objects.get(pk=product.pk).stock == 0


def test_a_cancelled_unpaid_order_gives_units_back_and_cannot_be_shipped(merchant):
    product = factories.ProductFactory(merchant=merchant, stock=2)
    order = services.order_cancel(
        reach=factories.merchant_reach(merchant), order=_place(product, quantity=2)
    )
    assert Product.objects.get(pk=product.pk).stock == 2
    with pytest.raises(Conflict):
        services.order_ship(
            reach=factories.merchant_reach(merchant), order=order, **factories.parcel()
        )


def test_an_overseas_order_is_fixed_in_cny_at_the_base_rate(merchant):
    factories.ExchangeRateFactory(base=merchant.base, currency="ZAR", cny_per_unit="0.39")
    product = factories.ProductFactory(merchant=merchant, price="390.00")
    order = _place(product, currency="ZAR", buyer_country="ZA", buyer_name="Thabo")
    assert str(order.amount) == "1000.00" and str(order.amount_cny) == "390.00"
    assert Milestone.objects.filter(merchant=merchant, kind="first_overseas_order").exists()


def test_a_platform_price_applies_on_its_platform_only(merchant):
    product = factories.ProductFactory(merchant=merchant, price="100.00")
    money.platform_price_set(
        reach=factories.merchant_reach(merchant), product=product, platform="taobao", price=80
    )
    taobao = services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="taobao",
        lines=[LineIn(product_id=product.pk, quantity=1)],
    )
    assert str(taobao.amount) == "80.00"
    assert str(_place(product).amount) == "100.00"
