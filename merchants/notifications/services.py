"""Every write of notifications: ``notify`` (the one way one is made), mark read, mark all read.

Livestreams and training call ``notify`` for their events with the people concerned; the
recipient helpers here name the usual ones (a merchant's owners, a base's managers).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext

from jingdezhen.core.api import MAX_ID
from jingdezhen.core.tenancy import Reach

from ..models import Role, TeamMember, User
from . import kinds
from .models import Notification

logger = logging.getLogger(__name__)


def merchant_owners(*, merchant_id: int) -> QuerySet[User]:
    """The active users who own a merchant (an active owner row of its team)."""
    return User.objects.filter(
        is_active=True,
        membership__merchant_id=merchant_id,
        membership__role=TeamMember.Role.OWNER,
        membership__is_active=True,
    )


def base_managers(*, base_id: int) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.MANAGER, base_id=base_id)


def recipient_language(user: User) -> str:
    """The language a user reads e-mail in. Users keep no language of their own (the interface
    follows the browser or the language switch), so it is the site's default language."""
    return settings.LANGUAGE_CODE


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    params: Mapping[str, object],
    base_id: int,
    merchant_id: int | None = None,
    subject: models.Model | None = None,
) -> list[Notification]:
    """Tell each recipient (once per kind and subject) and e-mail those with an address after
    the transaction commits. Returns the notifications made now (none for a repeat)."""
    spec = kinds.get(kind)
    if subject is not None and subject._meta.label != spec.subject:
        raise ValueError(f"{kind} is about a {spec.subject}, not a {subject._meta.label}")
    stored = kinds.store_params(spec, params)
    subject_id = subject.pk if subject is not None else None
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return []
    new = []
    for user in people.values():
        # get_or_create: a run racing this one finds the row the constraint kept.
        notification, created = Notification.objects.get_or_create(
            recipient=user,
            kind=kind,
            subject_id=subject_id,
            defaults={"base_id": base_id, "merchant_id": merchant_id, "params": stored},
        )
        if created:
            new.append(notification)
    for notification in new:
        if notification.recipient.email:
            transaction.on_commit(lambda n=notification: _email(n))
    return new


def _email(notification: Notification) -> None:
    user = notification.recipient
    with translation.override(recipient_language(user)):
        subject = f"{gettext('Jingdezhen Live Base')}: {kinds.label(notification.kind)}"
        body = kinds.render(notification.kind, notification.params)
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        # The notification stays in the inbox: a mail server down loses nothing.
        logger.warning("notification %s: the e-mail could not be sent", notification.pk)


def _own(reach: Reach) -> QuerySet[Notification]:
    # The reader's own, and within their reach (a member who left a merchant no longer reads
    # what its streams told them).
    if reach.user_id is None:
        return Notification.objects.none()
    return reach.scope(Notification.objects.filter(recipient_id=reach.user_id))


@transaction.atomic
def notification_mark_read(*, reach: Reach, notification_id: int) -> Notification:
    """Mark one of the reader's own notifications read; another's is not found (404)."""
    if not 0 < notification_id <= MAX_ID:  # no such row, and no query for a number too large
        raise Http404
    notification = _own(reach).select_for_update().filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, reach: Reach) -> int:
    """Mark every unread notification of the reader read; returns how many were unread."""
    return _own(reach).filter(read_at__isnull=True).update(read_at=timezone.now())
