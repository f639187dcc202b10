"""How a period of days is summed from the turnover rollups with the fewest rows read: whole
months from the monthly rollup, the days of cut months added or subtracted from the merchant-day
one. Used by the top merchants (orders.turnover.selectors) and the peers (orders.turnover.peers).
"""

from __future__ import annotations

import datetime as dt

from jingdezhen.core.days import month_bounds

ONE_DAY = dt.timedelta(days=1)


def month_plan(first: dt.date, last: dt.date, today_: dt.date):
    """How to sum ``first``..``last`` from monthly and merchant-day rows, reading the fewest
    rows: (months to read whole, day ranges to add, day ranges to subtract).

    A month wholly inside the range is one monthly row a merchant. A month the range cuts is
    either its included days, or its monthly row less its excluded days, whichever reads fewer
    rows; excluded days after today have no rows yet, so the current month costs one monthly row
    (and its later days are still subtracted, in case an order was dated ahead).
    """
    months, add, subtract = [], [], []
    month = first.replace(day=1)
    while month <= last:
        after = month_bounds(month)[1]
        month_last = after - dt.timedelta(days=1)
        inside = (max(first, month), min(last, month_last))
        included = (inside[1] - inside[0]).days + 1
        excluded = [
            (start, end)
            for start, end in ((month, inside[0] - ONE_DAY), (inside[1] + ONE_DAY, month_last))
            if start <= end
        ]
        # What reading them costs: days after today have no rows (yet).
        excluded_days = sum(max(0, (min(end, today_) - start).days + 1) for start, end in excluded)
        if excluded_days < included:
            months.append(month)
            subtract.extend(excluded)
        else:
            add.append(inside)
        month = after
    return months, add, subtract
