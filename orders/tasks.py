"""Periodic jobs of the orders app: each calls one service and is safe to run twice."""

from celery import shared_task

from . import services


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
    return services.flash_deals_end_due()


@shared_task(acks_late=True)
def end_flash_deal(deal_id: int) -> int:
    return services.flash_deal_end(deal_id=deal_id)
