"""REST API of recurring schedules (``/api/v1/streams/series/``) and of run sheets
(``/api/v1/streams/featured/``): thin viewsets over ``livestreams.selectors`` and the services
of ``livestreams.services.series`` and ``livestreams.services.runsheet``.

Every id a body names is looked up through the caller's reach (a foreign stream, room or
product is a 404), every rule is the service's; an answer is built from the row read back
through the selector, never from the request's data.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.validators import RegexValidator
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jingdezhen.core import bounds
from jingdezhen.core.api import MAX_ID, ReachMixin, plain_choice_field
from jingdezhen.core.platforms import Platform
from merchants import selectors as merchant_selectors

from . import access, selectors
from .api import resolve_crew
from .models import FeaturedProduct, StreamSeries
from .services import runsheet as runsheet_services
from .services import series as series_services

# What a series, a change of it and a run-sheet item accept; the services check the rest.
SERIES_MINUTES = (15, 720)
MAX_TALKING_POINTS = 2000
WEEKDAYS_MESSAGE = gettext_lazy("Weekdays are digits 0 (Monday) to 6 (Sunday).")


_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


@extend_schema_field(
    {
        "type": "string",
        "pattern": _LOCAL_TIME.pattern,
        "description": "A time of day in the base's zone, HH:MM (seconds are dropped).",
        "example": "20:00",
    }
)
class LocalTimeField(serializers.Field):
    """A time of day on the base's clock, ``HH:MM``: no offset (a series recurs at the same local
    time whatever the date), documented as a plain pattern rather than RFC 3339's ``time``,
    which requires one."""

    default_error_messages = {"invalid": gettext_lazy("Enter a time as HH:MM.")}

    def to_internal_value(self, data) -> dt.time:
        match = _LOCAL_TIME.match(data) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        return dt.time(int(match.group(1)), int(match.group(2)))

    def to_representation(self, value: dt.time) -> str:
        return value.strftime("%H:%M")


def _id(**kwargs) -> serializers.IntegerField:
    """An id in a body: a number the database can hold (a larger one is a 400, not a 500)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- series -------------------------------------------------------------------------------------


class SeriesSerializer(serializers.ModelSerializer):
    platform = plain_choice_field(Platform.choices, read_only=True)
    start_time = LocalTimeField(read_only=True)
    scheduled_count = serializers.IntegerField(
        read_only=True, help_text="How many of the series' streams are still scheduled."
    )

    class Meta:
        model = StreamSeries
        fields = [
            "id",
            "merchant",
            "title",
            "platform",
            "room",
            "start_time",
            "duration_minutes",
            "first_date",
            "last_date",
            "weekdays",
            "created_at",
            "scheduled_count",
        ]
        read_only_fields = fields


class SeriesInSerializer(serializers.Serializer):
    """A new recurring schedule: every free date is booked, every clash reported."""

    merchant = _id(
        required=False, help_text="A base manager names the merchant; a member books its own."
    )
    title = serializers.CharField(max_length=160)
    platform = plain_choice_field(Platform.choices)
    start_time = LocalTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=SERIES_MINUTES[0], max_value=SERIES_MINUTES[1]
    )
    first_date = serializers.DateField()
    last_date = serializers.DateField()
    weekdays = serializers.CharField(
        max_length=7,
        min_length=1,
        default="0123456",
        validators=[RegexValidator(r"^[0-6]{1,7}$", WEEKDAYS_MESSAGE)],
        help_text="The weekdays as digits, 0 = Monday ... 6 = Sunday.",
    )
    room = _id(required=False, allow_null=True)
    host = _id(required=False, allow_null=True)
    assistant_host = _id(required=False, allow_null=True)
    operator = _id(required=False, allow_null=True)


class SeriesFromSerializer(serializers.Serializer):
    from_date = serializers.DateField(help_text="The change applies to streams from this day on.")


class SeriesChangeSerializer(SeriesFromSerializer):
    start_time = LocalTimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(
        min_value=SERIES_MINUTES[0],
        max_value=SERIES_MINUTES[1],
        required=False,
        allow_null=True,
    )
    title = serializers.CharField(max_length=160, required=False, allow_blank=True)


class ClashSerializer(serializers.Serializer):
    date = serializers.DateField()
    message = serializers.CharField()


class SeriesOutcomeSerializer(serializers.Serializer):
    series = SeriesSerializer()
    streams = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The streams booked (or changed), in date order.",
    )
    clashes = ClashSerializer(many=True, help_text="The dates left out, and why.")


