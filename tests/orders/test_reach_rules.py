"""Who reads the orders app and whose intake pages these are: orders.permissions, shared by the
pages (orders/view_helpers.reader) and the viewsets (``reach_rule``)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jingdezhen.core.tenancy import reach_for
from orders import permissions
from orders.catalogue import selectors as catalogue_selectors
from orders.intake import selectors as intake_selectors
from orders.ordering import selectors as ordering_selectors
from tests.conftest import login


def test_a_trainer_is_refused_the_orders_app(trainer):
    with pytest.raises(PermissionDenied):
        permissions.require_reader(reach_for(trainer))


@pytest.mark.parametrize(
    "read",
    [
        lambda reach: catalogue_selectors.product_list(reach=reach),
        lambda reach: catalogue_selectors.product_get(reach=reach, pk=1),
        lambda reach: catalogue_selectors.photo_get(reach=reach, pk=1),
        lambda reach: intake_selectors.import_list(reach=reach),
        lambda reach: ordering_selectors.order_list(reach=reach),
        lambda reach: ordering_selectors.order_get(reach=reach, pk=1),
        lambda reach: ordering_selectors.claim_get(reach=reach, pk=1),
        lambda reach: ordering_selectors.order_policy_for(reach=reach, merchant_id=1),
        lambda reach: ordering_selectors.exchange_rate_list(reach=reach),
        lambda reach: ordering_selectors.flash_deal_list(reach=reach),
        lambda reach: ordering_selectors.stream_flash_deals(reach=reach, stream_id=1),
    ],
    ids=[
        "product_list",
        "product_get",
        "photo_get",
        "import_list",
        "order_list",
        "order_get",
        "claim_get",
        "order_policy_for",
        "exchange_rate_list",
        "flash_deal_list",
        "stream_flash_deals",
    ],
)
def test_a_trainer_asking_an_orders_read_is_refused_not_answered_empty(trainer, read):
    with pytest.raises(PermissionDenied):
        read(reach_for(trainer))


def test_managers_and_members_read_the_orders_app(manager, owner):
    permissions.require_reader(reach_for(manager))
    permissions.require_reader(reach_for(owner))


def test_the_intake_pages_are_a_members_own(owner, merchant, manager, trainer):
    assert permissions.member_merchant(reach_for(owner)) == merchant
    for user in (manager, trainer):
        with pytest.raises(Http404):
            permissions.member_merchant(reach_for(user))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orders/",
        "/api/v1/products/",
        "/api/v1/flash-deals/",
        "/api/v1/exchange-rates/",
    ],
)
def test_the_api_refuses_a_trainer_by_the_same_rule(api_client, trainer, url):
    api_client.force_authenticate(trainer)
    assert api_client.get(url).status_code == 403


def test_the_pages_refuse_a_trainer_by_the_same_rule(client, trainer):
    login(client, trainer)
    assert client.get("/orders/").status_code == 403
