"""Celery jobs of the orders app: the turnover rollups. Each is small, idempotent (a rollup of a
day gives the same rows however often it runs) and acknowledged late, so a worker lost mid-run
means the job runs again, which is harmless."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from . import rollups


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def rollup_today_so_far() -> list[str]:
    """Every few minutes: today so far, plus every day whose orders changed (refunds, late
    status changes) since the last run."""
    return [day.isoformat() for day in rollups.rollup_today_so_far()]


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def reroll_recent_days() -> list[str]:
    """Nightly: re-roll the last few days (late orders, refunds, deletions)."""
    days = getattr(settings, "TURNOVER_NIGHTLY_DAYS", 3)
    return [day.isoformat() for day in rollups.reroll_recent_days(days=days)]


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def rollup_day(day: str) -> dict:
    """Roll up one day (ISO date), e.g. after a bulk import of that day's orders."""
    result = rollups.rollup_day(day=dt.date.fromisoformat(day))
    return {"day": day, "written_rows": result.written_rows, "milestones": result.milestones}
