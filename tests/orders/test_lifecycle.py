"""The order lifecycle is one table: services enforce it, pages and the API read it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from jingdezhen.core.errors import Conflict
from orders.intake.specs import LineIn
from orders.models import Order
from orders.ordering import lifecycle, services
from tests import factories
from tests.conftest import login

S = Order.Status
SERVICES = {
    "pay": services.order_pay,
    "ship": lambda **kw: services.order_ship(**kw, **factories.parcel()),
    "deliver": services.order_deliver,
    "complete": services.order_complete,
    "cancel": services.order_cancel,
    "refund": services.order_refund,
}


def test_every_status_is_reachable_from_pending_and_the_walks_are_the_shortest():
    assert set(lifecycle.PATHS) == set(S.values)
    assert [m.action for m, _s in lifecycle.path_to(S.COMPLETED)] == ["pay", "ship", "complete"]
    assert [m.action for m, _s in lifecycle.path_to(S.REFUNDED)] == ["pay", "refund"]
    assert not lifecycle.keeps_units(S.REFUNDED) and not lifecycle.keeps_units(S.CANCELLED)
    assert lifecycle.keeps_units(S.SHIPPED)


def _order_in(merchant, status):
    product = factories.ProductFactory(merchant=merchant, stock=50)
    order = services.order_place(
        reach=factories.merchant_reach(merchant),
        merchant=merchant,
        platform="douyin",
        lines=[LineIn(product_id=product.pk, quantity=1)],
    )
    for move, _source in lifecycle.path_to(status):
        SERVICES[move.action](reach=factories.merchant_reach(merchant), order=order)
    return Order.objects.get(pk=order.pk)


@pytest.mark.parametrize("status", S.values)
def test_the_services_allow_exactly_what_the_table_allows(merchant, status):
    reach = factories.merchant_reach(merchant)
    for action, service in SERVICES.items():
        order = _order_in(merchant, status)
        allowed = lifecycle.actions_for(status)[action]
        if allowed:
            assert service(reach=reach, order=order).status in (
                lifecycle.transition(action).target,
                status,
            )
        else:
            with pytest.raises(Conflict):
                service(reach=reach, order=order)


def test_the_order_page_and_the_api_offer_the_tables_actions(client, api_client, owner, merchant):
    order = _order_in(merchant, S.PAID)
    login(client, owner)
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert f"/orders/bulk/ship/?order={order.pk}" in html and f"/orders/{order.pk}/pay/" not in html
    api_client.force_authenticate(owner)
    body = api_client.get(f"/api/v1/orders/{order.pk}/").json()
    assert set(body["actions"]) == set(lifecycle.available(S.PAID))


def test_order_templates_hold_no_status_literals_for_actions():
    templates = Path(settings.BASE_DIR) / "templates" / "orders"
    pattern = re.compile(r"status\s*==|status\s+in\b|\.status\s*!=")
    for path in templates.glob("order*.html"):
        assert not pattern.search(path.read_text()), path.name
