"""A real Celery worker of the project (``jingdezhen.celery``) for the fault tests, with two
test-only knobs read from the environment. Nothing here is imported by the app.

    python -m tests.faults.rollup_worker --pool prefork --concurrency 1 --loglevel INFO

``JDZ_TEST_ROLLUP_PAUSE=<path>``: ``orders.turnover.rollup._checkpoint`` (called inside the rollup's
transaction, after its statements ran, with the day's advisory lock held) writes what this run
sees inside its transaction to ``<path>`` (JSON) and then stays there, so the test can kill the
worker in the middle of the rollup. A pause nobody ends by a kill gives up after
``PAUSE_LIMIT`` seconds with an error, so its transaction rolls back rather than commits.

``JDZ_TEST_BROKER_TRANSPORT_OPTIONS=<json>``: Celery's ``broker_transport_options`` for this
worker (e.g. a short Redis ``visibility_timeout``).

The hook is installed before the worker starts, so the prefork pool's children inherit it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import django

PAUSE_LIMIT = 120  # seconds


def _pausing_checkpoint(marker: Path):
    def checkpoint(day) -> None:
        from django.db import connection

        from orders.models import DailyBaseTurnover

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backend_pid,) = cursor.fetchone()
        inside = DailyBaseTurnover.objects.filter(day=day).values_list(
            "base_id", "gross_cny", "refunded_cny", "orders"
        )
        seen = {
            "pid": os.getpid(),
            "backend_pid": backend_pid,
            "day": day.isoformat(),
            "base_rows": sorted([b, str(g), str(r), n] for b, g, r, n in inside),
        }
        partial = marker.with_suffix(".part")
        partial.write_text(json.dumps(seen))
        partial.rename(marker)  # the test never reads a half-written file
        time.sleep(PAUSE_LIMIT)
        raise RuntimeError(f"rollup pause not ended by a kill within {PAUSE_LIMIT}s")

    return checkpoint


def main(argv: list[str]) -> None:
    django.setup()
    from jingdezhen.celery import app
    from orders.turnover import rollup

    pause = os.environ.get("JDZ_TEST_ROLLUP_PAUSE")
    if pause:
        rollup._checkpoint = _pausing_checkpoint(Path(pause))
    options = os.environ.get("JDZ_TEST_BROKER_TRANSPORT_OPTIONS")
    if options:
        app.conf.broker_transport_options = json.loads(options)
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
