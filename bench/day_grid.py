"""Benchmark: the base manager's room schedule (rooms x hours) for one busy day.

Bulk-creates a base with N merchants and S streams on one day (the rooms filled hour by hour, the
rest in the merchants' own studios), then renders the day-grid page server-side through Django's
test client and reports the time and the number of queries. Everything is written inside a
transaction that is rolled back, so the database is left as it was.

    DATABASE_URL=postgres://... python bench/day_grid.py [--merchants 1400] [--streams 10000]

Writes bench/results/day_grid.json. ``run()`` is also called at a small scale by the test suite.
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


def run(*, merchants: int, streams: int, rooms: int = 40, repeat: int = 5) -> dict:
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from livestreams.models import LiveRoom, LiveStream
    from merchants.models import Base, Merchant, Role, User

    result: dict = {}
    try:
        with transaction.atomic():
            base = Base.objects.create(name=f"Bench base {time.time_ns()}")
            Merchant.objects.bulk_create(
                [Merchant(base=base, name=f"Bench merchant {i:05d}") for i in range(merchants)],
                batch_size=2000,
            )
            merchant_ids = list(Merchant.objects.filter(base=base).values_list("id", flat=True))
            LiveRoom.objects.bulk_create(
                [
                    LiveRoom(base=base, name=f"Room {i:02d}", opens_hour=0, closes_hour=24)
                    for i in range(rooms)
                ]
            )
            room_ids = list(LiveRoom.objects.filter(base=base).values_list("id", flat=True))
            day = timezone.localdate()
            midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
            rows = []
            in_rooms = 0
            for i in range(streams):
                merchant_id = merchant_ids[i % len(merchant_ids)]
                if in_rooms < rooms * 24 and i % 2 == 0:
                    room_id = room_ids[in_rooms % rooms]
                    start = midnight + dt.timedelta(hours=in_rooms // rooms)
                    end = start + dt.timedelta(minutes=45)
                    in_rooms += 1
                else:
                    room_id = None
                    start = midnight + dt.timedelta(minutes=(i * 7) % (23 * 60))
                    end = start + dt.timedelta(minutes=60)
                rows.append(
                    LiveStream(
                        merchant_id=merchant_id,
                        room_id=room_id,
                        platform="douyin" if i % 3 else "taobao",
                        title=f"Bench stream {i}",
                        planned_start=start,
                        planned_end=end,
                        blocked_until=end + dt.timedelta(minutes=15 if room_id else 0),
                    )
                )
            LiveStream.objects.bulk_create(rows, batch_size=5000)
            with connection.cursor() as cursor:  # fresh rows: give the planner statistics
                cursor.execute("ANALYZE livestreams_livestream")
                cursor.execute("ANALYZE merchants_merchant")
            manager = User.objects.create(
                username=f"bench-manager-{time.time_ns()}", role=Role.MANAGER, base=base
            )
            client = Client(headers={"Accept-Language": "en"})
            client.force_login(manager)
            url = reverse("livestreams:room_grid") + f"?day={day.isoformat()}"
            client.get(url)  # warm up
            timings, queries = [], []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
                queries.append(len(ctx.captured_queries))
            result = {
                "benchmark": "day_grid",
                "database": connection.vendor,
                "merchants": merchants,
                "streams_that_day": streams,
                "streams_in_rooms": in_rooms,
                "rooms": rooms,
                "repeat": repeat,
                "queries": max(queries),
                "ms_median": round(statistics.median(timings), 1),
                "ms_max": round(max(timings), 1),
                "bytes": len(response.content),
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=1400)
    parser.add_argument("--streams", type=int, default=10000)
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "day_grid.json"))
    args = parser.parse_args()
    _setup_django()
    result = run(
        merchants=args.merchants, streams=args.streams, rooms=args.rooms, repeat=args.repeat
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
