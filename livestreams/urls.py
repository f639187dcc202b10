from django.urls import path

from . import calendar_feed_views, runsheet_views, views

app_name = "livestreams"

urlpatterns = [
    path("streams/", views.calendar, name="calendar"),
    path("streams/new/", views.stream_create, name="stream_create"),
    path("streams/series/new/", views.series_create, name="series_create"),
    path("streams/series/<int:pk>/", views.series_detail, name="series_detail"),
    path("streams/notifications/", views.notifications, name="notifications"),
    path("streams/free-slots/", views.free_slots, name="free_slots"),
    path("streams/<int:pk>/", views.stream_detail, name="stream_detail"),
    path("streams/<int:pk>/edit/", views.stream_edit, name="stream_edit"),
    path("streams/<int:pk>/results/", views.stream_results, name="stream_results"),
    path("streams/<int:pk>/report/", views.stream_report, name="stream_report"),
    path("streams/<int:pk>/run-sheet/", runsheet_views.run_sheet, name="run_sheet"),
    path(
        "streams/<int:pk>/run-sheet/deal/",
        runsheet_views.run_sheet_flash_deal,
        name="run_sheet_flash_deal",
    ),
    path("streams/<int:pk>/featured/", views.featured_add, name="featured_add"),
    path(
        "streams/<int:pk>/featured/products/",
        views.featured_product_picks,
        name="featured_product_picks",
    ),
    path(
        "streams/<int:pk>/featured/<int:fid>/<str:action>/",
        views.featured_action,
        name="featured_action",
    ),
    path("streams/<int:pk>/deals/", views.flash_deal_add, name="flash_deal_add"),
    path("streams/<int:pk>/deals/<int:deal_id>/end/", views.flash_deal_end, name="flash_deal_end"),
    path("streams/<int:pk>/<str:action>/", views.stream_action, name="stream_action"),
    # A calendar app subscribes to this link without a login: the token is the key.
    path("calendar/<str:token>.ics", calendar_feed_views.feed_ics, name="calendar_feed"),
    path("calendar/feeds/new/", calendar_feed_views.feed_create, name="calendar_feed_create"),
    path(
        "calendar/feeds/<int:pk>/revoke/",
        calendar_feed_views.feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("rooms/<int:pk>/free/", views.free_slots, name="room_free_slots"),
    path("base/schedule/", views.room_grid, name="room_grid"),
    path("base/utilisation/", views.room_utilisation, name="room_utilisation"),
    path("base/streams/", views.base_streams, name="base_streams"),
    path("base/rooms/", views.room_list, name="room_list"),
    path("base/rooms/new/", views.room_edit, name="room_create"),
    path("base/rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
]
