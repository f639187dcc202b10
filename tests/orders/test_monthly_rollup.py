"""The monthly merchant rollup: each month equals the sum of its merchant-day rows, whatever
order the days are rolled in (each roll moves its month by the day's difference; whole months are
summed again nightly), and the dashboard's ranking over months equals the orders."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from jingdezhen.core.days import day_bounds, month_bounds
from orders.models import DailyMerchantTurnover, MonthlyMerchantTurnover, Order
from orders.turnover import reconcile, rollup
from orders.turnover.selectors import top_merchants
from tests import factories as f

from .turnover_helpers import local

MARCH = [dt.date(2026, 3, 1), dt.date(2026, 3, 14), dt.date(2026, 3, 31)]
APRIL = dt.date(2026, 4, 2)


def _orders(merchant, other_merchant):
    for n, day in enumerate([*MARCH, APRIL]):
        f.TurnoverOrderFactory(
            merchant=merchant, amount=Decimal(100 + n), units=1, placed_at=local(day, 12)
        )
        f.TurnoverOrderFactory(
            merchant=other_merchant,
            platform="taobao",
            buyer_country="ZA",
            amount=Decimal(40 * (n + 1)),
            units=2,
            placed_at=local(day, 20),
        )


def _month_of_days(merchant_id, month):
    first, after = month_bounds(month)
    return DailyMerchantTurnover.objects.filter(
        merchant_id=merchant_id, day__gte=first, day__lt=after
    ).aggregate(gross=Sum("gross_cny"), net=Sum("net_cny"), orders=Sum("orders"))


def test_a_month_is_the_sum_of_its_merchant_days(merchant, other_merchant):
    _orders(merchant, other_merchant)
    for day in [*MARCH, APRIL]:
        rollup.rollup_day(day=day)

    march = MonthlyMerchantTurnover.objects.get(month=MARCH[0], merchant=merchant)
    assert march.gross_cny == Decimal("303.00") and march.orders == 3 and march.units == 3
    other = MonthlyMerchantTurnover.objects.get(month=MARCH[0], merchant=other_merchant)
    assert other.overseas_cny == other.gross_cny == Decimal("240.00")
    assert MonthlyMerchantTurnover.objects.get(
        month=APRIL.replace(day=1), merchant=merchant
    ).net_cny == (Decimal("103.00"))
    for row in MonthlyMerchantTurnover.objects.all():
        sums = _month_of_days(row.merchant_id, row.month)
        assert (row.gross_cny, row.net_cny, row.orders) == (
            sums["gross"],
            sums["net"],
            sums["orders"],
        )
    assert reconcile.reconcile(start=MARCH[0], end=APRIL) == []


def test_a_refund_re_rolled_reaches_the_month_and_an_empty_month_row_goes(merchant):
    order = f.TurnoverOrderFactory(
        merchant=merchant, amount=Decimal("500"), placed_at=local(MARCH[1], 9)
    )
    rollup.rollup_day(day=MARCH[1])
    Order.objects.filter(pk=order.pk).update(refunded_cny=Decimal("120"))
    rollup.rollup_day(day=MARCH[1])
    assert MonthlyMerchantTurnover.objects.get(
        month=MARCH[0], merchant=merchant
    ).net_cny == Decimal("380.00")

    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    rollup.rollup_day(day=MARCH[1])
    assert not MonthlyMerchantTurnover.objects.filter(month=MARCH[0], merchant=merchant).exists()


def test_reconciliation_reports_a_month_that_differs_from_its_days(merchant):
    f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("500"), placed_at=local(MARCH[1], 9))
    rollup.rollup_day(day=MARCH[1])
    MonthlyMerchantTurnover.objects.filter(merchant=merchant).update(gross_cny=Decimal("1"))

    differences = reconcile.reconcile(start=MARCH[1], end=MARCH[1])

    assert [d.table for d in differences] == ["monthly merchant turnover"]


@pytest.mark.django_db(transaction=True)
def test_two_days_of_one_month_rolled_at_once_leave_the_month_equal_to_its_days():
    """Each roll moves the month by its day's difference under the month's lock: the one that
    goes second sees what the first committed, so no day is lost from the month."""
    base = f.BaseFactory()
    merchant = f.MerchantFactory(base=base)
    days = [dt.date(2026, 3, d) for d in range(2, 12)]
    for n, day in enumerate(days):
        f.TurnoverOrderFactory(
            merchant=merchant, amount=Decimal(10 * (n + 1)), placed_at=local(day, 11)
        )
    barrier = threading.Barrier(len(days))
    errors = []

    def roll(day):
        try:
            barrier.wait(timeout=30)
            rollup.rollup_day(day=day)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=roll, args=(day,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    month = MonthlyMerchantTurnover.objects.get(month=MARCH[0], merchant=merchant)
    assert month.gross_cny == Decimal(sum(10 * (n + 1) for n in range(len(days))))
    assert month.orders == len(days)


def test_the_ranking_over_whole_and_partial_months_equals_the_orders(
    merchant, other_merchant, manager
):
    from jingdezhen.core.tenancy import reach_for

    _orders(merchant, other_merchant)
    for day in [*MARCH, APRIL]:
        rollup.rollup_day(day=day)
    reach = reach_for(manager)

    for first, last in [
        (dt.date(2026, 3, 1), dt.date(2026, 4, 30)),  # whole months
        (dt.date(2026, 3, 14), dt.date(2026, 4, 2)),  # partial at both ends
        (dt.date(2026, 2, 20), dt.date(2026, 3, 31)),  # partial, then whole
        (dt.date(2026, 3, 2), dt.date(2026, 3, 30)),  # inside one month
    ]:
        start, _ = day_bounds(first)
        _, end = day_bounds(last)
        direct = dict(
            Order.objects.filter(
                placed_at__gte=start, placed_at__lt=end, status__in=Order.COUNTED_STATUSES
            )
            .values_list("merchant_id")
            .annotate(net=Sum("amount_cny") - Sum("refunded_cny"))
        )
        for today_ in (dt.date(2026, 3, 20), APRIL, dt.date(2026, 11, 26)):
            ranked = top_merchants(reach=reach, first=first, last=last, today_=today_)
            got = {row["merchant_id"]: row["net"] for row in ranked}
            assert got == direct, (first, last, today_)
            assert [row["net"] for row in ranked] == sorted(direct.values(), reverse=True)


def test_a_ranking_ending_today_leaves_out_an_order_dated_ahead(merchant, manager):
    from jingdezhen.core.tenancy import reach_for

    f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("60"), placed_at=local(APRIL, 9))
    f.TurnoverOrderFactory(
        merchant=merchant, amount=Decimal("900"), placed_at=local(dt.date(2026, 4, 20), 9)
    )
    rollup.rollup_days(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))

    ranked = top_merchants(
        reach=reach_for(manager), first=dt.date(2026, 3, 5), last=APRIL, today_=APRIL
    )

    assert [row["net"] for row in ranked] == [Decimal("60.00")]


def test_a_roll_moves_only_the_months_of_merchants_whose_day_changed(merchant, other_merchant):
    f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("70"), placed_at=local(MARCH[0], 9))
    f.TurnoverOrderFactory(
        merchant=other_merchant, amount=Decimal("30"), placed_at=local(MARCH[1], 9)
    )
    rollup.rollup_day(day=MARCH[0])
    rollup.rollup_day(day=MARCH[1])
    f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("5"), placed_at=local(MARCH[1], 10))

    result = rollup.rollup_day(day=MARCH[1])

    months = dict(
        MonthlyMerchantTurnover.objects.filter(month=MARCH[0]).values_list("merchant", "net_cny")
    )
    assert months == {merchant.pk: Decimal("75.00"), other_merchant.pk: Decimal("30.00")}
    # merchant's day row (new) and month row (changed), and merchant/platform, detail, base rows
    assert result.deleted_rows == 0


def test_a_merchant_that_moved_base_keeps_one_month_row_under_its_new_base(merchant, other_base):
    f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("70"), placed_at=local(MARCH[0], 9))
    rollup.rollup_day(day=MARCH[0])
    merchant.base = other_base
    merchant.save(update_fields=["base"])
    f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("30"), placed_at=local(MARCH[1], 9))

    rollup.rollup_day(day=MARCH[1])
    rollup.rollup_month(day=MARCH[1])

    (row,) = MonthlyMerchantTurnover.objects.filter(month=MARCH[0], merchant=merchant)
    assert row.base_id == other_base.pk and row.net_cny == Decimal("100.00")


def test_summing_a_whole_month_again_repairs_it(merchant, other_merchant):
    _orders(merchant, other_merchant)
    rollup.rollup_days(start=MARCH[0], end=APRIL)
    MonthlyMerchantTurnover.objects.filter(merchant=merchant).delete()
    MonthlyMerchantTurnover.objects.filter(merchant=other_merchant).update(orders=99)
    assert reconcile.reconcile(start=MARCH[0], end=APRIL)

    rollup.rollup_month(day=MARCH[1])
    rollup.rollup_month(day=APRIL)

    assert reconcile.reconcile(start=MARCH[0], end=APRIL) == []
