"""The stored notification: who it is for, what happened (a kind and its parameters) and about
what (the subject's id, its model named by the kind). Imported by ``merchants.models``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One event told to one user; its sentence is rendered in the reader's language."""

    recipient = models.ForeignKey(
        "merchants.User",
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    base = models.ForeignKey(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=40)
    # What the kind's sentence is filled with: short strings and numbers (bounded by notify).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The id of what the notification is about; the kind says which model (a stream, a cohort).
    subject_id = models.BigIntegerField(_("subject"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Tenancy:
        # The selectors narrow further to the reader's own notifications (recipient).
        merchant = "merchant"
        base = "base"
        roles = {"manager", "trainer", "merchant"}

    class Meta:
        app_label = "merchants"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An event is told once to each person, however often the job that finds it runs.
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_id"],
                name="notification_once_per_subject_kind",
                nulls_distinct=False,
            )
        ]
        indexes = [
            # The badge: a user's unread notifications.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
