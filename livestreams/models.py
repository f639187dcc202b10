"""Live rooms of a base, the streams scheduled in them, their run sheets and results."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import history
from jingdezhen.core.platforms import Platform

MONEY = {"max_digits": 14, "decimal_places": 2}
HOUR = [MinValueValidator(0), MaxValueValidator(24)]


@history.track_changes(
    "changeover_minutes", "room_hours_per_day", "room_hours_per_week", "require_host_basics"
)
class StreamSettings(models.Model):
    """The base's rules for booking its rooms (one row per base, made on first use)."""

    base = models.OneToOneField(
        "merchants.Base",
        verbose_name=_("base"),
        on_delete=models.CASCADE,
        related_name="stream_settings",
    )
    changeover_minutes = models.PositiveSmallIntegerField(
        _("changeover buffer (minutes)"),
        default=15,
        validators=[MaxValueValidator(240)],
        help_text=_("Time kept free in a room after each stream, to clear and set up."),
    )
    room_hours_per_day = models.PositiveSmallIntegerField(
        _("room hours per merchant per day"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24)],
        help_text=_("Empty: no cap."),
    )
    room_hours_per_week = models.PositiveSmallIntegerField(
        _("room hours per merchant per week"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(168)],
        help_text=_("Empty: no cap."),
    )
    require_host_basics = models.BooleanField(
        _("host must have completed the live-hosting basics"),
        default=False,
        help_text=_("Checked when a base room is booked."),
    )
    reminder_minutes = models.PositiveSmallIntegerField(
        _("remind the host (minutes before)"), default=60
    )
    missed_after_minutes = models.PositiveSmallIntegerField(
        _("flag a stream as late after (minutes)"), default=15
    )

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("stream settings")
        verbose_name_plural = _("stream settings")

    def __str__(self) -> str:
        return str(self.base)


