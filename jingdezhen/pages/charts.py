"""Server-rendered SVG charts: geometry computed here, drawn by templates/jingdezhen/_charts.html.

No JavaScript and no inline style: only SVG attributes (x, y, width, height) and CSS classes,
so the charts pass our Content-Security-Policy and print or render on any phone.
"""

from __future__ import annotations

from decimal import Decimal

WIDTH = 720
HEIGHT = 200
PAD_TOP = 12
PAD_BOTTOM = 30
PAD_LEFT = 4


def column_chart(points: list[tuple[str, Decimal]], *, width: int = WIDTH, height: int = HEIGHT):
    """Columns for a daily series: ``points`` are (label, value) oldest first."""
    top = max((value for _, value in points), default=Decimal("0"))
    inner_h = height - PAD_TOP - PAD_BOTTOM
    step = (width - PAD_LEFT) / max(len(points), 1)
    bar_w = max(step * 0.8, 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = float(value / top * inner_h) if top > 0 and value > 0 else 0.0
        bars.append(
            {
                "x": round(PAD_LEFT + i * step, 2),
                "y": round(PAD_TOP + inner_h - h, 2),
                "w": round(bar_w, 2),
                "h": round(h, 2),
                "label": label,
                "value": value,
            }
        )
    # A handful of date ticks along the bottom.
    every = max(len(points) // 6, 1)
    ticks = [
        {"x": bar["x"], "label": bar["label"]}
        for i, bar in enumerate(bars)
        if i % every == 0 and i + every <= len(bars)
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "max": top,
        "baseline": PAD_TOP + inner_h,
        "ticks": ticks,
        "tick_y": height - 6,
    }


def bar_list(items: list[tuple[str, Decimal]], *, width: int = 360, row: int = 22):
    """Horizontal bars, one per labelled value (platform mix, countries, top merchants)."""
    top = max((value for _, value in items), default=Decimal("0"))
    label_w = 130
    inner_w = width - label_w - 70
    rows = []
    for i, (label, value) in enumerate(items):
        w = float(value / top * inner_w) if top > 0 and value > 0 else 0.0
        rows.append(
            {
                "y": i * row,
                "text_y": i * row + row * 0.7,
                "bar_x": label_w,
                "w": round(w, 2),
                "h": row - 6,
                "value_x": round(label_w + w + 4, 2),
                "label": label,
                "value": value,
            }
        )
    return {"width": width, "height": max(len(items), 1) * row, "rows": rows, "label_w": label_w}
