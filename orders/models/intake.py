"""Intake records: one uploaded platform export and its report."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform


class OrderImport(models.Model):
    """One uploaded platform export and its report. The same file (by content) for the same
    merchant and platform is imported once; uploading it again shows the first report."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="order_imports",
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    orders_imported = models.PositiveIntegerField(_("orders imported"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_already = models.PositiveIntegerField(_("rows already imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "platform", "sha256"], name="order_import_file_once"
            )
        ]

    def __str__(self) -> str:
        return self.filename
