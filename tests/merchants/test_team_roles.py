"""Team roles are permissions: each member role against each action and page, allowed or refused,
derived from the one table (``merchants.permissions.CAPABILITIES``), so a role added to
``TeamMember.Role`` later is covered without a line here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jingdezhen.core.errors import DomainError
from jingdezhen.core.tenancy import reach_for
from jingdezhen.pages.navigation import entries_for
from livestreams import selectors as stream_selectors
from livestreams.services import runsheet as runsheet_services
from livestreams.services import streams as stream_services
from merchants import permissions as team
from merchants import services as merchant_services
from merchants.models import TeamMember
from orders.ordering import money
from orders.ordering import selectors as order_selectors
from orders.turnover import selectors as turnover_selectors
from tests import factories
from training import services as training_services
from training.models import Course, Enrollment
from training.selectors import host_has_completed_basics

ROLES = TeamMember.Role.values


def test_every_role_has_a_row_in_the_table():
    assert set(team.CAPABILITIES) == set(ROLES)


@pytest.fixture
def member_of(merchant):
    """A logged-in member of ``merchant`` with a team role, and a stream they crew."""

    def make(role: str):
        user = factories.UserFactory(base=merchant.base, username=f"m-{role}")
        member = factories.TeamMemberFactory(merchant=merchant, user=user, role=role)
        start = timezone.now() + dt.timedelta(minutes=10)
        stream = factories.LiveStreamFactory(
            merchant=merchant,
            host=member,
            planned_start=start,
            planned_end=start + dt.timedelta(hours=1),
        )
        return user, member, stream

    return make


# (capability, what it does as a service call for the member's merchant)
def _schedule(reach, merchant, stream, product):
    stream_services.stream_cancel(reach=reach, stream=stream)


def _run(reach, merchant, stream, product):
    stream_services.stream_go_live(reach=reach, stream=stream)


def _feature(reach, merchant, stream, product):
    runsheet_services.featured_add(reach=reach, stream=stream, product=product)


def _edit_catalogue(reach, merchant, stream, product):
    money.platform_price_set(reach=reach, product=product, platform="douyin", price=Decimal("9"))


def _handle_orders(reach, merchant, stream, product):
    money.order_policy_set(
        reach=reach, merchant=merchant, live_payment_minutes=30, payment_minutes=60
    )


def _read_orders(reach, merchant, stream, product):
    list(order_selectors.order_list(reach=reach))


def _read_turnover(reach, merchant, stream, product):
    list(turnover_selectors.turnover_daily_list(reach=reach))


def _edit_profile(reach, merchant, stream, product):
    merchant_services.merchant_profile_update(actor=reach, merchant=merchant, description="New")


def _manage_team(reach, merchant, stream, product):
    merchant_services.team_member_add(
        actor=reach, merchant=merchant, name="New hire", role=TeamMember.Role.STAFF
    )


ACTIONS = {
    team.STREAMS_SCHEDULE: _schedule,
    team.STREAMS_RUN: _run,
    team.STREAMS_FEATURE: _feature,
    team.CATALOGUE_EDIT: _edit_catalogue,
    team.ORDERS_HANDLE: _handle_orders,
    team.ORDERS_READ: _read_orders,
    team.TURNOVER_READ: _read_turnover,
    team.MERCHANT_EDIT: _edit_profile,
    team.TEAM_MANAGE: _manage_team,
}


@pytest.mark.parametrize("capability", sorted(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_service(role, capability, merchant, member_of):
    user, _member, stream = member_of(role)
    product = factories.ProductFactory(merchant=merchant)
    reach = reach_for(user)
    allowed = capability in team.CAPABILITIES[role]
    if allowed:
        ACTIONS[capability](reach, merchant, stream, product)
    else:
        with pytest.raises(team.RoleRefused) as refused:
            ACTIONS[capability](reach, merchant, stream, product)
        assert refused.value.status_code == 403
        assert str(refused.value.message)


# (capability, url name, status when allowed, status when refused)
PAGES = [
    (team.CATALOGUE_READ, "orders:product_list", 200, 403),
    (team.CATALOGUE_EDIT, "orders:product_create", 200, 403),
    (team.ORDERS_READ, "orders:order_list", 200, 403),
    (team.ORDERS_HANDLE, "orders:order_create", 200, 403),
    (team.TURNOVER_READ, "merchant_dashboard", 200, 403),
    (team.STREAMS_READ, "livestreams:calendar", 200, 403),
    (team.STREAMS_SCHEDULE, "livestreams:stream_create", 200, 403),
]


@pytest.mark.parametrize(("capability", "url_name", "ok", "refused"), PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_page(role, capability, url_name, ok, refused, client, member_of):
    user, _member, _stream = member_of(role)
    client.force_login(user)
    response = client.get(reverse(url_name))
    expected = ok if capability in team.CAPABILITIES[role] else refused
    assert response.status_code == expected


API = [
    (team.ORDERS_READ, "/api/v1/orders/"),
    (team.TURNOVER_READ, "/api/v1/turnover/daily/"),
    (team.CATALOGUE_READ, "/api/v1/products/"),
]


@pytest.mark.parametrize(("capability", "path"), API)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_the_api(role, capability, path, api_client, member_of):
    user, _member, _stream = member_of(role)
    api_client.force_authenticate(user)
    response = api_client.get(path)
    assert response.status_code == (200 if capability in team.CAPABILITIES[role] else 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_shows_what_the_role_may_open(role, member_of):
    user, _member, _stream = member_of(role)
    urls = {entry["url"] for entry in entries_for(reach_for(user))}
    caps = team.CAPABILITIES[role]
    assert (reverse("orders:order_list") in urls) == (team.ORDERS_READ in caps)
    assert (reverse("merchant_dashboard") in urls) == (team.TURNOVER_READ in caps)
    assert (reverse("livestreams:calendar") in urls) == (team.STREAMS_READ in caps)


@pytest.mark.parametrize("role", ROLES)
def test_a_crew_only_role_sees_only_the_streams_it_crews(role, merchant, member_of):
    user, _member, crewed = member_of(role)
    other = factories.LiveStreamFactory(merchant=merchant)
    reach = reach_for(user)
    seen = set(stream_selectors.stream_list(reach=reach).values_list("pk", flat=True))
    assert crewed.pk in seen
    assert (other.pk in seen) == (team.STREAMS_CREW_ONLY not in team.CAPABILITIES[role])
    if team.STREAMS_CREW_ONLY in team.CAPABILITIES[role]:
        with pytest.raises(Http404):
            stream_selectors.stream_get(reach=reach, pk=other.pk)


def test_a_foreign_merchant_is_not_found_whatever_the_role(merchant, other_merchant, member_of):
    user, _member, _stream = member_of(TeamMember.Role.OWNER)
    with pytest.raises(Http404):
        team.require(reach_for(user), team.CATALOGUE_EDIT, other_merchant)


def test_operations_manage_the_team_but_make_no_owner(merchant, member_of):
    user, _member, _stream = member_of(TeamMember.Role.OPERATIONS)
    reach = reach_for(user)
    merchant_services.team_member_add(
        actor=reach, merchant=merchant, name="Host B", role=TeamMember.Role.HOST
    )
    with pytest.raises(team.RoleRefused):
        merchant_services.team_member_add(
            actor=reach, merchant=merchant, name="Boss", role=TeamMember.Role.OWNER
        )


def test_a_managers_reach_is_unchanged(manager, merchant):
    reach = reach_for(manager)
    for capability in team.EVERYTHING:
        assert team.member_may(reach, capability, merchant)


def test_a_trainee_linked_to_the_host_they_became_counts_for_the_hosting_rule(
    base, trainer, merchant, member_of
):

    user, member, _stream = member_of(TeamMember.Role.HOST)
    course = factories.CourseFactory(base=base, kind=Course.Kind.LIVE_BASICS)
    cohort = factories.CohortFactory(course=course)
    trainee = factories.TraineeFactory(base=base)
    Enrollment.objects.create(cohort=cohort, trainee=trainee, status=Enrollment.Status.COMPLETED)
    assert not host_has_completed_basics(team_member_id=member.pk)
    training_services.trainee_link_member(
        actor=reach_for(trainer), trainee_id=trainee.pk, username=user.username
    )
    assert host_has_completed_basics(team_member_id=member.pk)


def test_only_a_trainer_links_a_trainee_and_only_to_a_member_of_the_base(
    base, trainer, other_merchant, member_of
):

    user, _member, _stream = member_of(TeamMember.Role.HOST)
    trainee = factories.TraineeFactory(base=base)
    with pytest.raises(PermissionDenied):
        training_services.trainee_link_member(
            actor=reach_for(user), trainee_id=trainee.pk, username=user.username
        )
    with pytest.raises(DomainError) as error:
        training_services.trainee_link_member(
            actor=reach_for(trainer), trainee_id=trainee.pk, username="nobody-here"
        )
    assert error.value.field == "username"
