from django.contrib import admin

from .models import (
    FeaturedProduct,
    LiveRoom,
    LiveStream,
    StreamSeries,
    StreamSettings,
)


@admin.register(LiveRoom)
class LiveRoomAdmin(admin.ModelAdmin):
    list_display = ["name", "base", "capacity", "opens_hour", "closes_hour", "is_active"]
    list_filter = ["base", "is_active"]


class FeaturedInline(admin.TabularInline):
    model = FeaturedProduct
    raw_id_fields = ["product"]
    extra = 0


@admin.register(LiveStream)
class LiveStreamAdmin(admin.ModelAdmin):
    list_display = ["title", "merchant", "room", "platform", "planned_start", "status"]
    list_filter = ["status", "platform", "is_rehearsal"]
    raw_id_fields = ["merchant", "room", "host", "assistant_host", "operator", "series", "showing"]
    search_fields = ["title", "merchant__name"]
    inlines = [FeaturedInline]


admin.site.register(StreamSeries)
admin.site.register(StreamSettings)
