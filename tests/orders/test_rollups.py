import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from merchants.models import Milestone
from orders.models import (
    DailyBaseBreakdown,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyRoomUsage,
    DailyTurnover,
    DailyTurnoverDetail,
    Order,
    Product,
    TurnoverWatermark,
)
from orders.turnover import dirty, reconcile, rollup
from tests import factories as f

from .turnover_helpers import DAY, direct_totals, local, rolled_totals, snapshot


@pytest.fixture
def day_of_orders(merchant, other_merchant):
    """A mixed day: two merchants, three platforms, overseas buyers, a refund, statuses that do
    not count, a rehearsal stream's order, and orders just either side of local midnight."""
    rehearsal = f.TurnoverStreamFactory(merchant=merchant, is_rehearsal=True)
    real = f.TurnoverStreamFactory(merchant=merchant)
    high = f.TurnoverProductFactory(merchant=merchant, tier=Product.Tier.HIGH_END)
    daily = f.TurnoverProductFactory(merchant=merchant, tier=Product.Tier.DAILY)
    order = f.TurnoverOrderFactory
    o1 = order(merchant=merchant, amount=Decimal("1200.00"), units=2, placed_at=local(DAY, 0, 0))
    f.TurnoverOrderLineFactory(order=o1, product=high)
    f.TurnoverOrderLineFactory(order=o1, product=daily)
    o2 = order(merchant=merchant, amount=Decimal("99.90"), stream=real, placed_at=local(DAY, 21))
    f.TurnoverOrderLineFactory(order=o2, product=daily)
    order(
        merchant=merchant,
        platform="tiktok",
        buyer_country="ZA",
        currency="USD",
        amount=Decimal("50.00"),
        amount_cny=Decimal("356.25"),
        placed_at=local(DAY, 23, 59),
    )
    order(
        merchant=merchant,
        amount=Decimal("300.00"),
        refunded_cny=Decimal("300.00"),
        status=Order.Status.REFUNDED,
        placed_at=local(DAY, 12),
    )
    order(merchant=merchant, amount=Decimal("700.00"), status=Order.Status.PENDING)
    order(merchant=merchant, amount=Decimal("800.00"), status=Order.Status.CANCELLED)
    order(merchant=merchant, amount=Decimal("5000.00"), stream=rehearsal, placed_at=local(DAY, 9))
    order(
        merchant=other_merchant,
        platform="taobao",
        amount=Decimal("450.50"),
        units=3,
        status=Order.Status.COMPLETED,
        placed_at=local(DAY, 10),
    )
    # Either side of the day: not in it.
    order(
        merchant=merchant,
        amount=Decimal("11.00"),
        placed_at=local(DAY, 0) - dt.timedelta(seconds=1),
    )
    order(
        merchant=merchant, amount=Decimal("13.00"), placed_at=local(DAY + dt.timedelta(days=1), 0)
    )
    return merchant


def test_rollup_totals_equal_the_orders_summed_directly(day_of_orders):
    rollup.rollup_day(day=DAY)
    assert rolled_totals(DAY) == direct_totals(DAY)
    assert rolled_totals(DAY)[(day_of_orders.pk, "douyin")][0] == Decimal("1599.90")


def test_detail_and_base_rows_add_up_to_the_merchant_rows(day_of_orders):
    rollup.rollup_day(day=DAY)
    merchant_gross = DailyTurnover.objects.filter(day=DAY).aggregate(s=Sum("gross_cny"))["s"]
    assert DailyTurnoverDetail.objects.filter(day=DAY).aggregate(s=Sum("gross_cny"))["s"] == (
        merchant_gross
    )
    for model in (DailyBaseTurnover, DailyBaseBreakdown, DailyMerchantTurnover):
        assert model.objects.filter(day=DAY).aggregate(s=Sum("gross_cny"))["s"] == merchant_gross
    assert DailyBaseTurnover.objects.get(day=DAY).merchants_selling == 2
    tiers = dict(
        DailyTurnoverDetail.objects.filter(day=DAY, merchant=day_of_orders)
        .values_list("tier")
        .annotate(s=Sum("gross_cny"))
    )
    assert tiers == {
        "high_end": Decimal("1200.00"),
        "daily": Decimal("99.90"),
        "": Decimal("656.25"),
    }


def test_overseas_orders_are_counted_apart(day_of_orders):
    rollup.rollup_day(day=DAY)
    tiktok = DailyTurnover.objects.get(day=DAY, merchant=day_of_orders, platform="tiktok")
    assert (tiktok.overseas_cny, tiktok.overseas_orders) == (Decimal("356.25"), 1)
    assert DailyTurnoverDetail.objects.get(day=DAY, country="ZA").gross_cny == Decimal("356.25")


