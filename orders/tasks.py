"""Celery jobs of the orders app. Each is small, calls one service, is acknowledged late and is
safe to run twice: holds expire once, a deal ends once, and a rollup of a day gives the same rows
however often it runs."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from orders.ordering import flash_deals, services

from . import rollups
from .models import TurnoverDirtyDay

# A chain whose worker died is given up after this long (a batch takes seconds).
CHAIN_SECONDS = 15 * 60


@shared_task(acks_late=True)
def release_expired_holds() -> int:
    """Cancel unpaid orders past their payment deadline and give their units back."""
    total = 0
    while True:
        released = services.holds_release_expired()
        total += released
        if released < 5000:
            return total


@shared_task(acks_late=True)
def end_due_flash_deals() -> int:
    """End flash deals whose time is up; their unsold units go back to stock."""
    return flash_deals.flash_deals_end_due()


@shared_task(acks_late=True)
def end_flash_deal(deal_id: int) -> int:
    return flash_deals.flash_deal_expire(deal_id=deal_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def rollup_today_so_far() -> list[str]:
    """Every few minutes: today so far, plus one batch of the days whose orders changed
    (refunds, late status changes, imports) since the last run; more batches follow as tasks of
    their own, so other work (and the holds queue's) runs between them."""
    days = rollups.rollup_today_so_far()
    _queue_next_batch()
    return [day.isoformat() for day in days]


# While a chain of re-roll batches runs, the periodic job starts no second chain.
CHAIN_KEY = "turnover:reroll-chain"


def _queue_next_batch() -> None:
    if TurnoverDirtyDay.objects.exists() and cache.add(CHAIN_KEY, 1, CHAIN_SECONDS):
        reroll_dirty_days.delay()


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def reroll_dirty_days() -> list[str]:
    """Re-roll one batch of marked days (settings.TURNOVER_REROLL_BATCH_DAYS), then queue the
    next batch if days remain."""
    days, remaining = rollups.drain_dirty_days()
    if remaining and not settings.CELERY_TASK_ALWAYS_EAGER:
        # Eagerly (tests, no broker) the next batch waits for the next periodic run instead of
        # recursing here.
        cache.set(CHAIN_KEY, 1, CHAIN_SECONDS)
        reroll_dirty_days.delay()
    else:
        cache.delete(CHAIN_KEY)
    return [day.isoformat() for day in days]


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def reroll_recent_days() -> list[str]:
    """Nightly: re-roll the last few days (late orders, refunds, deletions)."""
    days = getattr(settings, "TURNOVER_NIGHTLY_DAYS", 3)
    return [day.isoformat() for day in rollups.reroll_recent_days(days=days)]


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def rollup_day(day: str) -> dict:
    """Roll up one day (ISO date), e.g. after a bulk import of that day's orders."""
    result = rollups.rollup_day(day=dt.date.fromisoformat(day))
    return {
        "day": day,
        "written_rows": result.written_rows,
        "milestones": result.milestones,
        "skipped_merchants": list(result.skipped_merchants),
    }
