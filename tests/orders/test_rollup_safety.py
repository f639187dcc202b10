"""One merchant's rows can never stop the base's turnover: the rollup columns hold any sum of
accepted orders, and a day whose base-wide statement fails is rolled merchant by merchant."""

import datetime as dt
from decimal import Decimal

import pytest

from jingdezhen.core.bounds import MAX_ORDER_CNY
from orders.models import (
    DailyBaseBreakdown,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyTurnover,
    MonthlyMerchantTurnover,
    Order,
    TurnoverDirtyDay,
    TurnoverWatermark,
)
from orders.turnover import dirty, reconcile, rollup, tasks
from tests import factories as f

from .turnover_helpers import DAY, local

pytestmark = pytest.mark.django_db
# The largest amount the order columns themselves can hold (an order from before the bounds).
COLUMN_MAX = Decimal("999999999999.99")


def test_an_order_at_the_largest_accepted_amount_in_every_merchant_still_rolls_up(base):
    merchants = f.MerchantFactory.create_batch(12, base=base)
    for merchant in merchants:
        for hour in (9, 20):
            f.TurnoverOrderFactory(
                merchant=merchant, amount=MAX_ORDER_CNY, placed_at=local(DAY, hour)
            )
    result = rollup.rollup_day(day=DAY)
    assert result.skipped_merchants == ()
    total = MAX_ORDER_CNY * 2 * len(merchants)
    base_day = DailyBaseTurnover.objects.get(day=DAY, base=base)
    assert (base_day.gross_cny, base_day.net_cny, base_day.orders) == (total, total, 24)
    assert DailyMerchantTurnover.objects.filter(day=DAY, gross_cny=MAX_ORDER_CNY * 2).count() == 12
    assert reconcile.reconcile(start=DAY, end=DAY) == []


def test_orders_at_the_columns_largest_amount_overflow_no_rollup_of_the_base(base):
    """The defect: one order of 999,999,999,999.99 CNY beside another overflowed the base's day
    total (14 digits), and the day's rollup failed on every retry."""
    for merchant in f.MerchantFactory.create_batch(3, base=base):
        f.TurnoverOrderFactory(merchant=merchant, amount=COLUMN_MAX, placed_at=local(DAY, 12))
    rollup.rollup_day(day=DAY)
    assert DailyBaseTurnover.objects.get(day=DAY, base=base).gross_cny == COLUMN_MAX * 3
    assert MonthlyMerchantTurnover.objects.filter(gross_cny=COLUMN_MAX).count() == 3
    assert reconcile.reconcile(start=DAY, end=DAY) == []


def _unrollable_merchant(base):
    """A merchant whose day no rollup column can hold: its units overflow a 32-bit count (rows
    written past the order door, as an old import or a hand edit could)."""
    bad = f.MerchantFactory(base=base)
    for n in range(2):
        f.TurnoverOrderFactory(merchant=bad, units=2_000_000_000, placed_at=local(DAY, 10 + n))
    return bad


def test_one_merchants_unrollable_rows_do_not_stop_the_bases_rollup(base, caplog):
    good = f.MerchantFactory.create_batch(2, base=base)
    for merchant in good:
        f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("500.00"), placed_at=local(DAY, 9))
    bad = _unrollable_merchant(base)

    result = rollup.rollup_day(day=DAY)

    assert result.skipped_merchants == (bad.pk,)
    assert f"merchant {bad.pk} cannot be rolled" in caplog.text
    rows = DailyMerchantTurnover.objects.filter(day=DAY)
    assert set(rows.values_list("merchant_id", flat=True)) == {m.pk for m in good}
    base_day = DailyBaseTurnover.objects.get(day=DAY, base=base)
    assert (base_day.gross_cny, base_day.orders, base_day.merchants_selling) == (
        Decimal("1000.00"),
        2,
        2,
    )
    assert DailyTurnover.objects.filter(day=DAY).count() == 2
    breakdown = DailyBaseBreakdown.objects.get(day=DAY, base=base)
    assert breakdown.gross_cny == Decimal("1000.00")
    assert MonthlyMerchantTurnover.objects.filter(merchant__in=good).count() == 2


def test_the_fallback_keeps_a_merchants_rows_and_updates_the_others(base):
    good = f.MerchantFactory(base=base)
    order = f.TurnoverOrderFactory(merchant=good, amount=Decimal("800.00"), placed_at=local(DAY, 9))
    rollup.rollup_day(day=DAY)
    bad = _unrollable_merchant(base)
    order.refunded_cny = Decimal("300.00")
    order.save()

    result = rollup.rollup_day(day=DAY)
    assert result.skipped_merchants == (bad.pk,)
    assert DailyMerchantTurnover.objects.get(day=DAY, merchant=good).net_cny == Decimal("500.00")
    month = MonthlyMerchantTurnover.objects.get(merchant=good)
    assert month.net_cny == Decimal("500.00")
    # Run twice: the same rows.
    rollup.rollup_day(day=DAY)
    assert DailyBaseTurnover.objects.get(day=DAY, base=base).net_cny == Decimal("500.00")


