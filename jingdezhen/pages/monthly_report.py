"""The base's monthly report (月报) for the park and the city: a printable page and an .xlsx.

Every figure is read through the selector that defines it elsewhere: turnover from the base's
daily rollups (orders.turnover.monthly, the dashboard's rows), top merchants from
orders.turnover.selectors, streams run from livestreams, room utilisation from livestreams.usage
(the dashboard's rule), the stages from the merchants' stage history, training from training's
completions. A constant number of queries, whatever the month holds.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jingdezhen.core.bounds import EARLIEST_DAY
from jingdezhen.core.days import month_bounds
from jingdezhen.core.errors import DomainError
from jingdezhen.core.platforms import Platform
from jingdezhen.core.spreadsheets import xlsx_response
from jingdezhen.core.tenancy import MANAGER, Reach, get_reach
from livestreams import selectors as stream_selectors
from livestreams import usage
from merchants import incubation
from merchants.models import Merchant
from orders.turnover import monthly
from orders.turnover import selectors as turnover
from training import selectors as training

MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_of(text: str | None, *, today: dt.date) -> dt.date:
    """The first day of the month ``YYYY-MM`` names: from the earliest day the base records to
    this month; absent, the last complete month. Anything else is a 400 naming ``month``."""
    if not text:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    match = MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise DomainError(_("Give the month as YYYY-MM."), field="month")
    first = dt.date(int(match[1]), int(match[2]), 1)
    if first < EARLIEST_DAY or first > today:
        raise DomainError(
            _("The month must lie between %(first)s and this month.")
            % {"first": EARLIEST_DAY.strftime("%Y-%m")},
            field="month",
        )
    return first


def monthly_report(*, reach: Reach, first: dt.date) -> dict:
    """The month's figures of the manager's base."""
    reach.require_role(MANAGER)
    _start, after = month_bounds(first)
    last = after - dt.timedelta(days=1)
    platforms = dict(Platform.choices)
    weeks = monthly.base_weeks_by_platform(reach=reach, first=first, last=last)
    for row in weeks:
        row["platform_label"] = platforms.get(row["platform"], row["platform"])
    moves = incubation.stage_moves(reach=reach, first=first, last=last)
    stages = incubation.stage_counts_at(reach=reach, last=last)
    return {
        "month": first,
        "first": first,
        "last": last,
        "totals": monthly.base_span_totals(reach=reach, first=first, last=last),
        "weeks": weeks,
        "admitted": moves.get(Merchant.Stage.INCUBATING, 0),
        "graduated": moves.get(Merchant.Stage.GRADUATED, 0),
        "incubating": stages.get(Merchant.Stage.INCUBATING, 0),
        "training": training.completions_between(reach=reach, first=first, last=last),
        "streams": stream_selectors.streams_run_between(reach=reach, first=first, last=last),
        "rooms": usage.room_utilisation(reach=reach, first=first, last=last),
        "top_merchants": turnover.top_merchants(reach=reach, first=first, last=last),
    }


def _report(request: HttpRequest) -> tuple[dict | None, DomainError | None]:
    reach = get_reach(request)
    reach.require_role(MANAGER)
    try:
        first = month_of(request.GET.get("month"), today=timezone.localdate())
    except DomainError as error:
        return None, error
    return monthly_report(reach=reach, first=first), None


@login_required
def monthly_report_page(request: HttpRequest) -> HttpResponse:
    report, error = _report(request)
    if error is not None:
        context = {"error": error, "month_text": request.GET.get("month", "")}
        return render(request, "jingdezhen/monthly_report.html", context, status=400)
    return render(request, "jingdezhen/monthly_report.html", {"report": report})


def _sheets(report: dict) -> list:
    t = report["totals"]
    summary = [
        (_("Gross turnover (CNY)"), t["gross"]),
        (_("Refunded (CNY)"), t["refunded"]),
        (_("Net turnover (CNY)"), t["net"]),
        (_("Orders"), t["orders"]),
        (_("Overseas gross (CNY)"), t["overseas"]),
        (_("Overseas share (%)"), t["overseas_share"]),
        (_("Merchants admitted"), report["admitted"]),
        (_("Merchants incubating at the month's end"), report["incubating"]),
        (_("Merchants graduated"), report["graduated"]),
        (_("Training courses completed"), report["training"]["completed"]),
        (_("Certificates issued"), report["training"]["certified"]),
        (_("Streams run"), report["streams"]["streams"]),
        (_("Merchants streaming"), report["streams"]["merchants"]),
        (_("Room utilisation (%)"), report["rooms"]["percent"]),
    ]
    weeks = [
        (row["week"], row["platform_label"], row["gross"], row["net"], row["orders"])
        for row in report["weeks"]
    ]
    top = [
        (i, row["merchant__name"], row["net"], row["gross"], row["orders"])
        for i, row in enumerate(report["top_merchants"], start=1)
    ]
    return [
        (_("Summary"), [_("Figure"), _("Value")], summary),
        (
            _("Weeks and platforms"),
            [_("Week from"), _("Platform"), _("Gross (CNY)"), _("Net (CNY)"), _("Orders")],
            weeks,
        ),
        (
            _("Top merchants"),
            [_("Rank"), _("Merchant"), _("Net (CNY)"), _("Gross (CNY)"), _("Orders")],
            top,
        ),
    ]


@login_required
def monthly_report_xlsx(request: HttpRequest) -> HttpResponse:
    report, error = _report(request)
    if error is not None:
        return HttpResponse(str(error.message), status=400, content_type="text/plain")
    name = f"monthly-report-{report['month']:%Y-%m}.xlsx"
    return xlsx_response(name, _sheets(report))
