"""Celery jobs of the orders app. Each is small, calls one service, is acknowledged late and is
safe to run twice: holds expire once, a deal ends once. The turnover rollups' jobs are in
orders/turnover/tasks.py (under their old names, orders.tasks.*)."""

from __future__ import annotations

from celery import shared_task

from .ordering import flash_deals, services


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


@shared_task(acks_late=True)
def run_import(job_id: int) -> str:
    """Read an uploaded import file in chunks (``orders.intake.jobs``). Run again, a done job
    does nothing; a job whose worker died resumes after its last committed chunk."""
    from .intake import jobs

    job = jobs.import_job_run(job_id=job_id)
    return job.status if job else "missing"
