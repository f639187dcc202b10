"""Celery jobs of the turnover rollups. Each is acknowledged late and is safe to run twice: a
rollup of a day gives the same rows however often it runs.

The tasks keep the names they had in orders/tasks.py (``name=``): the beat schedule
(settings.CELERY_BEAT_SCHEDULE, and the copy django-celery-beat keeps in the database), the
routes and any queued message name them so. jingdezhen/celery.py discovers this module.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from ..models import TurnoverDirtyDay
from . import dirty, rollup

# A chain whose worker died is given up after this long (a batch takes seconds).
CHAIN_SECONDS = 15 * 60
# While a chain of re-roll batches runs, the periodic job starts no second chain.
CHAIN_KEY = "turnover:reroll-chain"
RETRIED = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "max_retries": 3,
    "retry_backoff": True,
}


@shared_task(name="orders.tasks.rollup_today_so_far", **RETRIED)
def rollup_today_so_far() -> list[str]:
    """Every few minutes: today so far, plus one batch of the days whose orders changed
    (refunds, late status changes, imports) since the last run; more batches follow as tasks of
    their own, so other work (and the holds queue's) runs between them."""
    days = dirty.rollup_today_so_far()
    _queue_next_batch()
    return [day.isoformat() for day in days]


def _queue_next_batch() -> None:
    if TurnoverDirtyDay.objects.exists() and cache.add(CHAIN_KEY, 1, CHAIN_SECONDS):
        reroll_dirty_days.delay()


@shared_task(name="orders.tasks.reroll_dirty_days", **RETRIED)
def reroll_dirty_days() -> list[str]:
    """Re-roll one batch of marked days (settings.TURNOVER_REROLL_BATCH_DAYS), then queue the
    next batch if days remain."""
    days, remaining = dirty.drain_dirty_days()
    if remaining and not settings.CELERY_TASK_ALWAYS_EAGER:
        # Eagerly (tests, no broker) the next batch waits for the next periodic run instead of
        # recursing here.
        cache.set(CHAIN_KEY, 1, CHAIN_SECONDS)
        reroll_dirty_days.delay()
    else:
        cache.delete(CHAIN_KEY)
    return [day.isoformat() for day in days]


@shared_task(name="orders.tasks.reroll_recent_days", **RETRIED)
def reroll_recent_days() -> list[str]:
    """Nightly: re-roll the last few days (late orders, refunds, deletions)."""
    days = getattr(settings, "TURNOVER_NIGHTLY_DAYS", 3)
    return [day.isoformat() for day in dirty.reroll_recent_days(days=days)]


@shared_task(name="orders.tasks.rollup_day", **RETRIED)
def rollup_day(day: str) -> dict:
    """Roll up one day (ISO date), e.g. after a bulk import of that day's orders."""
    result = rollup.rollup_day(day=dt.date.fromisoformat(day))
    return {
        "day": day,
        "written_rows": result.written_rows,
        "milestones": result.milestones,
        "skipped_merchants": list(result.skipped_merchants),
    }
