"""Countries read as names in the reader's language, not ISO codes (issue #16): the order pages
and the dashboard's buyer countries."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from jingdezhen.core.countries import COUNTRY_NAMES, country_name
from orders.turnover import rollup
from orders.turnover import selectors as turnover
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_code_reads_as_the_country_in_each_language():
    with translation.override("zh-hans"):
        assert country_name("ZA") == "南非"
        assert country_name("cn") == "中国"
        assert country_name("SE") == "瑞典"
    with translation.override("en"):
        assert country_name("ZA") == "South Africa"
        assert country_name("CN") == "China"
    assert country_name("XQ") == "XQ"  # not in the list: the code as it is
    assert country_name(None) == country_name("") == ""


def test_every_listed_country_has_a_chinese_name():
    with translation.override("zh-hans"):
        untranslated = [code for code, name in COUNTRY_NAMES.items() if str(name).isascii()]
    assert untranslated == []
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_NAMES)


def test_the_filter_in_a_template():
    template = Template("{% load countries %}{{ code|country_name }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"code": "NL"})) == "荷兰"
    with translation.override("en"):
        assert template.render(Context({"code": "NL"})) == "Netherlands"


def test_the_order_pages_name_the_buyer_country(client, client_zh, owner, merchant):
    order = f.TurnoverOrderFactory(merchant=merchant, buyer_country="ZA", buyer_name="Thandi")
    for browser, name in ((client, "South Africa"), (client_zh, "南非")):
        browser.force_login(owner)
        listing = browser.get("/orders/").content.decode()
        assert name in listing
        detail = browser.get(f"/orders/{order.pk}/").content.decode()
        assert f"({name})" in detail
        assert "(ZA)" not in detail


def test_the_dashboard_names_the_buyer_countries(client_zh, manager, merchant):
    f.TurnoverOrderFactory(merchant=merchant, buyer_country="SE", amount="12345.00")
    f.TurnoverOrderFactory(merchant=merchant, buyer_country="CN", amount="200.00")
    today = turnover.today()
    rollup.rollup_day(day=today - dt.timedelta(days=1))
    rollup.rollup_day(day=today)
    client_zh.force_login(manager)
    page = client_zh.get("/dashboard/").content.decode()
    assert "<td>瑞典</td>" in page and "<td>中国</td>" in page
    assert "<td>SE</td>" not in page
    assert ">瑞典</text>" in page  # the chart's label too
