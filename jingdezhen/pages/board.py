"""The base's live board (/board/): the wall screen of a live base (数据大屏), for its managers.

Today's turnover up to the minute, by hour against yesterday, the platform mix, the overseas
share and the top merchants come from ``orders.turnover.live`` (the rollups plus what was written
since the last roll); the streams live now and the rooms idle in prime time from
``livestreams.selectors``, each stream's GMV so far from ``orders.turnover.live.stream_gmv``. The
page polls its figures every five seconds (htmx, ``hx-trigger="every 5s"``), and the figures are
the ``figures`` partial of the same template, read in a constant number of queries.

No cache: a poll costs a few milliseconds whatever the day's orders (bench/board.py), and a
board that shows what the database holds needs no invalidation.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jingdezhen.core.tenancy import Reach, get_reach
from livestreams import selectors as streams
from orders.turnover import live

REFRESH_SECONDS = 5
CHART_W, CHART_H, PAD_TOP, PAD_BOTTOM = 960, 260, 10, 28


def hour_chart(hours: list[dict]) -> dict:
    """Paired columns per hour, today's beside yesterday's (SVG geometry, no script)."""
    top = max((max(h["today"], h["yesterday"]) for h in hours), default=Decimal("0"))
    inner = CHART_H - PAD_TOP - PAD_BOTTOM
    step = CHART_W / 24
    width = step * 0.38

    def height(value: Decimal) -> float:
        return round(float(value / top * inner), 2) if top > 0 and value > 0 else 0.0

    bars = []
    for h in hours:
        x = h["hour"] * step + step * 0.1
        for offset, kind in ((0, "yesterday"), (width, "today")):
            bar_h = height(h[kind])
            bars.append(
                {
                    "kind": kind,
                    "hour": h["hour"],
                    "value": h[kind],
                    "x": round(x + offset, 2),
                    "y": round(PAD_TOP + inner - bar_h, 2),
                    "w": round(width, 2),
                    "h": bar_h,
                }
            )
    ticks = [{"x": round(h * step + step / 2, 2), "label": f"{h:02d}"} for h in range(0, 24, 2)]
    return {
        "width": CHART_W,
        "height": CHART_H,
        "bars": bars,
        "ticks": ticks,
        "baseline": PAD_TOP + inner,
        "tick_y": CHART_H - 8,
    }


def board_context(*, reach: Reach) -> dict:
    """Everything the board shows (9 queries, whatever the number of orders; with the session
    and the user, a request makes 11: pinned in tests/jingdezhen/test_board.py)."""
    now = timezone.now()
    turnover = live.live_turnover(reach=reach, now=now)
    live_streams = list(streams.streams_live_now(reach=reach))
    gmv = live.stream_gmv(reach=reach, stream_ids=[s.pk for s in live_streams])
    for stream in live_streams:
        stream.gmv, stream.counted_orders = gmv.get(stream.pk, (Decimal("0"), 0))
    return {
        "live": turnover,
        "hour_chart": hour_chart(turnover.by_hour),
        "live_streams": live_streams,
        "idle_rooms": list(streams.rooms_idle_in_prime_time(reach=reach, now=now)),
        "refresh_seconds": REFRESH_SECONDS,
    }


@never_cache
@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The live board; an htmx poll gets its figures only."""
    context = board_context(reach=get_reach(request))
    template = "jingdezhen/board.html"
    if request.htmx:
        template += "#figures"
    return render(request, template, context)
