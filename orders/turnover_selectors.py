"""To delete at merge: a thin alias kept only for merchants/views.py, which imports
``merchant_weekly_trend`` from here inside a function and is not this change's to edit. The
selector lives in orders.turnover.selectors."""

from .turnover.selectors import merchant_weekly_trend

__all__ = ["merchant_weekly_trend"]
