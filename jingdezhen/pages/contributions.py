"""What the top layer adds to the pages and reads of ``merchants`` (see jingdezhen.core.extensions):
each contribution asks the owning app's selectors, so merchants imports no other app."""

from __future__ import annotations

from jingdezhen.core.extensions import MERCHANT_DETAIL, MERCHANT_SUMMARY, contribute
from livestreams.summaries import merchant_stream_summary
from orders.turnover.selectors import merchant_weekly_trend
from training.selectors import merchant_completed_courses

from .charts import column_chart


@contribute(MERCHANT_SUMMARY)
def stream_summary() -> dict:
    return merchant_stream_summary()


@contribute(MERCHANT_DETAIL)
def turnover_and_courses(*, reach, merchant, is_manager: bool, reads_turnover: bool) -> dict:
    """The weekly turnover trend for the base's managers and the merchant's team members whose
    role reads turnover; the courses its people completed for the managers."""
    context: dict = {}
    if is_manager or reads_turnover:
        trend = merchant_weekly_trend(reach=reach, merchant_id=merchant.pk)
        context["trend"] = trend
        context["trend_chart"] = column_chart(
            [(week["week"].isoformat(), week["net"]) for week in trend]
        )
    if is_manager:
        context["courses"] = merchant_completed_courses(reach=reach, merchant_id=merchant.pk)
    return context
