"""Number formatting for the dashboards: plain str.format, fast enough for a 365-row table."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def cny(value, places: int = 2) -> str:
    """1234567.5 -> '1,234,567.50' ('' for None)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.{int(places)}f}"
