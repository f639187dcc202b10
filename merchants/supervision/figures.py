"""The weekly figures supervision compares with the targets: streams run and GMV per week, and
the day of each merchant's last stream.

Streams live in ``livestreams`` and GMV in ``orders``, which ``merchants`` may not import. This
module names the extension point; the top layer (``jingdezhen.pages.supervision``) registers
the one function that fills it at app ready, with one set-based query per figure for all the
merchants asked about. Nothing registered (a test of merchants alone) reads as no streams and no
sales.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass
class MerchantFigures:
    """One merchant's figures: per week (keyed by the week's Monday) and its last stream day."""

    streams: dict[dt.date, int] = field(default_factory=dict)
    gmv: dict[dt.date, Decimal] = field(default_factory=dict)
    last_stream_on: dt.date | None = None

    def streams_in(self, week: dt.date) -> int:
        return self.streams.get(week, 0)

    def gmv_in(self, week: dt.date) -> Decimal:
        return self.gmv.get(week, ZERO)


# (base_id, merchant_ids, first Monday, last Monday) -> {merchant_id: MerchantFigures}
WeeklyFigures = Callable[..., dict[int, MerchantFigures]]

_source: list[WeeklyFigures] = []


def register(function: WeeklyFigures) -> WeeklyFigures:
    """Make ``function`` the source of the weekly figures (the last one registered wins)."""
    _source[:] = [function]
    return function


def weekly_figures(
    *, base_id: int, merchant_ids: Iterable[int], first_week: dt.date, last_week: dt.date
) -> dict[int, MerchantFigures]:
    """The figures of ``merchant_ids`` (all of one base) for the weeks from the Monday
    ``first_week`` to the Monday ``last_week``; every merchant asked about has an entry."""
    ids = list(merchant_ids)
    found: dict[int, MerchantFigures] = {}
    if ids and _source:
        found = _source[0](
            base_id=base_id, merchant_ids=ids, first_week=first_week, last_week=last_week
        )
    return {pk: found.get(pk) or MerchantFigures() for pk in ids}
