"""Small statistics shared by the figures (one definition each).

Which median each figure uses: the incubation cohorts' days to a first stream or sale are
``median`` here (merchants.incubation); the peers' standing (orders.turnover.selectors) and the
post-stream benchmarks (livestreams.selectors) are SQL's ``percentile_cont(0.5)``, computed where
the rows are. Both take the mean of the middle two of an even count.
"""

from __future__ import annotations

from collections.abc import Sequence


def median(values: Sequence[float]) -> float | None:
    """The median of ``values`` (the mean of the middle two for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
