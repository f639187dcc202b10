"""The turnover dashboards: the base manager's and a merchant's.

The turnover figures are orders.turnover.selectors' (rollups only); this top layer adds what
other apps own: the base's room utilisation (livestreams.usage), the incubation funnel
(jingdezhen.pages.incubation) and a merchant's stream calendar (livestreams.calendar, shaded by
the merchant's net turnover per day). Every chart has a table beside it and a CSV download of
the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from jingdezhen.core.countries import country_name
from jingdezhen.core.tenancy import Reach, get_reach
from livestreams import calendar, usage
from merchants import selectors as merchant_selectors
from merchants.models import Merchant
from orders.turnover import selectors as turnover

from . import incubation
from .charts import bar_list, column_chart
from .downloads import csv_response

CSV_TABLES = ("daily", "platforms", "countries", "tiers", "merchants")


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    return days if days in turnover.PERIODS else 30


def _charts(board: turnover.Dashboard) -> dict:
    return {
        "daily_chart": column_chart([(row["day"].isoformat(), row["net"]) for row in board.series]),
        "platform_chart": bar_list([(s.label, s.gross) for s in board.platforms]),
        "country_chart": bar_list([(country_name(s.key), s.gross) for s in board.countries[:10]]),
        "merchant_chart": bar_list([(m["merchant__name"], m["net"]) for m in board.top_merchants]),
    }


def base_board(*, reach: Reach, days: int) -> turnover.Dashboard:
    """The base's turnover, its rooms' utilisation over the same days and the incubation funnel
    (the turnover's queries, then one for the rooms and two for the funnel)."""
    board = turnover.base_dashboard(reach=reach, days=days)
    first = board.today - dt.timedelta(days=days - 1)
    return replace(
        board,
        room_utilisation=usage.room_utilisation(reach=reach, first=first, last=board.today),
        funnel=incubation.funnel(reach=reach),
    )


def merchant_board(*, reach: Reach, merchant: Merchant, days: int) -> turnover.Dashboard:
    """A merchant's turnover and peer standing, and this month's stream calendar shaded by its
    net turnover per day (two queries more)."""
    board = turnover.merchant_dashboard(reach=reach, merchant=merchant, days=days)
    first, last = calendar.month_days(board.today)
    net_by_day = turnover.merchant_net_by_day(
        reach=reach, merchant_id=merchant.pk, first=first, last=last
    )
    return replace(
        board,
        calendar=calendar.stream_calendar(
            reach=reach, merchant_id=merchant.pk, month=first, net_by_day=net_by_day
        ),
    )


def _render(request, template: str, context: dict) -> HttpResponse:
    if request.htmx:  # the period switch swaps the body only
        return render(request, f"{template}#body", context)
    return render(request, template, context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    days = _days(request)
    board = base_board(reach=reach, days=days)
    context = {
        "board": board,
        "periods": turnover.PERIODS,
        "scope": "base",
        "csv_urls": {t: f"{reverse('dashboard_csv', args=[t])}?days={days}" for t in CSV_TABLES},
        **_charts(board),
    }
    return _render(request, "jingdezhen/dashboard.html", context)


def _merchant_page(request: HttpRequest, merchant_id: int) -> HttpResponse:
    reach = get_reach(request)
    merchant = merchant_selectors.merchant_get(reach=reach, pk=merchant_id)
    days = _days(request)
    board = merchant_board(reach=reach, merchant=merchant, days=days)
    context = {
        "board": board,
        "merchant": merchant,
        "csv_urls": {
            t: f"{reverse('merchant_dashboard_csv', args=[merchant.pk, t])}?days={days}"
            for t in CSV_TABLES
            if t != "merchants"
        },
        "periods": turnover.PERIODS,
        "scope": "merchant",
        **_charts(board),
    }
    return _render(request, "jingdezhen/merchant_dashboard.html", context)


@login_required
def merchant_dashboard(request: HttpRequest) -> HttpResponse:
    """A merchant member's own turnover."""
    return _merchant_page(request, turnover.own_board_merchant(get_reach(request)))


@login_required
def merchant_dashboard_for(request: HttpRequest, pk: int) -> HttpResponse:
    """A base manager looking at one merchant (a merchant member only at its own: else 404)."""
    return _merchant_page(request, pk)


def _csv_rows(board: turnover.Dashboard, table: str) -> tuple[list, list]:
    money = ("gross", "refunded", "net", "orders", "units")
    if table == "daily":
        return ["day", *money], [[r["day"], *(r[k] for k in money)] for r in board.series]
    if table in ("platforms", "countries", "tiers"):
        shares = getattr(board, table)
        return (
            ["key", "label", "gross", "net", "orders", "share_percent", "aov"],
            [[s.key, s.label, s.gross, s.net, s.orders, s.share, s.aov or ""] for s in shares],
        )
    return (
        ["merchant_id", "merchant", *money],
        [
            [m["merchant_id"], m["merchant__name"], *(m[k] for k in money)]
            for m in board.top_merchants
        ],
    )


@login_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in CSV_TABLES:
        raise Http404
    reach = get_reach(request)
    days = _days(request)
    board = base_board(reach=reach, days=days)
    header, rows = _csv_rows(board, table)
    return csv_response(f"base-{table}-{days}d-{board.today}.csv", header, rows)


@login_required
def merchant_dashboard_csv(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    if table not in CSV_TABLES or table == "merchants":
        raise Http404
    reach = get_reach(request)
    merchant = merchant_selectors.merchant_get(reach=reach, pk=pk)
    days = _days(request)
    board = merchant_board(reach=reach, merchant=merchant, days=days)
    header, rows = _csv_rows(board, table)
    return csv_response(f"merchant-{pk}-{table}-{days}d-{board.today}.csv", header, rows)
