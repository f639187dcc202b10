"""Reading a file ahead of the database: an import job's chunks are read, parsed and checked in a
thread while the job's own thread writes the chunk before (PostgreSQL's COPY and the commit run
in the server, and the client waits for them without holding the GIL), so on two cores the two
halves of an import overlap instead of taking turns.

The thread runs no query (a chunk's checks need none: the merchant's products and rates were read
before), keeps at most ``depth`` chunks ready, and stops when the caller stops: on the caller's
error, or when the caller has read everything. Its errors (a broken line of the file) are raised
in the caller when the caller reaches them, after the chunks before were written, as they would
be without the thread.

Used for workbooks (``jobs._read_ahead``): openpyxl's parsing is most of their import, and the
writes overlap it (100,000 rows: 3,940 rows/s in the job's thread, 5,206 read ahead). Not for a
CSV: once the keys were checked per chunk (``take_in.keys``) its writes are as long as its
parsing, and the job's thread, waiting on the GIL after each of its queries while the reading
thread (often preempted on the loaded cores) holds it, lost more than it gained (median 20,300
against 16,800 rows/s on 100,000 rows, load 3.3 to 3.6; ``bench/csv_import.py --compare``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connections
from django.utils import translation

T = TypeVar("T")
_END = object()
_WAIT = 0.1  # seconds between looks at the stop flag while the queue is full


@contextmanager
def read_ahead(make: Callable[[], Iterator[T]], depth: int = 2) -> Iterator[Iterator[T]]:
    """``make()``'s items, computed in a thread at most ``depth`` items ahead of the caller; with
    ``depth`` 0, computed in the caller's thread as it asks for them (no thread at all)."""
    if depth <= 0:
        yield iter(make())
        return
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()  # the bad rows' reasons in the caller's language

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=_WAIT)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        if language:
            translation.activate(language)
        try:
            for item in make():
                if not put((True, item)):
                    return
            put((True, _END))
        except BaseException as exc:  # handed to the caller, raised there
            put((False, exc))
        finally:
            translation.deactivate()
            connections.close_all()  # none is opened here; should one be, it is not left open

    thread = threading.Thread(target=work, name="import-read-ahead", daemon=True)
    thread.start()

    def items() -> Iterator[T]:
        while True:
            ok, item = ready.get()
            if not ok:
                raise item
            if item is _END:
                return
            yield item

    try:
        yield items()
    finally:
        stop.set()
        thread.join()
