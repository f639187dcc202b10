"""/api/v1/notifications/: the caller's own notifications, rendered in the request's language."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jingdezhen.core.api import ReachMixin

from . import kinds, selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(help_text="The sentence, in the request's language.")
    url = serializers.SerializerMethodField(help_text="The page of what it is about, or empty.")
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "label",
            "text",
            "params",
            "subject_id",
            "url",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_label(self, obj: Notification) -> str:
        return kinds.label(obj.kind)

    def get_text(self, obj: Notification) -> str:
        return kinds.render(obj.kind, obj.params)

    def get_url(self, obj: Notification) -> str:
        return kinds.link(obj.kind, obj.subject_id)

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationViewSet(
    ReachMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's notifications, newest first; ``?unread=true`` for the unread ones only.
    Another user's notification is not found (404)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return selectors.notification_list(reach=self.reach, unread_only=unread)

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only the unread ones.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(reach=self.reach, notification_id=int(pk))
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("NotificationsRead", {"marked": serializers.IntegerField()})
        },
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(reach=self.reach)})


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
