"""The bounds of everything a user types, in one place: every door (page, API, import, task,
demo) checks its input against these before a service writes, so a value outside them is a 400
(or a reported bad row) that names the field, never a 500 and never a stored row.

The figures are chosen well inside the columns that hold them: an order is at most
``MAX_ORDER_CNY``, while the turnover rollup's columns hold 10**18 CNY, so no sum of accepted
orders of a base can overflow them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DomainError

# Money. A single ceramic piece sold in a stream can cost a few hundred thousand CNY; an order of
# ten million is already a base's whole evening.
MAX_LINE_CNY = Decimal("10000000.00")
MAX_ORDER_CNY = Decimal("10000000.00")
# Units of one product in one order line.
MAX_QUANTITY = 9_999
# Lines in one order.
MAX_LINES = 200

# Times. Nothing the base records happened before the earliest day; an order, payment or import
# row may be stamped at most a few minutes after the server's clock (clocks of phones and
# platforms drift), never later.
EARLIEST_DAY = dt.date(2000, 1, 1)
CLOCK_SLACK = dt.timedelta(minutes=5)
# Days a page may be asked about: from the earliest day to this long after today.
PAGE_DAYS_AHEAD = 366
# A cohort (training intake) lasts at most a year; a flash deal at most a stream's length.
MAX_COHORT_DAYS = 366
MAX_FLASH_DEAL = dt.timedelta(hours=12)
DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def earliest_instant() -> dt.datetime:
    return _earliest(timezone.get_current_timezone())


# Later than the earliest day's midnight in every time zone (UTC-12 to UTC+14): a time after it
# passes the lower bound without asking for the current zone (an asgiref look-up, the dearest
# part of checking an import row's time).
_SURELY_LATE_ENOUGH = dt.datetime.combine(
    EARLIEST_DAY + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
)


@functools.lru_cache(maxsize=16)
def _earliest(tz) -> dt.datetime:
    # Cached: an import checks it for every row.
    return timezone.make_aware(dt.datetime.combine(EARLIEST_DAY, dt.time.min), tz)


def check_money(value: Decimal, *, field: str, maximum: Decimal = MAX_ORDER_CNY) -> Decimal:
    """``value`` itself if it is a finite amount of at most two decimals within 0..maximum."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise DomainError(_("Enter an amount."), field=field)
    if value < 0:
        raise DomainError(_("An amount cannot be negative."), field=field)
    if value > maximum:
        raise DomainError(
            _("An amount is at most %(max)s CNY.") % {"max": f"{maximum:,.2f}"}, field=field
        )
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_("An amount has at most two decimals."), field=field)
    return value


def check_quantity(value: int, *, field: str = "quantity", maximum: int = MAX_QUANTITY) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise DomainError(
            _("A quantity is a whole number from 1 to %(max)s.") % {"max": maximum}, field=field
        )
    return value


def check_instant(value: dt.datetime, *, field: str, now: dt.datetime | None = None) -> dt.datetime:
    """``value`` if it lies between the earliest day and a few minutes after now."""
    now = now or timezone.now()
    if value.utcoffset() is None:
        value = timezone.make_aware(value)
    if value < _SURELY_LATE_ENOUGH and value < earliest_instant():
        raise DomainError(
            _("A time is no earlier than %(day)s.") % {"day": EARLIEST_DAY.isoformat()},
            field=field,
        )
    if value > now + CLOCK_SLACK:
        raise DomainError(_("A time cannot be in the future."), field=field)
    return value


def check_day(value: dt.date, *, field: str, today: dt.date | None = None) -> dt.date:
    """``value`` if it lies in the window pages and reports may be asked about."""
    today = today or timezone.localdate()
    last = today + dt.timedelta(days=PAGE_DAYS_AHEAD)
    if not EARLIEST_DAY <= value <= last:
        raise DomainError(
            _("A day lies between %(first)s and %(last)s.")
            % {"first": EARLIEST_DAY.isoformat(), "last": last.isoformat()},
            field=field,
        )
    return value


def parse_day(text: str | None, *, field: str, default: dt.date | None = None) -> dt.date | None:
    """A day typed in a query string (``YYYY-MM-DD``), checked against the window; empty gives
    ``default``. A bad value raises a ``DomainError`` naming ``field``."""
    if text is None or text == "":
        return default
    value = None
    if DAY_PATTERN.fullmatch(str(text)):
        try:
            value = dt.date.fromisoformat(str(text))
        except ValueError:
            value = None
    if value is None:
        raise DomainError(_("Enter a day as YYYY-MM-DD."), field=field)
    return check_day(value, field=field)


def check_text(value: str, *, field: str, max_length: int | None = None) -> str:
    """``value`` if it holds no NUL byte (PostgreSQL cannot store one) and fits ``max_length``."""
    if "\x00" in value:
        raise DomainError(_("The text holds a NUL character."), field=field)
    if max_length is not None and len(value) > max_length:
        raise DomainError(_("At most %(max)s characters.") % {"max": max_length}, field=field)
    return value
