"""Invitations: a single-use, expiring link to set a password; the user, their role and base
(and a merchant's team row) are made when the password is set."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from jingdezhen.core.errors import DomainError, NotAllowed
from jingdezhen.core.tenancy import reach_for
from merchants import invitations
from merchants.forms import InviteForm
from merchants.models import Invitation, Role, TeamMember, User
from tests import factories
from tests.conftest import login

GOOD_PASSWORD = "celadon-kiln-1004"


def _token(link: str) -> str:
    return re.search(r"/invitations/([^/]+)/$", link).group(1)


def _accept_page(client, link: str, username: str, password: str = GOOD_PASSWORD):
    return client.post(
        link, {"username": username, "password": password, "password_again": password}
    )


def test_manager_invites_an_owner_who_sets_a_password_and_is_logged_in(
    client, manager, merchant, django_capture_on_commit_callbacks
):
    login(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/merchants/{merchant.pk}/invite/", {"email": "zhou@example.com", "name": "Zhou Le"}
        )
    assert response.status_code == 201
    link = re.search(r'<code class="invitation-link">([^<]+)</code>', response.content.decode())
    link = link.group(1)
    # The same link went by e-mail; only its hash is stored.
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    assert mail.outbox[0].to == ["zhou@example.com"]
    invitation = Invitation.objects.get()
    assert _token(link) not in invitation.token_hash
    assert invitation.token_hash == invitations.token_hash(_token(link))

    visitor = type(client)(headers={"Accept-Language": "en"})
    assert visitor.get(link).status_code == 200
    response = _accept_page(visitor, link, "zhouowner")
    assert response.status_code == 302
    user = User.objects.get(username="zhouowner")
    assert (user.role, user.base_id) == (Role.MERCHANT, merchant.base_id)
    assert user.email == invitation.email
    member = TeamMember.objects.get(user=user)
    assert (member.merchant_id, member.role) == (merchant.pk, TeamMember.Role.OWNER)
    # Logged in as the new owner: their store's page opens.
    assert visitor.get(f"/merchants/{merchant.pk}/").status_code == 200
    assert reach_for(user).merchant_id == merchant.pk


def test_owner_invites_a_host_with_a_role(owner, merchant):
    issued = invitations.invite_member(
        reach=reach_for(owner),
        merchant=merchant,
        email="host@example.com",
        name="Host Xiaoya",
        role=TeamMember.Role.HOST,
    )
    user = invitations.invitation_accept(
        token=_token(issued.link), username="xiaoya", password=GOOD_PASSWORD
    )
    member = user.membership
    assert (member.merchant_id, member.role, member.name) == (
        merchant.pk,
        TeamMember.Role.HOST,
        "Host Xiaoya",
    )
    assert user.check_password(GOOD_PASSWORD)


def test_manager_invites_a_trainer_of_the_base(client, manager, base):
    login(client, manager)
    response = client.post("/invitations/", {"email": "li@example.com", "name": "Teacher Li"})
    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert (invitation.kind, invitation.base_id, invitation.merchant_id) == (
        Invitation.Kind.TRAINER,
        base.pk,
        None,
    )
    link = re.search(r'<code class="invitation-link">([^<]+)</code>', response.content.decode())
    user = invitations.invitation_accept(
        token=_token(link.group(1)), username="teacherli", password=GOOD_PASSWORD
    )
    assert (user.role, user.base_id) == (Role.TRAINER, base.pk)
    assert not TeamMember.objects.filter(user=user).exists()
    # The manager's list shows pending invitations only.
    assert "Teacher Li" not in client.get("/invitations/").content.decode()


@pytest.fixture
def issued(manager, merchant):
    return invitations.invite_owner(
        reach=reach_for(manager), merchant=merchant, email="o@example.com", name="Owner"
    )


def test_a_used_invitation_is_refused(client, issued):
    assert _accept_page(client, issued.link, "first").status_code == 302
    second = type(client)(headers={"Accept-Language": "en"})
    response = second.get(issued.link)
    assert response.status_code == 410
    assert "used already" in response.content.decode()
    assert _accept_page(second, issued.link, "second").status_code == 410
    assert not User.objects.filter(username="second").exists()
    with pytest.raises(invitations.InvitationClosed):
        invitations.invitation_accept(
            token=_token(issued.link), username="third", password=GOOD_PASSWORD
        )


def test_an_expired_invitation_is_refused(client, client_zh, issued):
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(issued.link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert client_zh.get(issued.link).status_code == 410
    assert _accept_page(client, issued.link, "late").status_code == 410
    assert not User.objects.filter(username="late").exists()


def test_an_unknown_link_is_not_found(client, issued):
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_the_link_lasts_the_configured_days(settings, manager, merchant):
    settings.INVITATION_TTL_DAYS = 3
    issued = invitations.invite_owner(
        reach=reach_for(manager), merchant=merchant, email="o@example.com", name="Owner"
    )
    lasts = issued.invitation.expires_at - issued.invitation.created_at
    assert lasts == dt.timedelta(days=3)


def test_a_weak_password_is_refused_and_nothing_is_made(client, issued):
    response = _accept_page(client, issued.link, "weak", password="12345678")
    assert response.status_code == 400
    assert not User.objects.filter(username="weak").exists()
    assert not Invitation.objects.get().is_used
    # A taken username, likewise.
    response = _accept_page(client, issued.link, "mgr")
    assert response.status_code == 400
    assert "taken" in response.content.decode()


def test_a_foreign_manager_cannot_invite_into_another_base(client, merchant, other_base):
    stranger = factories.UserFactory(role=Role.MANAGER, base=other_base)
    with pytest.raises(NotAllowed):
        invitations.invite_owner(
            reach=reach_for(stranger), merchant=merchant, email="x@example.com", name="X"
        )
    login(client, stranger)
    response = client.post(
        f"/merchants/{merchant.pk}/invite/", {"email": "x@example.com", "name": "X"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_a_foreign_owner_or_a_host_cannot_invite_into_a_merchant(
    client, merchant, other_owner, owner
):
    for outsider in (other_owner, factories.member_user(merchant, role=TeamMember.Role.HOST)):
        with pytest.raises(NotAllowed):
            invitations.invite_member(
                reach=reach_for(outsider),
                merchant=merchant,
                email="x@example.com",
                name="X",
                role=TeamMember.Role.STAFF,
            )
    login(client, other_owner)
    response = client.post(
        f"/merchants/{merchant.pk}/invite/",
        {"email": "x@example.com", "name": "X", "role": "staff"},
    )
    assert response.status_code == 404
    # A trainer invites nobody either; an owner invites no trainer.
    with pytest.raises(NotAllowed):
        invitations.invite_trainer(reach=reach_for(owner), email="t@example.com", name="T")
    assert not Invitation.objects.exists()


def test_inputs_are_bounded(owner, merchant):
    reach = reach_for(owner)
    with pytest.raises(DomainError) as error:
        invitations.invite_member(
            reach=reach, merchant=merchant, email="x@example.com", name="X", role="boss"
        )
    assert error.value.field == "role"
    with pytest.raises(DomainError) as error:
        invitations.invite_member(
            reach=reach,
            merchant=merchant,
            email="a" * 250 + "@example.com",
            name="X",
            role="staff",
        )
    assert error.value.field == "email"
    with pytest.raises(DomainError) as error:
        invitations.invite_member(
            reach=reach, merchant=merchant, email="x@example.com", name="X" * 81, role="staff"
        )
    assert error.value.field == "name"
    assert not Invitation.objects.exists()


def test_the_merchant_page_offers_the_invitation_to_who_may_send_it(
    client, manager, owner, merchant
):
    login(client, manager)
    assert "Invite the owner" in client.get(f"/merchants/{merchant.pk}/").content.decode()
    login(client, owner)
    page = client.get(f"/merchants/{merchant.pk}/").content.decode()
    assert "Invite a team member" in page
    assert client.get(f"/merchants/{merchant.pk}/invite/").status_code == 200
    host = factories.member_user(merchant, role=TeamMember.Role.HOST)
    login(client, host)
    assert "Invite a team member" not in client.get(f"/merchants/{merchant.pk}/").content.decode()
    assert client.get(f"/merchants/{merchant.pk}/invite/").status_code == 403


def test_the_invitation_pages_speak_chinese(client_zh, issued):
    page = client_zh.get(issued.link).content.decode()
    assert "设置密码" in page


def test_htmx_gets_the_form_back_with_its_errors(client, manager, merchant):
    login(client, manager)
    response = client.post(
        f"/merchants/{merchant.pk}/invite/",
        {"email": "not-an-address", "name": "X"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert 'id="invite"' in response.content.decode()
    assert not Invitation.objects.exists()
    response = client.post(
        f"/merchants/{merchant.pk}/invite/", {"email": "not-an-address", "name": "X"}
    )
    assert response.status_code == 400


class BrokenMailServer:
    """An e-mail backend whose server does not answer."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no SMTP server")


