"""The history pages show of rooms, the base's booking rules and streams: who changed a room's
opening hours, a cap of the rules, a stream's time, room, host or status (recorded by the
triggers declared on the models, ``jingdezhen.core.history``). Each is read by whoever may read
the page that shows it."""

from __future__ import annotations

from jingdezhen.core import history
from jingdezhen.core.history import HistoryPage
from jingdezhen.core.tenancy import Reach

from . import access
from .models import LiveRoom, LiveStream, StreamSettings


def room_history(*, reach: Reach, room: LiveRoom, page: object = 1) -> HistoryPage:
    access.require_base_manager(reach)
    return history.history_page(room, LiveRoom, page=page)


def rules_history(*, reach: Reach, rules: StreamSettings, page: object = 1) -> HistoryPage | None:
    """The booking rules' changes; None while the base has kept the defaults (no row yet)."""
    access.require_base_manager(reach)
    if rules.pk is None:
        return None
    return history.history_page(rules, StreamSettings, page=page)


def stream_history(*, reach: Reach, stream: LiveStream, page: object = 1) -> HistoryPage:
    access.require_stream_reader(reach)
    return history.history_page(stream, LiveStream, page=page)
