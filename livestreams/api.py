"""REST API of live rooms and streams: thin viewsets over the same selectors and services."""

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jingdezhen.core.api import MAX_COUNT, SYNC_FILTER_BACKENDS, ReachMixin
from merchants import selectors as merchant_selectors

from . import access, lifecycle, selectors
from .models import FeaturedProduct, LiveRoom, LiveStream
from .services import streams as stream_services


class LiveRoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = LiveRoom
        fields = [
            "id",
            "name",
            "capacity",
            "equipment",
            "is_active",
            "opens_hour",
            "closes_hour",
            "prime_start_hour",
            "prime_end_hour",
        ]
        read_only_fields = fields


class RoomViewSet(ReachMixin, viewsets.ReadOnlyModelViewSet):
    """The base's live rooms (any role of the base may read them)."""

    serializer_class = LiveRoomSerializer

    def get_queryset(self):
        return selectors.room_list(reach=self.reach)


class FeaturedProductSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    stock = serializers.IntegerField(source="product.stock", read_only=True)

    class Meta:
        model = FeaturedProduct
        fields = [
            "id",
            "position",
            "product",
            "product_name",
            "talking_points",
            "live_price",
            "stock",
            "shown_at",
        ]
        read_only_fields = fields


class LiveStreamSerializer(serializers.ModelSerializer):
    featured = FeaturedProductSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(
        help_text="The actions the stream's lifecycle allows now (POST /streams/<id>/<action>/)."
    )

    def get_actions(self, obj: LiveStream) -> list[str]:
        return [t.action for t in lifecycle.actions_for(obj)]

    class Meta:
        model = LiveStream
        fields = [
            "id",
            "merchant",
            "title",
            "platform",
            "room",
            "host",
            "assistant_host",
            "operator",
            "series",
            "planned_start",
            "planned_end",
            "blocked_until",
            "status",
            "is_rehearsal",
            "actual_start",
            "actual_end",
            "unique_viewers",
            "peak_viewers",
            "avg_watch_seconds",
            "new_followers",
            "product_clicks",
            "updated_at",
            "featured",
            "actions",
        ]
        read_only_fields = [
            "id",
            "merchant",
            "series",
            "blocked_until",
            "status",
            "actual_start",
            "actual_end",
            "unique_viewers",
            "peak_viewers",
            "avg_watch_seconds",
            "new_followers",
            "product_clicks",
            "updated_at",
            "featured",
            "actions",
        ]


class StreamWriteSerializer(serializers.Serializer):
    """Input of a booking: parsed here, checked by the service. Related ids are resolved through
    the caller's reach, so a foreign room, host or merchant is simply not found."""

    merchant = serializers.IntegerField(required=False)
    title = serializers.CharField(max_length=160)
    platform = serializers.ChoiceField(choices=LiveStream._meta.get_field("platform").choices)
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()
    room = serializers.IntegerField(required=False, allow_null=True)
    host = serializers.IntegerField(required=False, allow_null=True)
    assistant_host = serializers.IntegerField(required=False, allow_null=True)
    operator = serializers.IntegerField(required=False, allow_null=True)
    is_rehearsal = serializers.BooleanField(required=False, default=False)


class ResultsSerializer(serializers.Serializer):
    unique_viewers = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )
    peak_viewers = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )
    avg_watch_seconds = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )
    new_followers = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )
    product_clicks = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True
    )


def resolve_crew(reach, data: dict, merchant_id: int) -> dict:
    """The room and crew ids of a booking (a stream's or a series') as objects, looked up
    through the caller's reach: a foreign room is not found (404), someone outside the
    merchant's team is a 400 naming the field."""
    values = dict(data)
    if "room" in values:
        values["room"] = (
            selectors.room_get(reach=reach, pk=values["room"]) if values["room"] else None
        )
    team = merchant_selectors.team_list(reach=reach, merchant_id=merchant_id)
    for name in ("host", "assistant_host", "operator"):
        if name in values:
            pk = values[name]
            values[name] = team.filter(pk=pk).first() if pk else None
            if pk and values[name] is None:
                raise serializers.ValidationError({name: [_("Choose someone from your own team.")]})
    values.pop("merchant", None)
    return values


class StreamViewSet(
    ReachMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Streams within reach, with their featured products in run-sheet order. Booking, changing
    and the state changes go through the services: a clash answers 409 naming the stream."""

    serializer_class = LiveStreamSerializer
    reach_rule = staticmethod(access.require_stream_reader)  # trainers: 403
    filterset_fields = ["status", "platform", "room", "merchant", "is_rehearsal"]
    filter_backends = SYNC_FILTER_BACKENDS
    ordering_fields = ["planned_start", "updated_at", "id"]
    updated_since_field = "updated_at"

    def get_queryset(self):
        return selectors.streams_for_api(reach=self.reach)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return StreamWriteSerializer
        if self.action == "results":
            return ResultsSerializer
        return LiveStreamSerializer

    def _resolve(self, data: dict, merchant_id: int) -> dict:
        return resolve_crew(self.reach, data, merchant_id)

    def create(self, request, *args, **kwargs):
        serializer = StreamWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        merchant_id = data.get("merchant") or self.reach.merchant_id
        if merchant_id is None:
            raise serializers.ValidationError({"merchant": ["Name the merchant."]})
        merchant = merchant_selectors.merchant_get(reach=self.reach, pk=merchant_id)
        stream = stream_services.stream_schedule(
            reach=self.reach, merchant=merchant, **self._resolve(data, merchant.pk)
        )
        stream = selectors.streams_for_api(reach=self.reach).get(pk=stream.pk)
        return Response(LiveStreamSerializer(stream).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        stream = self.get_object()
        serializer = StreamWriteSerializer(data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        stream_services.stream_update(
            reach=self.reach,
            stream=stream,
            **self._resolve(serializer.validated_data, stream.merchant_id),
        )
        stream = selectors.streams_for_api(reach=self.reach).get(pk=stream.pk)
        return Response(LiveStreamSerializer(stream).data)

    def _transition(self, service):
        stream = self.get_object()
        service(reach=self.reach, stream=stream)
        stream = selectors.streams_for_api(reach=self.reach).get(pk=stream.pk)
        return Response(LiveStreamSerializer(stream).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(stream_services.stream_cancel)

    @action(detail=True, methods=["post"], url_path="go-live")
    def go_live(self, request, pk=None):
        return self._transition(stream_services.stream_go_live)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._transition(stream_services.stream_end)

    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        stream = self.get_object()
        serializer = ResultsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stream_services.stream_record_results(
            reach=self.reach, stream=stream, **serializer.validated_data
        )
        stream = selectors.streams_for_api(reach=self.reach).get(pk=stream.pk)
        return Response(LiveStreamSerializer(stream).data)


def register(router) -> None:
    router.register("rooms", RoomViewSet, basename="room")
    router.register("streams", StreamViewSet, basename="stream")