def test_the_rollup_task_succeeds_and_names_the_skipped_merchant(base):
    f.TurnoverOrderFactory(merchant=f.MerchantFactory(base=base), placed_at=local(DAY, 9))
    bad = _unrollable_merchant(base)
    answer = tasks.rollup_day.apply(args=[DAY.isoformat()], throw=True).get()
    assert answer["skipped_merchants"] == [bad.pk]


# --- re-rolls of many days are batched -----------------------------------------------------


def _orders_over(days: int, merchant) -> list[dt.date]:
    first = DAY - dt.timedelta(days=days - 1)
    dates = [first + dt.timedelta(days=n) for n in range(days)]
    Order.objects.bulk_create(
        [
            Order(
                merchant=merchant,
                platform="douyin",
                external_id=f"B{n:06d}",
                amount=Decimal("100.00"),
                amount_cny=Decimal("100.00"),
                units=1,
                status=Order.Status.PAID,
                placed_at=local(day, 12),
            )
            for n, day in enumerate(dates)
        ]
    )
    return dates


def test_an_import_that_dirties_many_days_is_rolled_a_batch_at_a_time(merchant, settings):
    settings.TURNOVER_REROLL_BATCH_DAYS = 7
    dates = _orders_over(20, merchant)

    rolled = dirty.reroll_changed_days()
    assert len(rolled) == 7  # one batch, the newest days first
    assert rolled == dates[-7:]
    assert TurnoverDirtyDay.objects.count() == 13
    assert TurnoverWatermark.objects.exists()

    days, remaining = dirty.drain_dirty_days()
    assert len(days) == 7 and remaining
    days, remaining = dirty.drain_dirty_days()
    assert len(days) == 6 and not remaining
    assert DailyMerchantTurnover.objects.filter(merchant=merchant).count() == 20
    assert reconcile.reconcile(start=dates[0], end=dates[-1]) == []


def test_the_periodic_task_takes_one_batch_and_leaves_the_rest_queued(merchant, settings):
    settings.TURNOVER_REROLL_BATCH_DAYS = 5
    _orders_over(40, merchant)
    tasks.rollup_today_so_far.apply(throw=True)
    # Eagerly the task runs its batch and one follow-up batch, never the whole backlog at once.
    assert DailyMerchantTurnover.objects.filter(merchant=merchant).count() == 10
    assert TurnoverDirtyDay.objects.count() == 30
    tasks.reroll_dirty_days.apply(throw=True)
    assert TurnoverDirtyDay.objects.count() == 25


def test_two_drains_at_once_take_different_days(merchant, settings):
    from django.utils import timezone

    settings.TURNOVER_REROLL_BATCH_DAYS = 4
    dates = _orders_over(8, merchant)
    dirty.mark_changed_days()
    # Another drain has claimed the four newest days and is rolling them.
    TurnoverDirtyDay.objects.filter(day__in=dates[-4:]).update(
        claimed_until=timezone.now() + dirty.CLAIM_FOR
    )
    days, remaining = dirty.drain_dirty_days()
    assert days == dates[:4][::-1] and remaining
    # A claim that ran out (its drain died) is taken again.
    TurnoverDirtyDay.objects.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    days, remaining = dirty.drain_dirty_days()
    assert days == dates[-4:][::-1] and not remaining


def test_a_day_marked_again_while_it_was_rolled_stays_marked(merchant, monkeypatch):
    from django.utils import timezone

    f.TurnoverOrderFactory(merchant=merchant, placed_at=local(DAY, 12))
    dirty.mark_changed_days()
    original = rollup.rollup_day

    def roll_while_an_order_changes(*, day, **kwargs):
        result = original(day=day, **kwargs)
        later = timezone.now() + dt.timedelta(minutes=1)
        TurnoverDirtyDay.objects.filter(day=day).update(marked_at=later)
        return result

    monkeypatch.setattr(rollup, "rollup_day", roll_while_an_order_changes)
    dirty.drain_dirty_days(limit=1)
    assert TurnoverDirtyDay.objects.filter(day=DAY).exists()


def test_holds_and_flash_deal_endings_have_their_own_queue(settings):
    from jingdezhen.celery import app

    for name in (
        "orders.tasks.release_expired_holds",
        "orders.tasks.end_due_flash_deals",
        "orders.tasks.end_flash_deal",
    ):
        assert app.amqp.router.route({}, name)["queue"].name == "holds"
    assert app.amqp.router.route({}, "orders.tasks.rollup_day")["queue"].name == "celery"
