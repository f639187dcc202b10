"""Benchmark: the order form of a busy merchant, its stream picker against the select it replaced.

Bulk-creates one merchant with S streams over the past and coming months (688 in the issue's
real merchant), then, in the same run, renders the order form page (the picker: the 20 nearest
streams with the page), the picker's search endpoint answering a few letters, and the old whole
select of every stream (a ``ModelChoiceField`` of the same queryset, rendered alone), and reports
bytes, milliseconds and queries of each and their ratios. Written inside a transaction that is
rolled back, so the database is left as it was.

    DATABASE_URL=postgres://... python bench/pickers.py [--streams 688]

Writes bench/results/pickers.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _Rollback(Exception):
    pass


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingdezhen.settings")
    import django

    django.setup()


def _timed(call, repeat: int) -> tuple[float, int, int]:
    """(median ms, queries, bytes) of ``call()``, which returns the rendered text."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm up
    timings, queries, size = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            text = call()
            timings.append((time.perf_counter() - started) * 1000)
        queries, size = len(ctx.captured_queries), len(text.encode())
    return round(statistics.median(timings), 2), queries, size


def run(*, streams: int, repeat: int = 7) -> dict:
    from django import forms
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from livestreams.models import LiveRoom, LiveStream
    from merchants.models import Base, Merchant, Role, TeamMember, User

    result: dict = {}
    try:
        with transaction.atomic():
            base = Base.objects.create(name=f"Bench base {time.time_ns()}")
            merchant = Merchant.objects.create(base=base, name="Bench merchant")
            room = LiveRoom.objects.create(base=base, name="Room 1", opens_hour=0, closes_hour=24)
            now = timezone.now().replace(minute=0, second=0, microsecond=0)
            rows = []
            for i in range(streams):
                start = now + dt.timedelta(hours=5 * (i - streams * 3 // 4))
                end = start + dt.timedelta(hours=2)
                rows.append(
                    LiveStream(
                        merchant=merchant,
                        room=room if i % 2 else None,
                        platform="douyin" if i % 3 else "taobao",
                        title=f"Bench stream {i} {'celadon' if i % 50 == 0 else 'night'}",
                        planned_start=start,
                        planned_end=end,
                        blocked_until=end,
                    )
                )
            LiveStream.objects.bulk_create(rows, batch_size=5000)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE livestreams_livestream")
            owner = User.objects.create(
                username=f"bench-owner-{time.time_ns()}", role=Role.MERCHANT, base=base
            )
            TeamMember.objects.create(
                merchant=merchant, user=owner, name="Owner", role=TeamMember.Role.OWNER
            )
            client = Client(headers={"Accept-Language": "en"})
            client.force_login(owner)

            def page() -> str:
                return client.get("/orders/new/").content.decode()

            def search() -> str:
                return client.get("/orders/new/streams/", {"stream_q": "celadon"}).content.decode()

            def old_select() -> str:
                # The order form's field before the picker: a select of every stream, by title.
                field = forms.ModelChoiceField(
                    queryset=LiveStream.objects.filter(merchant=merchant).order_by("-planned_start")
                )
                return field.widget.render("stream", None)

            page_ms, page_q, page_bytes = _timed(page, repeat)
            search_ms, search_q, search_bytes = _timed(search, repeat)
            select_ms, select_q, select_bytes = _timed(old_select, repeat)
            result = {
                "benchmark": "pickers",
                "streams": streams,
                "repeat": repeat,
                "order_form": {"ms_median": page_ms, "queries": page_q, "bytes": page_bytes},
                "picker_search": {
                    "ms_median": search_ms,
                    "queries": search_q,
                    "bytes": search_bytes,
                },
                "old_stream_select_alone": {
                    "ms_median": select_ms,
                    "queries": select_q,
                    "bytes": select_bytes,
                },
                "ratio_old_select_bytes_to_picker_search": round(select_bytes / search_bytes, 1),
                "ratio_old_select_ms_to_picker_search": round(select_ms / search_ms, 2),
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=688)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pickers.json"))
    args = parser.parse_args()
    _setup_django()
    result = run(streams=args.streams, repeat=args.repeat)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