def test_rerunning_a_day_gives_the_same_rows(day_of_orders):
    rollup.rollup_day(day=DAY)
    first = snapshot(DAY)
    ids = set(DailyTurnover.objects.values_list("id", flat=True))
    rollup.rollup_day(day=DAY)
    assert snapshot(DAY) == first
    assert set(DailyTurnover.objects.values_list("id", flat=True)) == ids


def test_rerunning_an_unchanged_day_rewrites_no_row(day_of_orders):
    first = rollup.rollup_day(day=DAY)
    assert first.written_rows > 0
    again = rollup.rollup_day(day=DAY)
    assert (again.written_rows, again.deleted_rows) == (0, 0)


def test_a_group_that_lost_its_orders_is_deleted_on_the_next_run(merchant, other_merchant):
    f.TurnoverOrderFactory(merchant=merchant, placed_at=local(DAY, 10))
    gone = f.TurnoverOrderFactory(merchant=other_merchant, placed_at=local(DAY, 11))
    rollup.rollup_day(day=DAY)
    Order.objects.filter(pk=gone.pk).update(status=Order.Status.CANCELLED)
    rollup.rollup_day(day=DAY)
    assert list(DailyTurnover.objects.values_list("merchant_id", flat=True)) == [merchant.pk]
    assert not DailyTurnoverDetail.objects.filter(merchant=other_merchant).exists()
    assert rolled_totals(DAY) == direct_totals(DAY)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_give_the_same_rows():
    base = f.BaseFactory()
    merchants = [f.MerchantFactory(base=base) for _ in range(3)]
    for n in range(60):
        f.TurnoverOrderFactory(
            merchant=merchants[n % 3],
            platform=["douyin", "taobao", "tiktok"][n % 3],
            buyer_country=["CN", "CN", "ZA", "SE"][n % 4],
            amount=Decimal(100 + n),
            placed_at=local(DAY, n % 24),
        )
    barrier, errors = threading.Barrier(4), []

    def run():
        try:
            barrier.wait()
            rollup.rollup_day(day=DAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    concurrent = snapshot(DAY)
    rollup.rollup_day(day=DAY)
    assert snapshot(DAY) == concurrent
    assert rolled_totals(DAY) == direct_totals(DAY)
    assert DailyTurnover.objects.count() == 3


def test_a_crash_inside_the_rollup_leaves_the_old_rows_and_the_retry_gives_the_same_totals(
    day_of_orders, monkeypatch
):
    rollup.rollup_day(day=DAY)
    before = snapshot(DAY)
    f.TurnoverOrderFactory(merchant=day_of_orders, amount=Decimal("5.00"), placed_at=local(DAY, 8))

    def crash(day):
        raise RuntimeError("worker lost after the insert")

    monkeypatch.setattr(rollup, "_checkpoint", crash)
    with pytest.raises(RuntimeError):
        rollup.rollup_day(day=DAY)
    assert snapshot(DAY) == before  # the half-done run left nothing behind

    monkeypatch.undo()
    rollup.rollup_day(day=DAY)
    retried = snapshot(DAY)
    rollup.rollup_day(day=DAY)
    assert snapshot(DAY) == retried
    assert rolled_totals(DAY) == direct_totals(DAY)


def test_a_crashed_task_retried_gives_the_same_totals(day_of_orders, monkeypatch, settings):
    from orders.turnover import tasks

    calls = []

    def crash_once(day):
        if not calls:
            calls.append(day)
            raise RuntimeError("crash inside the transaction")

    monkeypatch.setattr(rollup, "_checkpoint", crash_once)
    # Eagerly, Celery's autoretry runs the retry inline: the first attempt crashed inside its
    # transaction (rolled back), the retry rolled the day up.
    result = tasks.rollup_day.apply(args=[DAY.isoformat()], throw=False)
    assert calls == [DAY]
    assert result.state == "SUCCESS"
    once = snapshot(DAY)
    tasks.rollup_day.apply(args=[DAY.isoformat()], throw=True)  # delivered twice: harmless
    assert snapshot(DAY) == once
    assert rolled_totals(DAY) == direct_totals(DAY)


def test_a_refund_after_the_day_was_rolled_reaches_the_totals(
    merchant, django_capture_on_commit_callbacks
):
    order = f.TurnoverOrderFactory(
        merchant=merchant, amount=Decimal("800.00"), placed_at=local(DAY, 15)
    )
    dirty.reroll_changed_days()  # first run: rolls every day with orders, sets the watermark
    assert DailyTurnover.objects.get(day=DAY).net_cny == Decimal("800.00")

    order.refunded_cny = Decimal("300.00")
    order.save()  # auto_now moves updated_at: the day is marked for re-rolling
    from orders.turnover import tasks

    tasks.rollup_today_so_far.apply(throw=True)
    row = DailyTurnover.objects.get(day=DAY)
    assert (row.gross_cny, row.refunded_cny, row.net_cny) == (
        Decimal("800.00"),
        Decimal("300.00"),
        Decimal("500.00"),
    )
    assert TurnoverWatermark.objects.get().value >= order.updated_at


def test_the_watermark_skips_days_whose_orders_did_not_change(merchant):
    f.TurnoverOrderFactory(merchant=merchant, placed_at=local(DAY, 15))
    assert dirty.reroll_changed_days() == [DAY]
    assert dirty.reroll_changed_days() == [DAY]  # within the overlap window: harmless
    TurnoverWatermark.objects.update(value=local(DAY + dt.timedelta(days=400), 0))
    assert dirty.reroll_changed_days() == []


def test_reconciliation_reports_a_rollup_that_differs_from_its_orders(day_of_orders):
    rollup.rollup_day(day=DAY)
    assert reconcile.reconcile(start=DAY, end=DAY) == []
    DailyTurnover.objects.filter(platform="taobao").update(gross_cny=Decimal("1.00"))
    differences = reconcile.reconcile(start=DAY, end=DAY)
    assert {d.table for d in differences} == {
        "daily_turnover",
        "rollup totals",
        "daily merchant turnover",
    }
    assert any("platform=taobao" in d.key for d in differences)


def test_reconciliation_reports_a_merchant_day_row_that_went_missing(day_of_orders):
    # A merchant's platform rows are read through its merchant-day rows: one gone would hide them.
    rollup.rollup_day(day=DAY)
    DailyMerchantTurnover.objects.filter(day=DAY, merchant=day_of_orders).delete()
    differences = reconcile.reconcile(start=DAY, end=DAY)
    missing = [d for d in differences if d.table == "daily merchant turnover"]
    assert [d.key for d in missing] == [f"merchant={day_of_orders.pk}"]
    assert "gross=None" in missing[0].orders_say


def test_reconcile_command_fails_on_a_difference(day_of_orders):
    from django.core.management.base import CommandError

    call_command("rollup_turnover", "--from", DAY.isoformat(), "--to", DAY.isoformat())
    call_command("reconcile_turnover", "--from", DAY.isoformat(), "--to", DAY.isoformat())
    f.TurnoverOrderFactory(merchant=day_of_orders, placed_at=local(DAY, 7))
    with pytest.raises(CommandError):
        call_command("reconcile_turnover", "--from", DAY.isoformat(), "--to", DAY.isoformat())


def test_milestones_of_10k_and_50k_days_come_from_the_rollups(merchant, other_merchant):
    f.TurnoverOrderFactory(merchant=merchant, amount=Decimal("52000.00"), placed_at=local(DAY, 9))
    f.TurnoverOrderFactory(
        merchant=other_merchant, amount=Decimal("9999.99"), placed_at=local(DAY, 9)
    )
    result = rollup.rollup_day(day=DAY)
    assert result.milestones == 2
    kinds = set(Milestone.objects.filter(merchant=merchant).values_list("kind", flat=True))
    assert kinds == {Milestone.Kind.FIRST_10K_DAY, Milestone.Kind.FIRST_50K_DAY}
    assert not Milestone.objects.filter(merchant=other_merchant).exists()
    assert rollup.rollup_day(day=DAY).milestones == 0  # already recorded


def test_room_usage_counts_booked_minutes_of_base_rooms(merchant):
    room = f.LiveRoomFactory(base=merchant.base)
    f.TurnoverStreamFactory(
        merchant=merchant, room=room, planned_start=local(DAY, 20), planned_end=local(DAY, 22)
    )
    # Crosses midnight: only the hour inside the day counts.
    f.TurnoverStreamFactory(
        merchant=merchant,
        room=room,
        planned_start=local(DAY, 23),
        planned_end=local(DAY + dt.timedelta(days=1), 1),
    )
    f.TurnoverStreamFactory(
        merchant=merchant,
        room=room,
        planned_start=local(DAY, 8),
        planned_end=local(DAY, 9),
        status="cancelled",
    )
    rollup.rollup_day(day=DAY)
    usage = DailyRoomUsage.objects.get(day=DAY, base=merchant.base)
    assert (usage.booked_minutes, usage.streams, usage.rooms) == (180, 2, 1)
