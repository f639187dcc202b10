"""The base management pages' rule lives in the merchants selectors, not in the views."""

import pytest
from django.core.exceptions import PermissionDenied

from jingdezhen.core.tenancy import reach_for
from merchants import selectors
from tests.conftest import login


@pytest.mark.parametrize("who", ["trainer", "owner"])
def test_the_managers_merchant_list_refuses_anyone_else(request, merchant, who):
    reach = reach_for(request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        selectors.merchant_overview_for_manager(reach=reach)
    with pytest.raises(PermissionDenied):
        selectors.require_base_manager(reach)
    assert not selectors.is_base_manager(reach)


def test_a_manager_reads_the_merchant_list(manager, merchant):
    reach = reach_for(manager)
    selectors.require_base_manager(reach)
    assert selectors.is_base_manager(reach)
    assert list(selectors.merchant_overview_for_manager(reach=reach, search=merchant.name)) == [
        merchant
    ]


def test_the_trainer_still_reads_merchants_through_the_plain_overview(trainer, merchant):
    """The API's list answers trainers: the page's rule is not the overview's."""
    assert merchant in selectors.merchant_overview(reach=reach_for(trainer))


@pytest.mark.parametrize("url", ["/merchants/", "/merchants/new/"])
def test_the_management_pages_answer_403_to_a_trainer(client, trainer, url):
    login(client, trainer)
    assert client.get(url).status_code == 403
