"""The weekly figures of supervision (``merchants.supervision.figures``), filled from the apps
that own them: streams run per week and the last stream from livestreams, GMV per week from the
turnover rollups (the dashboards' one definition of net). One grouped query per figure for all
the merchants asked about, never one per merchant. Registered when the project's app is ready."""

from __future__ import annotations

import datetime as dt

from jingdezhen.core.tenancy import MANAGER, Reach
from livestreams.summaries import last_stream_started, streams_run_per_week
from merchants.supervision import figures
from orders.turnover.selectors import net_per_week


@figures.register
def weekly_figures(
    *, base_id: int, merchant_ids: list[int], first_week: dt.date, last_week: dt.date
) -> dict[int, figures.MerchantFigures]:
    # The base's own reach: the merchant ids were chosen by a selector scoped to the reader.
    reach = Reach(role=MANAGER, base_id=base_id)
    found = {pk: figures.MerchantFigures() for pk in merchant_ids}
    span = {"merchant_ids": merchant_ids, "first_week": first_week, "last_week": last_week}
    for (pk, week), count in streams_run_per_week(reach=reach, **span).items():
        found[pk].streams[week] = count
    for (pk, week), net in net_per_week(reach=reach, **span).items():
        found[pk].gmv[week] = net
    for pk, day in last_stream_started(reach=reach, merchant_ids=merchant_ids).items():
        found[pk].last_stream_on = day
    return found
