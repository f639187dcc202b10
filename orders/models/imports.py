"""Import jobs: an uploaded file (platform order export or product catalogue) read by a worker in
chunks, its progress counted as it goes, and the rows it could not take kept for the merchant."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform
from jingdezhen.core.storage import RandomName, private_storage

# The raw text of a bad row is kept up to this many characters (the file itself is kept too).
BAD_ROW_TEXT = 1000
BAD_ROW_PROBLEM = 300


class ImportJob(models.Model):
    """One uploaded file and the worker's progress through it. Counters are committed with each
    chunk, so a page polling the job sees them move and a crashed job resumes after the last
    committed row (``rows_read``)."""

    class Kind(models.TextChoices):
        ORDERS = "orders", _("orders")
        CATALOGUE = "catalogue", _("catalogue")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, blank=True)
    file = models.FileField(
        _("file"), upload_to=RandomName("imports"), storage=private_storage, max_length=200
    )
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("checksum"), max_length=64)
    order_import = models.ForeignKey(
        "orders.OrderImport",
        verbose_name=_("order import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
    )
    uploaded_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    repeated = models.BooleanField(_("imported before"), default=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_already = models.PositiveIntegerField(_("rows already imported"), default=0)
    rows_bad = models.PositiveIntegerField(_("bad rows"), default=0)
    orders_imported = models.PositiveIntegerField(_("orders imported"), default=0)
    # The position after the last committed chunk (line of a CSV, row of a sheet).
    position = models.PositiveIntegerField(_("position"), default=0)
    rows_expected = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "kind", "sha256"])]

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportBadRow(models.Model):
    """A row a job could not take: where it is in the file, its text (bounded), and why."""

    job = models.ForeignKey(
        ImportJob, verbose_name=_("import job"), on_delete=models.CASCADE, related_name="bad_rows"
    )
    line = models.PositiveIntegerField(_("line"))
    raw = models.CharField(_("row"), max_length=BAD_ROW_TEXT, blank=True)
    problem = models.CharField(_("problem"), max_length=BAD_ROW_PROBLEM)

    class Tenancy:
        merchant = "job__merchant"
        base = "job__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("bad row")
        verbose_name_plural = _("bad rows")
        ordering = ["job", "line", "id"]
        indexes = [models.Index(fields=["job", "line"])]

    def __str__(self) -> str:
        return f"{self.line}: {self.problem}"
