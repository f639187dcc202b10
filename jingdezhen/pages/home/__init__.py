"""What each role's home page shows: the lists of what needs doing today, each read by the app
that owns it (its ``selectors``, scoped by the reach) and composed here, in a constant number of
queries (pinned in tests/jingdezhen/test_homes.py).

- ``manager``: streams that should be live and are not, applicants waiting, rooms free tonight
  (and, wired at merge, follow-ups due and merchants falling behind their targets);
- ``merchant``: today's and tomorrow's streams, orders to ship, holds about to expire, products
  short for a coming stream, today's GMV so far (each by what the member's team role may read);
- ``trainer``: cohorts starting this week, attendance not recorded, trainees ready for their
  certificate, waitlists.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jingdezhen.core.tenancy import Reach

from .manager import manager_home
from .merchant import merchant_home
from .todo import HOME_ITEMS, Todo, todo
from .trainer import trainer_home

__all__ = ["HOME_ITEMS", "Todo", "home_context", "todo"]


def home_context(reach: Reach, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    if reach.is_merchant and reach.merchant_id is not None:
        return {"template_role": "merchant", **merchant_home(reach, now=now)}
    if reach.is_trainer:
        return {"template_role": "trainer", **trainer_home(reach, now=now)}
    if reach.is_manager or reach.is_admin:
        return {"template_role": "manager", **manager_home(reach, now=now)}
    return {"template_role": "none"}