class SeriesCancelledSerializer(serializers.Serializer):
    series = SeriesSerializer()
    cancelled = serializers.IntegerField(help_text="How many scheduled streams were cancelled.")


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class SeriesViewSet(
    ReachMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Recurring schedules ("every day at 20:00 for four weeks"). Creating one books every free
    date through the stream booking service and reports the dates that clash (201 either way:
    the answer lists both); a series is changed or cancelled from a date on."""

    # The schema's model only: rows come from get_queryset.
    queryset = StreamSeries.objects.none()
    serializer_class = SeriesSerializer
    reach_rule = staticmethod(access.require_stream_reader)  # trainers: 403
    filterset_fields = ["merchant", "platform", "room"]
    ordering_fields = ["first_date", "id"]

    def get_queryset(self):
        return selectors.series_list(reach=self.reach)

    def _outcome(self, outcome, code=status.HTTP_200_OK) -> Response:
        series = selectors.series_list(reach=self.reach).get(pk=outcome.series.pk)
        body = {
            "series": series,
            "streams": [stream.pk for stream in outcome.created],
            "clashes": [{"date": day, "message": str(msg)} for day, msg in outcome.clashes],
        }
        return Response(SeriesOutcomeSerializer(body).data, status=code)

    @extend_schema(request=SeriesInSerializer, responses={201: SeriesOutcomeSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(SeriesInSerializer, request.data)
        merchant_id = data.pop("merchant", None) or self.reach.merchant_id
        if merchant_id is None:
            raise serializers.ValidationError({"merchant": [_("Name the merchant.")]})
        merchant = merchant_selectors.merchant_get(reach=self.reach, pk=merchant_id)
        outcome = series_services.series_create(
            reach=self.reach, merchant=merchant, **resolve_crew(self.reach, data, merchant.pk)
        )
        return self._outcome(outcome, status.HTTP_201_CREATED)

    @extend_schema(request=SeriesChangeSerializer, responses=SeriesOutcomeSerializer)
    @action(detail=True, methods=["post"], url_path="change-from")
    def change_from(self, request, pk=None):
        """Move or rename the series' scheduled streams from a day on; a date whose new time
        clashes keeps its old time and is listed in ``clashes``."""
        series = self.get_object()
        data = _valid(SeriesChangeSerializer, request.data)
        outcome = series_services.series_change_from(
            reach=self.reach,
            series=series,
            from_date=data["from_date"],
            start_time=data.get("start_time"),
            duration_minutes=data.get("duration_minutes"),
            title=data.get("title") or None,
        )
        return self._outcome(outcome)

    @extend_schema(request=SeriesFromSerializer, responses=SeriesCancelledSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-from")
    def cancel_from(self, request, pk=None):
        """Cancel the series' scheduled streams from a day on."""
        series = self.get_object()
        data = _valid(SeriesFromSerializer, request.data)
        count = series_services.series_cancel_from(
            reach=self.reach, series=series, from_date=data["from_date"]
        )
        series = selectors.series_list(reach=self.reach).get(pk=series.pk)
        body = {"series": series, "cancelled": count}
        return Response(SeriesCancelledSerializer(body).data)


# --- run sheets ---------------------------------------------------------------------------------


class RunSheetItemSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    stock = serializers.IntegerField(source="product.stock", read_only=True)

    class Meta:
        model = FeaturedProduct
        fields = [
            "id",
            "stream",
            "position",
            "product",
            "product_name",
            "talking_points",
            "live_price",
            "stock",
            "shown_at",
        ]
        read_only_fields = fields


class RunSheetItemInSerializer(serializers.Serializer):
    stream = _id()
    product = _id()
    talking_points = serializers.CharField(
        max_length=MAX_TALKING_POINTS,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: the product's story.",
    )
    live_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=bounds.MAX_LINE_CNY,
        required=False,
        allow_null=True,
    )


class MoveSerializer(serializers.Serializer):
    direction = plain_choice_field([("up", "up"), ("down", "down")])


class RunSheetItemViewSet(
    ReachMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The run sheets' items: the products a stream features, in the order the host shows them
    (``?stream=<id>`` for one stream's). They change while the stream is scheduled or live; a
    finished stream's run sheet answers 409."""

    # The schema's model only: rows come from get_queryset.
    queryset = FeaturedProduct.objects.none()
    serializer_class = RunSheetItemSerializer
    reach_rule = staticmethod(access.require_stream_reader)  # trainers: 403
    filterset_fields = ["stream", "product"]
    ordering_fields = ["position", "id"]

    def get_queryset(self):
        return selectors.featured_list(reach=self.reach)

    def _out(self, pk: int, code=status.HTTP_200_OK) -> Response:
        item = selectors.featured_list(reach=self.reach).get(pk=pk)
        return Response(RunSheetItemSerializer(item).data, status=code)

    @extend_schema(request=RunSheetItemInSerializer, responses={201: RunSheetItemSerializer})
    def create(self, request, *args, **kwargs):
        """Add a product to a stream's run sheet (last in order)."""
        data = _valid(RunSheetItemInSerializer, request.data)
        stream = selectors.stream_get(reach=self.reach, pk=data["stream"])
        product = (
            selectors.products_for_run_sheet(reach=self.reach, merchant_id=stream.merchant_id)
            .filter(pk=data["product"])
            .first()
        )
        if product is None:
            raise Http404
        item = runsheet_services.featured_add(
            reach=self.reach,
            stream=stream,
            product=product,
            talking_points=data["talking_points"],
            live_price=data.get("live_price"),
        )
        return self._out(item.pk, status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        """Take the product off the run sheet."""
        runsheet_services.featured_remove(reach=self.reach, featured=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveSerializer, responses=RunSheetItemSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Swap the item with its neighbour above (``up``) or below (``down``)."""
        item = self.get_object()
        data = _valid(MoveSerializer, request.data)
        runsheet_services.featured_move(
            reach=self.reach, featured=item, up=data["direction"] == "up"
        )
        return self._out(item.pk)

    @extend_schema(request=None, responses=RunSheetItemSerializer)
    @action(detail=True, methods=["post"])
    def show(self, request, pk=None):
        """Mark the item as showing now (what the host's phone page does during the stream)."""
        item = self.get_object()
        runsheet_services.featured_mark_showing(reach=self.reach, featured=item)
        return self._out(item.pk)


def register(router) -> None:
    # Beside "streams": the stream routes take only numeric ids, so neither shadows the other.
    router.register("streams/series", SeriesViewSet, basename="stream-series")
    router.register("streams/featured", RunSheetItemViewSet, basename="run-sheet-item")
