"""The base manager's home: the merchants by stage, and what needs doing today."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from jingdezhen.core.days import local_zone
from jingdezhen.core.tenancy import Reach
from livestreams import agenda as stream_agenda
from livestreams.models import LiveStream
from merchants import selectors as merchant_selectors
from merchants.models import Merchant
from merchants.supervision import selectors as supervision

from .todo import todo


def _url(name: str, **query) -> str:
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def manager_home(reach: Reach, *, now: dt.datetime) -> dict:
    """A constant number of queries, whatever the base holds: one per list, one for the stage
    counts, and the few of the supervision standings (targets and weekly figures read for all
    merchants at once)."""
    today = timezone.localtime(now, local_zone()).date()
    by_stage = dict(
        merchant_selectors.merchant_list(reach=reach)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("id"))
    )
    return {
        "merchants_by_stage": by_stage,
        "merchant_total": sum(by_stage.values()),
        "today": today,
        "overdue_streams": todo(
            stream_agenda.streams_overdue(reach=reach, now=now),
            see_all=_url(
                "livestreams:base_streams",
                status=LiveStream.Status.SCHEDULED,
                day=today.isoformat(),
            ),
        ),
        "follow_ups_due": todo(
            supervision.follow_ups_due(reach=reach, today=today),
            see_all=_url("merchants:follow_ups"),
        ),
        "falling_behind": todo(
            supervision.merchants_falling_behind(reach=reach, today=today),
            see_all=_url("merchants:supervision_behind"),
        ),
        "applicants": todo(
            merchant_selectors.applicants_waiting(reach=reach),
            see_all=_url("merchants:merchant_list", stage=Merchant.Stage.APPLICANT),
        ),
        "free_rooms": todo(
            stream_agenda.rooms_free_tonight(reach=reach, now=now),
            see_all=_url("livestreams:room_grid", day=today.isoformat()),
        ),
    }
