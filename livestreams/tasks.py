"""Periodic jobs of live streams: small, idempotent, each calls one service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def flag_late_streams() -> int:
    """Flag streams that should have started but did not (and tell the team)."""
    return services.streams_flag_late()


@shared_task(acks_late=True)
def send_stream_reminders() -> int:
    """Remind hosts a set time before their streams."""
    return services.reminders_send()
