"""The live-stream pages' rules (livestreams/access.py), asked by pages, API and room services."""

import pytest
from django.core.exceptions import PermissionDenied

from jingdezhen.core.tenancy import reach_for
from livestreams import access


@pytest.mark.parametrize("who", ["trainer", "owner"])
def test_the_base_pages_refuse_anyone_but_a_manager(request, who):
    reach = reach_for(request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        access.require_base_manager(reach)
    assert not access.sees_base_pages(reach)


def test_a_manager_opens_the_base_pages(manager):
    access.require_base_manager(reach_for(manager))
    assert access.sees_base_pages(reach_for(manager))


def test_the_member_pages_open_on_the_members_merchant(owner, merchant, manager, trainer):
    assert access.member_merchant(reach=reach_for(owner)) == merchant
    for user in (manager, trainer):
        with pytest.raises(PermissionDenied):
            access.member_merchant(reach=reach_for(user))


def test_streams_through_the_api_are_managers_and_members(manager, owner, trainer):
    access.require_stream_reader(reach_for(manager))
    access.require_stream_reader(reach_for(owner))
    with pytest.raises(PermissionDenied):
        access.require_stream_reader(reach_for(trainer))


def test_the_api_refuses_a_trainer_streams(api_client, trainer):
    api_client.force_authenticate(trainer)
    assert api_client.get("/api/v1/streams/").status_code == 403
