"""Dates and times as a reader of each language writes them, one set of filters for every page:
``day`` (12月3日 周四 / Thu 3 Dec), ``long_day`` (2026年12月3日 / 3 December 2026), ``hm``
(19:30), ``day_hm`` (12月3日 周四 19:30 / Thu 3 Dec 19:30), ``weekday_name`` (周四 / Thu).
The patterns are the locale format modules' (``jingdezhen/formats/<lang>/formats.py``); an
aware time is read in the base's zone."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext_lazy

register = template.Library()

# Short weekday names, Monday first (Django's own Chinese ones are 星期四, too long for a list).
WEEKDAYS = (
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
)


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _ours(name: str, default: str) -> str:
    """A format of our own from the locale's format module (Django looks up only its own)."""
    for module in formats.get_format_modules(lang=get_language()):
        pattern = getattr(module, name, None)
        if pattern:
            return pattern
    return default


@register.filter
def weekday_name(value: dt.date) -> str:
    """The short weekday: 周四 / Thu."""
    return str(WEEKDAYS[_local(value).weekday()]) if value else ""


@register.filter
def day(value) -> str:
    """A day with its weekday: 12月3日 周四 / Thu 3 Dec; with its year when that is not this
    year's: 2025年12月3日 周三 / Wed 3 Dec 2025."""
    if not value:
        return ""
    value = _local(value)
    if value.year == timezone.localdate().year:
        shown = formats.date_format(value, "MONTH_DAY_FORMAT")
    else:
        shown = formats.date_format(value, _ours("OTHER_YEAR_DAY_FORMAT", "Y-m-d"))
    pattern = _ours("DAY_WEEKDAY_FORMAT", "{weekday} {day}")
    return pattern.format(day=shown, weekday=weekday_name(value))


@register.filter
def long_day(value) -> str:
    """A day with its year: 2026年12月3日 / 3 December 2026."""
    return formats.date_format(_local(value), "DATE_FORMAT") if value else ""


@register.filter
def hm(value) -> str:
    """A time of day on a 24-hour clock: 19:30."""
    return formats.time_format(_local(value), "TIME_FORMAT") if value else ""


@register.filter
def day_hm(value) -> str:
    """A day with its weekday and the time: 12月3日 周四 19:30 / Thu 3 Dec 19:30."""
    return f"{day(value)} {hm(value)}" if value else ""
