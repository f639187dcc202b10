"""Periodic jobs of live streams: small, idempotent, each calls one service."""

from celery import shared_task

from .services import notifications as notification_services


@shared_task(acks_late=True)
def flag_late_streams() -> int:
    """Flag streams that should have started but did not (and tell the team)."""
    return notification_services.streams_flag_late()


@shared_task(acks_late=True)
def send_stream_reminders() -> int:
    """Remind hosts a set time before their streams."""
    return notification_services.reminders_send()
