"""A merchant member's home: today's and tomorrow's streams, orders to ship, holds about to
expire, products short for a coming stream and today's GMV so far, each shown only to a team role
that may read it (``merchants.permissions``: a host sees the streams it crews and the stock of
their products, customer service the orders, not the turnover)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from jingdezhen.core.days import local_zone
from jingdezhen.core.tenancy import Reach
from livestreams import agenda as stream_agenda
from merchants import permissions as team
from merchants import selectors as merchant_selectors
from orders.catalogue.selectors import LOW_STOCK
from orders.models import Order
from orders.ordering import selectors as order_selectors
from orders.ordering.selectors import HOLD_WARNING_MINUTES
from orders.turnover import selectors as turnover

from .todo import todo


def _url(name: str, **query) -> str:
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def merchant_home(reach: Reach, *, now: dt.datetime) -> dict:
    """Six queries at most, whatever the merchant holds: the merchant, one per list, and today's
    GMV (from the turnover rollup of today so far, as the merchant's dashboard shows it)."""
    today = timezone.localtime(now, local_zone()).date()
    merchant = merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)
    context: dict = {"merchant": merchant, "today": today}
    if team.role_may(reach, team.STREAMS_READ):
        streams = todo(
            stream_agenda.streams_soon(reach=reach, today=today),
            see_all=reverse("livestreams:calendar"),
        )
        for stream in streams.items:
            stream.is_today = timezone.localtime(stream.planned_start, local_zone()).date() == today
        context["streams_soon"] = streams
    if team.role_may(reach, team.ORDERS_READ):
        context["to_ship"] = todo(
            order_selectors.orders_to_ship(reach=reach),
            see_all=_url("orders:order_list", status=Order.Status.PAID),
        )
        context["holds_expiring"] = todo(
            order_selectors.holds_expiring(reach=reach, now=now),
            see_all=_url("orders:order_list", status=Order.Status.PENDING),
        )
        context["hold_warning_minutes"] = HOLD_WARNING_MINUTES
    if team.role_may(reach, team.CATALOGUE_READ) and team.role_may(reach, team.STREAMS_READ):
        context["short_products"] = todo(
            stream_agenda.products_short_for_streams(reach=reach, now=now),
            see_all=reverse("orders:product_list"),
        )
        context["low_stock"] = LOW_STOCK
    if team.role_may(reach, team.TURNOVER_READ):
        net = turnover.merchant_net_by_day(
            reach=reach, merchant_id=merchant.pk, first=today, last=today
        )
        context["gmv_today"] = net.get(today, Decimal("0"))
    return context