def test_a_mail_server_down_loses_no_invitation(
    client, manager, merchant, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    login(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/merchants/{merchant.pk}/invite/", {"email": "o@example.com", "name": "Owner"}
        )
    assert response.status_code == 201
    assert "invitation-link" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_a_manager_cannot_send_a_team_invitation_nor_an_owner_a_further_owner(
    manager, owner, merchant
):
    # The manager invites the owner (invite_owner); a team member is the owner's to invite.
    with pytest.raises(NotAllowed):
        invitations.invite_member(
            reach=reach_for(manager),
            merchant=merchant,
            email="m@example.com",
            name="M",
            role=TeamMember.Role.STAFF,
        )
    with pytest.raises(DomainError) as refused:
        invitations.invite_member(
            reach=reach_for(owner),
            merchant=merchant,
            email="o2@example.com",
            name="O2",
            role=TeamMember.Role.OWNER,
        )
    assert refused.value.field == "role"
    assert not Invitation.objects.exists()


def test_the_invitation_form_offers_no_owner_role():
    offered = {value for value, _label in InviteForm(with_role=True).fields["role"].choices}
    assert TeamMember.Role.HOST in offered
    assert TeamMember.Role.OWNER not in offered


def test_an_invitation_opens_nothing_once_its_sender_may_no_longer_invite(client, owner, merchant):
    issued = invitations.invite_member(
        reach=reach_for(owner),
        merchant=merchant,
        email="late@example.com",
        name="Late",
        role=TeamMember.Role.STAFF,
    )
    assert client.get(issued.link).status_code == 200
    # The owner leaves the team: what they sent no longer lets anyone in.
    TeamMember.objects.filter(user=owner).update(is_active=False)
    response = client.get(issued.link)
    assert response.status_code == 410
    assert "may no longer invite" in response.content.decode()
    with pytest.raises(invitations.InvitationClosed):
        invitations.invitation_accept(
            token=_token(issued.link), username="late", password=GOOD_PASSWORD
        )
    assert not User.objects.filter(username="late").exists()


def test_a_manager_who_left_the_base_leaves_closed_links(client, manager, merchant, issued):
    User.objects.filter(pk=manager.pk).update(is_active=False)
    assert client.get(issued.link).status_code == 410


@pytest.mark.django_db(transaction=True)
def test_two_invitations_accepted_at_once_with_one_name_make_one_user():
    merchant = factories.MerchantFactory()
    owner = factories.member_user(merchant, username="racingowner")
    links = [
        invitations.invite_member(
            reach=reach_for(owner),
            merchant=merchant,
            email=f"r{n}@example.com",
            name=f"R{n}",
            role=TeamMember.Role.STAFF,
        ).link
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(link, username):
        try:
            barrier.wait()
            invitations.invitation_accept(
                token=_token(link), username=username, password=GOOD_PASSWORD
            )
            outcomes.append("made")
        except DomainError as error:
            outcomes.append((error.status_code, error.field))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(link, name))
        for link, name in zip(links, ["Celadon", "celadon"], strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == sorted(["made", (409, "username")], key=str)
    assert User.objects.filter(username__iexact="celadon").count() == 1
