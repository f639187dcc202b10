from django.urls import path

from . import views
from .notifications import views as notification_views
from .supervision import views as supervision_views

app_name = "merchants"

urlpatterns = [
    path("merchants/", views.merchant_list, name="merchant_list"),
    path("merchants/new/", views.merchant_create, name="merchant_create"),
    path("merchants/<int:pk>/", views.merchant_detail, name="merchant_detail"),
    path("merchants/<int:pk>/edit/", views.merchant_edit, name="merchant_edit"),
    path("merchants/<int:pk>/stage/", views.merchant_stage, name="merchant_stage"),
    path("merchants/<int:pk>/status/<str:action>/", views.merchant_status, name="merchant_status"),
    path("merchants/<int:pk>/reviews/", views.review_create, name="review_create"),
    path("merchants/<int:pk>/team/", views.team_add, name="team_add"),
    path(
        "merchants/<int:pk>/team/<int:member_pk>/toggle/",
        views.team_toggle,
        name="team_toggle",
    ),
    path("merchants/<int:pk>/accounts/", views.account_add, name="account_add"),
    path(
        "merchants/<int:pk>/accounts/<int:account_pk>/remove/",
        views.account_remove,
        name="account_remove",
    ),
    path("merchants/<int:pk>/agents/", views.agent_add, name="agent_add"),
    path(
        "merchants/<int:pk>/agents/<int:agent_pk>/remove/",
        views.agent_remove,
        name="agent_remove",
    ),
    path("my-merchant/", views.my_merchant, name="my_merchant"),
    path("merchants/<int:pk>/invite/", views.invitation_new, name="invitation_new"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        notification_views.mark_read,
        name="notification_read",
    ),
    path("notifications/read-all/", notification_views.mark_all_read, name="notifications_read"),
    path("supervision/behind/", supervision_views.behind, name="supervision_behind"),
    path("supervision/follow-ups/", supervision_views.follow_ups, name="follow_ups"),
    path(
        "supervision/follow-ups/<int:review_id>/close/",
        supervision_views.follow_up_close,
        name="follow_up_close",
    ),
    path("supervision/targets/", supervision_views.targets, name="supervision_targets"),
    path("supervision/alerts/<int:pk>/", supervision_views.alert_detail, name="supervision_alert"),
    path(
        "supervision/alerts/<int:pk>/close/",
        supervision_views.alert_close,
        name="supervision_alert_close",
    ),
    path(
        "supervision/violations/<int:pk>/evidence/",
        supervision_views.violation_evidence,
        name="violation_evidence",
    ),
    path(
        "merchants/<int:pk>/supervision/",
        supervision_views.merchant_supervision,
        name="merchant_supervision",
    ),
    path(
        "merchants/<int:pk>/supervision/target/",
        supervision_views.merchant_target,
        name="merchant_target",
    ),
    path(
        "merchants/<int:pk>/supervision/violations/",
        supervision_views.violation_create,
        name="violation_create",
    ),
]
