"""Amounts read one way on a page, in both languages: thousands separated, ¥ for an amount that
stands alone, 万/亿 on a Chinese dashboard's big figures (jingdezhen/templatetags/turnover.py)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from jingdezhen.templatetags.turnover import cny, count_big, money, money_big


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("4481933.68"), 2, "4,481,933.68"),
        (Decimal("3243"), 2, "3,243.00"),
        ("4509.00", 0, "4,509"),
        (0, 2, "0.00"),
        (None, 2, ""),
        ("", 2, ""),
        ("not a number", 2, ""),
    ],
)
def test_cny_separates_thousands(value, places, shown):
    assert cny(value, places) == shown


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_money_is_one_format_in_both_languages(lang):
    with translation.override(lang):
        assert money(Decimal("3243")) == "¥3,243.00"
        assert money("4509.00") == "¥4,509.00"
        assert money(Decimal("-12")) == "-¥12.00"
        assert money(Decimal("1280.5"), 0) == "¥1,281"  # half up, as Decimal formats
        assert money(None) == ""


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (Decimal("9999"), "¥9,999", "¥9,999"),
        (Decimal("10000"), "¥1万", "¥10,000"),
        (Decimal("123456"), "¥12.35万", "¥123,456"),
        (Decimal("4481933.68"), "¥448.19万", "¥4,481,934"),
        (Decimal("10000000"), "¥1,000万", "¥10,000,000"),
        (Decimal("123456789"), "¥1.23亿", "¥123,456,789"),
        (Decimal("-20000"), "-¥2万", "-¥20,000"),
    ],
)
def test_a_big_figure_counts_in_wan_in_chinese(value, zh, en):
    with translation.override("zh-hans"):
        assert money_big(value) == zh
    with translation.override("en"):
        assert money_big(value) == en


def test_a_big_count_counts_in_wan_in_chinese():
    with translation.override("zh-hans"):
        assert count_big(123000) == "12.3万"
        assert count_big(999) == "999"
    with translation.override("en"):
        assert count_big(123000) == "123,000"
    assert count_big(None) == ""


def test_the_filters_in_a_template():
    template = Template("{% load turnover %}{{ a|cny }} {{ a|money }} {{ a|money_big }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"a": Decimal("56789.5")})) == "56,789.50 ¥56,789.50 ¥5.68万"
    with translation.override("en"):
        assert template.render(Context({"a": Decimal("56789.5")})) == "56,789.50 ¥56,789.50 ¥56,790"
