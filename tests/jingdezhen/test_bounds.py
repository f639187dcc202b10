import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jingdezhen.core import bounds
from jingdezhen.core.errors import DomainError


@pytest.mark.parametrize(
    "text", ["9999-12-31", "0001-01-01", "1999-12-31", "2026-13-01", "x", "2026-1-1"]
)
def test_a_day_outside_the_window_or_misspelt_names_its_field(text):
    with pytest.raises(DomainError) as refused:
        bounds.parse_day(text, field="day")
    assert refused.value.field == "day"


def test_a_day_inside_the_window_is_read():
    today = timezone.localdate()
    assert bounds.parse_day(today.isoformat(), field="day") == today
    assert bounds.parse_day("", field="day", default=today) == today


@pytest.mark.parametrize(
    "value",
    [Decimal("-1"), Decimal("10000000.01"), Decimal("1.001"), Decimal("NaN"), Decimal("Infinity")],
)
def test_money_beyond_the_bound_is_refused(value):
    with pytest.raises(DomainError) as refused:
        bounds.check_money(value, field="unit_price")
    assert refused.value.field == "unit_price"


def test_the_largest_amount_is_accepted():
    assert bounds.check_money(bounds.MAX_ORDER_CNY, field="total") == bounds.MAX_ORDER_CNY


@pytest.mark.parametrize("value", [0, -1, bounds.MAX_QUANTITY + 1, True, 1.5])
def test_quantities_are_bounded(value):
    with pytest.raises(DomainError):
        bounds.check_quantity(value)


def test_times_before_the_earliest_day_or_after_now_are_refused():
    now = timezone.now()
    with pytest.raises(DomainError):
        bounds.check_instant(dt.datetime(1, 1, 1, tzinfo=dt.UTC), field="placed_at", now=now)
    with pytest.raises(DomainError):
        bounds.check_instant(now + dt.timedelta(minutes=6), field="placed_at", now=now)
    assert bounds.check_instant(now + dt.timedelta(minutes=4), field="placed_at", now=now)


def test_text_with_a_nul_byte_is_refused():
    with pytest.raises(DomainError) as refused:
        bounds.check_text("青花\x00瓷", field="name")
    assert refused.value.field == "name"
    assert bounds.check_text("青花瓷", field="name", max_length=3) == "青花瓷"
