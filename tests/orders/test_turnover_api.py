import datetime as dt
from decimal import Decimal

import pytest

from merchants.models import Role
from orders.turnover import rollup
from tests import factories as f

from .turnover_helpers import DAY, local

URL = "/api/v1/turnover/daily/"


@pytest.fixture
def rolled(merchant, other_merchant, other_base):
    stranger = f.MerchantFactory(base=other_base)
    for m, platform in [
        (merchant, "douyin"),
        (merchant, "taobao"),
        (other_merchant, "douyin"),
        (stranger, "douyin"),
    ]:
        f.TurnoverOrderFactory(merchant=m, platform=platform, placed_at=local(DAY, 10))
    f.TurnoverOrderFactory(merchant=merchant, placed_at=local(DAY - dt.timedelta(days=3), 10))
    rollup.rollup_days(start=DAY - dt.timedelta(days=3), end=DAY)
    return stranger


def _ids(response):
    return sorted((r["merchant"], r["platform"], r["day"]) for r in response.json()["results"])


def test_a_merchant_lists_only_its_own_turnover(api_client, rolled, owner, merchant):
    api_client.force_authenticate(owner)
    response = api_client.get(URL)
    assert response.status_code == 200
    assert {r["merchant"] for r in response.json()["results"]} == {merchant.pk}
    assert response.json()["count"] == 3
    row = response.json()["results"][0]
    assert Decimal(row["net_cny"]) == Decimal("200.00")


def test_a_manager_lists_the_base_and_not_another(api_client, rolled, manager, merchant):
    api_client.force_authenticate(manager)
    merchants = {r["merchant"] for r in api_client.get(URL).json()["results"]}
    assert rolled.pk not in merchants
    assert merchant.pk in merchants and len(merchants) == 2


def test_a_trainer_gets_no_turnover(api_client, rolled, trainer):
    api_client.force_authenticate(trainer)
    assert api_client.get(URL).status_code == 403


def test_filters_by_merchant_platform_and_date_range(api_client, rolled, manager, merchant):
    api_client.force_authenticate(manager)
    response = api_client.get(
        URL,
        {
            "merchant": merchant.pk,
            "platform": "douyin",
            "date_from": DAY.isoformat(),
            "date_to": DAY.isoformat(),
        },
    )
    assert _ids(response) == [(merchant.pk, "douyin", DAY.isoformat())]
    assert api_client.get(URL, {"platform": "nope"}).status_code == 400
    assert api_client.get(URL, {"date_from": "yesterday"}).status_code == 400


def test_a_merchant_filtering_for_another_merchant_gets_nothing(
    api_client, rolled, owner, other_merchant
):
    api_client.force_authenticate(owner)
    assert api_client.get(URL, {"merchant": other_merchant.pk}).json()["count"] == 0


@pytest.mark.parametrize("merchants", [2, 15])
def test_the_list_runs_a_constant_number_of_queries(
    api_client, base, merchants, django_assert_max_num_queries
):
    manager = f.UserFactory(role=Role.MANAGER, base=base)
    for _ in range(merchants):
        f.TurnoverOrderFactory(merchant=f.MerchantFactory(base=base), placed_at=local(DAY, 10))
    rollup.rollup_day(day=DAY)
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(4):
        assert api_client.get(URL).json()["count"] == merchants
