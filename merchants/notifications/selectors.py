"""Reads of notifications: always the reader's own, within their reach."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from jingdezhen.core.tenancy import Reach

from . import kinds
from .models import Notification


def notification_list(*, reach: Reach, unread_only: bool = False) -> QuerySet[Notification]:
    """The reader's notifications, newest first (one query however many; page it)."""
    if reach.user_id is None:
        return Notification.objects.none()
    qs = reach.scope(Notification.objects.filter(recipient_id=reach.user_id))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, reach: Reach) -> int:
    """The badge of the menu: one COUNT query."""
    return notification_list(reach=reach, unread_only=True).count()


@dataclass(frozen=True)
class Shown:
    """A notification as the reader sees it: its sentence in the active language."""

    notification: Notification
    text: str
    label: str
    tone: str
    url: str

    @property
    def pk(self) -> int:
        return self.notification.pk

    @property
    def is_read(self) -> bool:
        return self.notification.read_at is not None


def shown(notifications) -> list[Shown]:
    """Render stored notifications for the reader (no query: kind and parameters suffice)."""
    return [
        Shown(
            notification=n,
            text=kinds.render(n.kind, n.params),
            label=kinds.label(n.kind),
            tone=kinds.tone(n.kind),
            url=kinds.link(n.kind, n.subject_id),
        )
        for n in notifications
    ]
