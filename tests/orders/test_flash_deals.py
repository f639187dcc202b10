import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

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


def _lock_waiters() -> int:
    """Backends of this database waiting on a lock (the deal's row, here), seen from another
    connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_partial_intake_counts_units_taken_meanwhile_and_refuses_only_rows_beyond_them():
    """Partial mode (an import, the demo) allocates a deal's units row by row from what it read:
    it locks the deal's row when reading it, so units another connection takes meanwhile are
    counted and only the rows beyond them are refused, never the whole batch, and never below
    zero."""
    from orders.intake.specs import OrderIn
    from orders.intake.take_in import take_in

    product = factories.ProductFactory(stock=20)
    deal = _deal(product, quantity=5)
    merchant = product.merchant
    other_in, other_commit, answers = threading.Event(), threading.Event(), {}

    def other():  # another door takes 3 units and holds its transaction open
        try:
            with transaction.atomic():
                FlashDeal.objects.filter(pk=deal.pk).update(remaining=2)
                other_in.set()
                other_commit.wait(10)
        finally:
            connection.close()

    def batch():
        try:
            other_in.wait(10)
            result = take_in(
                merchant=merchant,
                partial=True,
                orders=[
                    OrderIn(
                        platform="douyin",
                        external_id=f"CSV-{n}",
                        buyer_name=f"buyer {n}",
                        stream_id=deal.stream_id,
                        lines=[LineIn(product_id=product.pk, quantity=1, flash_deal_id=deal.pk)],
                        ref=n,
                    )
                    for n in range(4)
                ],
            )
            answers["taken"] = sorted(order.external_id for order in result.orders)
            answers["refused"] = sorted((r.ref, r.error.code) for r in result.refused)
        except Conflict as exc:
            answers["raised"] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=other), threading.Thread(target=batch)]
    for t in threads:
        t.start()
    other_in.wait(10)
    deadline = time.monotonic() + 10
    while _lock_waiters() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)  # the batch is waiting on the deal's row
    other_commit.set()
    for t in threads:
        t.join()
    assert answers == {
        "taken": ["CSV-0", "CSV-1"],
        "refused": [(2, "out_of_stock"), (3, "out_of_stock")],
    }
    deal.refresh_from_db()
    assert deal.remaining == 0
    assert Order.objects.filter(external_id__startswith="CSV-").count() == 2


def test_a_buyer_after_the_last_unit_is_refused_before_the_other_reads(merchant):
    """In a flash sale most buyers come after the last unit: their 409 is answered from the
    deal's read alone (no holdings, products or streams read), with the same reason as ever."""
    from django.test.utils import CaptureQueriesContext

    product = factories.ProductFactory(merchant=merchant, stock=10)
    deal = _deal(product, quantity=1)
    _buy(deal, "Mei")
    with (
        translation.override("en"),
        CaptureQueriesContext(connection) as queries,
        pytest.raises(Conflict) as refused,
    ):
        _buy(deal, "Lan")
    assert (refused.value.code, refused.value.field) == ("out_of_stock", "lines")
    assert str(refused.value) == "The flash deal has 0 left."
    reads = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(reads) == 1 and "pg_advisory_xact_lock" in reads[0]
    # A buyer at the limit of a deal that still has units gets the limit's reason, as before.
    more = _deal(factories.ProductFactory(merchant=merchant, stock=10), quantity=3)
    _buy(more, "Mei", n=1)
    with pytest.raises(Conflict) as limited:
        _buy(more, "Mei", n=2)
    assert limited.value.code == "deal_limit"
    # Asking more than a buyer may have gets the limit's reason even when the deal is sold out.
    _buy(more, "Lan", n=1)
    _buy(more, "Bo", n=1)
    with pytest.raises(Conflict) as too_many:
        _buy(more, "Yun", quantity=2)
    assert too_many.value.code == "deal_limit"
