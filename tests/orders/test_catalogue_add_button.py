"""The catalogue offers "Add a product" only to a team role that may add one (the rest of the
team reads the catalogue; the form would refuse them with 403)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from merchants import permissions as team
from merchants.models import TeamMember
from tests import factories


@pytest.mark.parametrize("role", TeamMember.Role.values)
def test_the_add_button_follows_the_catalogue_edit_capability(role, client, merchant):
    user = factories.UserFactory(base=merchant.base, username=f"m-{role}")
    factories.TeamMemberFactory(merchant=merchant, user=user, role=role)
    client.force_login(user)
    response = client.get(reverse("orders:product_list"))
    assert response.status_code == 200
    offered = reverse("orders:product_create") in response.content.decode()
    assert offered == (team.CATALOGUE_EDIT in team.CAPABILITIES[role])


def test_a_base_manager_adds_no_product_from_the_list(client, base):
    # A product is a merchant's: the manager reads the base's catalogue without the button.
    manager = factories.UserFactory(base=base, role="manager", username="mgr")
    client.force_login(manager)
    response = client.get(reverse("orders:product_list"))
    assert response.status_code == 200
    assert reverse("orders:product_create") not in response.content.decode()
