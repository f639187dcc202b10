"""The turnover dashboards: the base manager's, a merchant's, and incubation analytics.

Thin views over orders.turnover_selectors, which read only the rollups. Every chart has a table
beside it and a CSV download of the same figures.
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from jingdezhen.core.tenancy import MANAGER, MERCHANT, get_reach
from merchants import selectors as merchant_selectors
from orders import turnover_selectors as turnover

from .charts import bar_list, column_chart

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
        "country_chart": bar_list([(s.label, s.gross) for s in board.countries[:10]]),
        "merchant_chart": bar_list([(m["merchant__name"], m["net"]) for m in board.top_merchants]),
    }


def _render(request, template: str, context: dict) -> HttpResponse:
    if request.htmx:  # the period switch swaps the body only
        return render(request, f"{template}#body", context)
    return render(request, template, context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    reach.require_role(MANAGER)
    days = _days(request)
    board = turnover.base_dashboard(reach=reach, days=days)
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
    board = turnover.merchant_dashboard(reach=reach, merchant=merchant, days=days)
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
    reach = get_reach(request)
    reach.require_role(MERCHANT)
    if reach.merchant_id is None:
        raise Http404
    return _merchant_page(request, reach.merchant_id)


@login_required
def merchant_dashboard_for(request: HttpRequest, pk: int) -> HttpResponse:
    """A base manager looking at one merchant (a merchant member only at its own: else 404)."""
    reach = get_reach(request)
    reach.require_role(MANAGER, MERCHANT)
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


def _csv_response(filename: str, header: list, rows: list) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the Chinese names as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@login_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in CSV_TABLES:
        raise Http404
    reach = get_reach(request)
    reach.require_role(MANAGER)
    days = _days(request)
    board = turnover.base_dashboard(reach=reach, days=days)
    header, rows = _csv_rows(board, table)
    return _csv_response(f"base-{table}-{days}d-{board.today}.csv", header, rows)


@login_required
def merchant_dashboard_csv(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    if table not in CSV_TABLES or table == "merchants":
        raise Http404
    reach = get_reach(request)
    reach.require_role(MANAGER, MERCHANT)
    merchant = merchant_selectors.merchant_get(reach=reach, pk=pk)
    days = _days(request)
    board = turnover.merchant_dashboard(reach=reach, merchant=merchant, days=days)
    header, rows = _csv_rows(board, table)
    return _csv_response(f"merchant-{pk}-{table}-{days}d-{board.today}.csv", header, rows)


@login_required
def incubation_analytics(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    reach.require_role(MANAGER)
    cohorts = turnover.incubation_cohorts(reach=reach)
    if request.GET.get("format") == "csv":
        header = [
            "cohort",
            "merchants",
            "streamed",
            "median_days_to_first_stream",
            "sold",
            "median_days_to_first_sale",
            "reached_10k_day",
        ]
        rows = [
            [
                c["month"].strftime("%Y-%m"),
                c["size"],
                c["streamed"],
                c["median_days_to_stream"] if c["median_days_to_stream"] is not None else "",
                c["sold"],
                c["median_days_to_sale"] if c["median_days_to_sale"] is not None else "",
                c["reached_10k"],
            ]
            for c in cohorts
        ]
        return _csv_response("incubation-cohorts.csv", header, rows)
    funnel = turnover.incubation_funnel(reach=reach)
    top = max((step["count"] for step in funnel), default=0)
    context = {
        "cohorts": cohorts,
        "funnel": funnel,
        "funnel_chart": bar_list([(str(step["label"]), step["count"]) for step in funnel]),
        "funnel_top": top,
        "has_trainees": turnover._trainee_model() is not None,
        "title": _("Incubation analytics"),
    }
    return render(request, "jingdezhen/incubation.html", context)
