"""Extension points: how the top of the house adds to a page or a read of an app lower down
without that app importing anything above it.

``merchants`` sits under every other app, yet its merchant list shows each merchant's last
stream (livestreams data) and its merchant page shows the turnover trend (orders) and the
courses completed (training). Such an app names a point and ``gather``s what was contributed;
``jingdezhen.pages.contributions`` (loaded when the project's app is ready) contributes, calling
each owner's selectors. A point nobody contributes to gathers an empty dict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Contribution = Callable[..., dict]

_contributions: dict[str, list[Contribution]] = defaultdict(list)


def contribute(point: str) -> Callable[[Contribution], Contribution]:
    """Register the decorated function at ``point``; it returns a dict to merge (once each)."""

    def register(function: Contribution) -> Contribution:
        if function not in _contributions[point]:
            _contributions[point].append(function)
        return function

    return register


def gather(point: str, **kwargs) -> dict:
    """Merge what every contribution at ``point`` returns for ``kwargs``, in registration order."""
    merged: dict = {}
    for function in _contributions[point]:
        merged.update(function(**kwargs))
    return merged


# The points, named once so a typo is an AttributeError rather than a silently empty panel.
MERCHANT_SUMMARY = "merchants.summary"  # () -> annotations of the merchant list's rows
# (reach, merchant, is_manager, reads_turnover) -> page context
MERCHANT_DETAIL = "merchants.detail"
