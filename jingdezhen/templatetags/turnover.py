# ruff: noqa: RUF002
"""Number formatting for the pages: plain str.format, fast enough for a 365-row table.

One format per kind of figure, in both languages (see jingdezhen/core/glossary.py):

* ``cny``: a number in a column or card whose label names the unit ((CNY) / （元）):
  ``1,234,567.50``, thousands separated;
* ``money``: an amount standing alone: ``¥1,234,567.50``;
* ``money_big``: a dashboard's big figure: in Chinese ``¥123.46万`` / ``¥1.23亿`` once it reaches
  ten thousand (the way Chinese readers count money), in English ``¥1,234,567``.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

register = template.Library()

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _grouped(amount: Decimal, places) -> str:
    """Thousands separated, rounded half up (as a cashier does, not half to even)."""
    exponent = Decimal(1).scaleb(-int(places))
    return f"{amount.quantize(exponent, rounding=ROUND_HALF_UP):,.{int(places)}f}"


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@register.filter
def cny(value, places: int = 2) -> str:
    """1234567.5 -> '1,234,567.50' ('' for None)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return _grouped(amount, places)


@register.filter
def money(value, places: int = 2) -> str:
    """1234567.5 -> '¥1,234,567.50' ('' for None); a negative amount reads '-¥12.00'."""
    amount = _decimal(value)
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{_grouped(abs(amount), places)}"


def _wan(amount: Decimal) -> str:
    """12345 -> '1.23万', 4481933.68 -> '448.19万', 123456789 -> '1.23亿', 9999 -> '9,999'."""
    magnitude = abs(amount)
    for unit, word in ((YI, "亿"), (WAN, "万")):
        if magnitude >= unit:
            scaled = (magnitude / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            text = f"{scaled:,.2f}".rstrip("0").rstrip(".")
            return f"{text}{word}"
    return _grouped(magnitude, 0)


@register.filter
def money_big(value) -> str:
    """A dashboard's big figure, whole yuan: '¥448.19万' in Chinese, '¥4,481,934' in English."""
    amount = _decimal(value)
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    if _chinese():
        return f"{sign}¥{_wan(amount)}"
    return f"{sign}¥{_grouped(abs(amount), 0)}"


@register.filter
def count_big(value) -> str:
    """A dashboard's big count: '1.23万' in Chinese from ten thousand on, '12,345' in English."""
    amount = _decimal(value)
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    if _chinese():
        return f"{sign}{_wan(amount)}"
    return f"{sign}{_grouped(abs(amount), 0)}"
