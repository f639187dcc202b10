"""Periodic jobs of merchants: small, idempotent, each calls one service."""

from celery import shared_task

from .supervision import services as supervision


@shared_task(acks_late=True)
def supervision_daily() -> dict:
    """Open and close the supervision alerts and remind managers of follow-ups due (08:00)."""
    return supervision.supervision_daily()