@history.track_changes(
    "name",
    "capacity",
    "is_active",
    "opens_hour",
    "closes_hour",
    "prime_start_hour",
    "prime_end_hour",
)
class LiveRoom(models.Model):
    """A live-stream room of the base, rented to merchants by the hour."""

    base = models.ForeignKey(
        "merchants.Base", verbose_name=_("base"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=60)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), default=4)
    equipment = models.TextField(_("equipment"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    opens_hour = models.PositiveSmallIntegerField(_("opens at (hour)"), default=8, validators=HOUR)
    closes_hour = models.PositiveSmallIntegerField(
        _("closes at (hour)"), default=24, validators=HOUR, help_text=_("24 means midnight.")
    )
    prime_start_hour = models.PositiveSmallIntegerField(
        _("prime time from (hour)"), default=19, validators=HOUR
    )
    prime_end_hour = models.PositiveSmallIntegerField(
        _("prime time until (hour)"), default=23, validators=HOUR
    )

    class Tenancy:
        merchant = None
        base = "base"
        roles = {"manager", "trainer", "merchant"}

    class Meta:
        verbose_name = _("live room")
        verbose_name_plural = _("live rooms")
        ordering = ["base", "name"]
        constraints = [
            models.UniqueConstraint(fields=["base", "name"], name="live_room_name_unique_per_base"),
            models.CheckConstraint(
                condition=Q(closes_hour__gt=models.F("opens_hour")),
                name="live_room_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(prime_end_hour__gte=models.F("prime_start_hour")),
                name="live_room_prime_time_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_prime(self, hour: int) -> bool:
        return self.prime_start_hour <= hour < self.prime_end_hour


class StreamSeries(models.Model):
    """A recurring schedule ("every day at 20:00 for four weeks"): its streams point to it."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="stream_series",
    )
    title = models.CharField(_("title"), max_length=160)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    room = models.ForeignKey(
        LiveRoom, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True
    )
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    first_date = models.DateField(_("first date"))
    last_date = models.DateField(_("last date"))
    weekdays = models.CharField(
        _("weekdays"), max_length=7, default="0123456", help_text=_("0 = Monday ... 6 = Sunday")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("stream series")
        verbose_name_plural = _("stream series")
        ordering = ["-first_date", "-id"]

    def __str__(self) -> str:
        return self.title


def held_span(start: str, end: str) -> models.Func:
    """``tstzrange(start, end, '[)')``: the span a stream holds, for the exclusion constraints.

    A plain ``Func`` rather than a subclass, so the migrations name only Django's own classes.
    """
    return models.Func(
        start, end, RangeBoundary(), function="TSTZRANGE", output_field=DateTimeRangeField()
    )


@history.track_changes(
    "title", "platform", "room", "host", "planned_start", "planned_end", "status"
)
class LiveStream(models.Model):
    """One scheduled live session of a merchant on one platform, in a base room or own studio."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")
        MISSED = "missed", _("Missed")

    # Streams in these states hold their room and host; the exclusion constraints cover them.
    ACTIVE_STATUSES = (Status.SCHEDULED, Status.LIVE)

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="streams",
    )
    room = models.ForeignKey(
        LiveRoom,
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="streams",
        help_text=_("Empty when the merchant streams from its own studio."),
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    host = models.ForeignKey(
        "merchants.TeamMember",
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_streams",
    )
    assistant_host = models.ForeignKey(
        "merchants.TeamMember",
        verbose_name=_("assistant host"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assisted_streams",
    )
    operator = models.ForeignKey(
        "merchants.TeamMember",
        verbose_name=_("control-desk operator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_streams",
    )
    series = models.ForeignKey(
        StreamSeries,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="streams",
    )
    title = models.CharField(_("title"), max_length=160)
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    # The room is held until planned_end plus the base's changeover buffer; set by the service
    # and checked by the room's exclusion constraint.
    blocked_until = models.DateTimeField(_("room blocked until"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    is_rehearsal = models.BooleanField(
        _("rehearsal"), default=False, help_text=_("Rehearsals are kept out of every statistic.")
    )
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    late_flagged_at = models.DateTimeField(_("flagged late at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    showing = models.ForeignKey(
        "FeaturedProduct",
        verbose_name=_("product now shown"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Results, entered after the stream (from the platform's dashboard).
    unique_viewers = models.PositiveIntegerField(_("unique viewers"), null=True, blank=True)
    peak_viewers = models.PositiveIntegerField(_("peak concurrent viewers"), null=True, blank=True)
    avg_watch_seconds = models.PositiveIntegerField(
        _("average watch time (seconds)"), null=True, blank=True
    )
    new_followers = models.PositiveIntegerField(_("new followers"), null=True, blank=True)
    product_clicks = models.PositiveIntegerField(_("product clicks"), null=True, blank=True)
    results_recorded_at = models.DateTimeField(_("results recorded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "merchants.User",
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Every write sets this (auto_now, kept in every partial save() below; queryset .update()
    # calls pass updated_at=Now()), so a client syncs with ?updated_since= and the calendar
    # feeds' SEQUENCE and LAST-MODIFIED move.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Tenancy:
        merchant = "merchant"
        base = "merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("live stream")
        verbose_name_plural = _("live streams")
        ordering = ["planned_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gt=models.F("planned_start")),
                name="stream_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(blocked_until__gte=models.F("planned_end")),
                name="stream_blocked_until_after_end",
            ),
            # No double booking, decided by PostgreSQL even when two requests race past the
            # service's own clash query: a room never holds two active streams whose
            # [planned_start, blocked_until) overlap (blocked_until includes the changeover
            # buffer), a host never hosts two whose [planned_start, planned_end) overlap. The
            # services catch the IntegrityError by these names (livestreams.services.booking).
            ExclusionConstraint(
                name="stream_room_no_overlap",
                expressions=[
                    ("room", RangeOperators.EQUAL),
                    (
                        held_span("planned_start", "blocked_until"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(room__isnull=False, status__in=["scheduled", "live"]),
                violation_error_code="room_double_booked",
                violation_error_message=_("The room is already booked for an overlapping time."),
            ),
            ExclusionConstraint(
                name="stream_host_no_overlap",
                expressions=[
                    ("host", RangeOperators.EQUAL),
                    (
                        held_span("planned_start", "planned_end"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(host__isnull=False, status__in=["scheduled", "live"]),
                violation_error_code="host_double_booked",
                violation_error_message=_(
                    "The host already hosts a stream at an overlapping time."
                ),
            ),
            # One host, and one room, carry at most one live stream at any moment, even when
            # two go-lives race (a stream may go live early or overrun its plan, so the
            # exclusions above on the planned times do not decide it).
            models.UniqueConstraint(
                fields=["host"],
                condition=Q(status="live", host__isnull=False),
                name="stream_one_live_per_host",
                violation_error_message=_("The host is already live in another stream."),
            ),
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(status="live", room__isnull=False),
                name="stream_one_live_per_room",
                violation_error_message=_("The room already carries a live stream."),
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "planned_start"]),
            models.Index(fields=["room", "planned_start"]),
            models.Index(fields=["status", "planned_start"]),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, update_fields=None, **kwargs):
        # auto_now writes only the fields a partial save names: the change time goes with each.
        if update_fields is not None:
            update_fields = {*update_fields, "updated_at"}
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class CrewBooking(models.Model):
    """One person of a merchant's team held by an active stream, in whichever role (host,
    assistant host, control-desk operator), for the stream's planned time.

    Kept by the services while the stream is scheduled or live and deleted when it leaves those
    states; the exclusion constraint stops one person from being booked twice for overlapping
    times in any pair of roles, even when two requests race.
    """

    class Part(models.TextChoices):
        HOST = "host", _("Host")
        ASSISTANT_HOST = "assistant_host", _("Assistant host")
        OPERATOR = "operator", _("Control-desk operator")

    stream = models.ForeignKey(
        LiveStream, verbose_name=_("stream"), on_delete=models.CASCADE, related_name="crew"
    )
    member = models.ForeignKey(
        "merchants.TeamMember",
        verbose_name=_("team member"),
        on_delete=models.CASCADE,
        related_name="crew_bookings",
    )
    part = models.CharField(_("part"), max_length=16, choices=Part.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Tenancy:
        merchant = "stream__merchant"
        base = "stream__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("crew booking")
        verbose_name_plural = _("crew bookings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "part"], name="crew_one_person_per_part"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="crew_ends_after_it_starts"
            ),
            ExclusionConstraint(
                name="crew_member_no_overlap",
                expressions=[
                    ("member", RangeOperators.EQUAL),
                    (held_span("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                violation_error_code="crew_double_booked",
                violation_error_message=_(
                    "This person is already booked for a stream at an overlapping time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream_id}: {self.part} {self.member_id}"


class FeaturedProduct(models.Model):
    """A product shown in a stream, in run-sheet order, with its talking points and live price."""

    stream = models.ForeignKey(
        LiveStream, verbose_name=_("stream"), on_delete=models.CASCADE, related_name="featured"
    )
    product = models.ForeignKey(
        "orders.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="featured_in",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    talking_points = models.TextField(_("talking points"), blank=True)
    live_price = models.DecimalField(
        _("live price (CNY)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    shown_at = models.DateTimeField(_("shown at"), null=True, blank=True)

    class Tenancy:
        merchant = "stream__merchant"
        base = "stream__merchant__base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("featured product")
        verbose_name_plural = _("featured products")
        ordering = ["stream", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "product"], name="featured_product_once_per_stream"
            ),
            models.CheckConstraint(
                condition=Q(live_price__gte=0) | Q(live_price__isnull=True),
                name="featured_live_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.product_id}"


class CalendarFeed(models.Model):
    """A private iCalendar link of one person: a host's streams, a room's or a merchant's.

    Only the SHA-256 of the link's token is kept (as for invitations), so a copy of the table
    opens no calendar; revoking sets ``revoked_at`` and the link answers 404 from then on. Who may
    hold which feed is decided in ``livestreams.calendar_feeds``, and asked again on every fetch.
    """

    class Kind(models.TextChoices):
        HOST = "host", _("Host")
        ROOM = "room", _("Room")
        MERCHANT = "merchant", _("Merchant")

    owner = models.ForeignKey(
        "merchants.User",
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    base = models.ForeignKey("merchants.Base", verbose_name=_("base"), on_delete=models.CASCADE)
    # The subject: a merchant's feed and a host's name their merchant, a host's its team member,
    # a room's its room.
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    member = models.ForeignKey(
        "merchants.TeamMember",
        verbose_name=_("host"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    room = models.ForeignKey(
        LiveRoom, verbose_name=_("room"), on_delete=models.CASCADE, null=True, blank=True
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Tenancy:
        merchant = "merchant"
        base = "base"
        roles = {"manager", "merchant"}

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="host", member__isnull=False, merchant__isnull=False, room__isnull=True)
                    | Q(kind="room", room__isnull=False, merchant__isnull=True, member__isnull=True)
                    | Q(
                        kind="merchant",
                        merchant__isnull=False,
                        member__isnull=True,
                        room__isnull=True,
                    )
                ),
                name="calendar_feed_names_its_subject",
            ),
            # One live link per person and subject: a new one replaces the old.
            models.UniqueConstraint(
                fields=["owner", "kind", "merchant", "member", "room"],
                condition=Q(revoked_at__isnull=True),
                nulls_distinct=False,
                name="calendar_feed_one_live_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.member_id or self.room_id or self.merchant_id}"
