from django.contrib import admin

from .models import LiveRoom


@admin.register(LiveRoom)
class LiveRoomAdmin(admin.ModelAdmin):
    list_display = ["name", "base", "capacity", "is_active"]
    list_filter = ["base", "is_active"]
