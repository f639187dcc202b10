"""Invitations: how a new person gets in. Each write is one transaction, keyword-only, and takes
the caller's reach; the permission check is here, not in the pages.

* a base manager invites a merchant's owner (``invite_owner``) and the base's trainers
  (``invite_trainer``);
* a merchant's owner invites team members with a team role (``invite_member``);
* the invited person opens the link, chooses a username and a password, and
  ``invitation_accept`` makes the user (role, base and, for a merchant's people, the team row)
  in one transaction.

A link is good once, for ``INVITATION_TTL_DAYS``. Its token is random and only its SHA-256 is
stored: whoever reads the table cannot open an account with it. The e-mail goes through Django's
mail (the console in development, SMTP as configured); the inviter's page shows the link once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError, NotAllowed
from jingdezhen.core.tenancy import Reach, reach_for

from . import permissions, services
from .models import Invitation, Merchant, TeamMember, User

logger = logging.getLogger(__name__)

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 80
MAX_USERNAME_LENGTH = 150
# The longest password we hash: a bound for the validators and the hasher, far above any real one.
MAX_PASSWORD_LENGTH = 128


class InvitationClosed(DomainError):
    """The link was used already or has expired: it opens nothing any more."""

    status_code = 410
    code = "gone"


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and the one link that opens it (shown once to the inviter)."""

    invitation: Invitation
    link: str


# The roles an owner may give in a team invitation: every team role but a further owner.
MEMBER_ROLES = [role for role in TeamMember.Role.values if role != TeamMember.Role.OWNER]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_ttl() -> dt.timedelta:
    return dt.timedelta(days=settings.INVITATION_TTL_DAYS)


# --- who invites whom ---------------------------------------------------------------------------


def invitation_kind_for(*, reach: Reach, merchant: Merchant) -> str | None:
    """Whom ``reach`` may invite into ``merchant``: its owner (a manager of its base), its team
    (its owner, or operations staff: ``merchants.permissions``), or nobody. The one rule the
    services enforce and the merchant page shows."""
    if reach.is_admin or (reach.is_manager and reach.base_id == merchant.base_id):
        return Invitation.Kind.OWNER
    if (
        reach.is_merchant
        and reach.merchant_id == merchant.pk
        and permissions.member_may(reach, permissions.TEAM_MANAGE, merchant)
    ):
        return Invitation.Kind.MEMBER
    return None


def invite_owner(
    *, reach: Reach, merchant: Merchant, email: str, name: str, site_url: str = ""
) -> IssuedInvitation:
    """A base manager invites a merchant's owner (typically on admitting it)."""
    if invitation_kind_for(reach=reach, merchant=merchant) != Invitation.Kind.OWNER:
        raise NotAllowed(_("Only a manager of the merchant's base may invite its owner."))
    return _issue(
        reach=reach,
        kind=Invitation.Kind.OWNER,
        base_id=merchant.base_id,
        merchant=merchant,
        member_role="",
        email=email,
        name=name,
        site_url=site_url,
    )


def invite_trainer(*, reach: Reach, email: str, name: str, site_url: str = "") -> IssuedInvitation:
    """A base manager invites a trainer of their own base."""
    if not reach.is_manager or reach.base_id is None:
        raise NotAllowed(_("Only a base manager may invite trainers."))
    return _issue(
        reach=reach,
        kind=Invitation.Kind.TRAINER,
        base_id=reach.base_id,
        merchant=None,
        member_role="",
        email=email,
        name=name,
        site_url=site_url,
    )


def invite_member(
    *, reach: Reach, merchant: Merchant, email: str, name: str, role: str, site_url: str = ""
) -> IssuedInvitation:
    """A merchant's owner (or operations staff) invites a member of its team, with a team role
    other than owner (a further owner is the base's to invite)."""
    if not reach.is_admin and (
        invitation_kind_for(reach=reach, merchant=merchant) != Invitation.Kind.MEMBER
    ):
        raise NotAllowed(_("Only the merchant's owner may invite its team."))
    if role not in MEMBER_ROLES:
        # A further owner is the base's to admit (invite_owner), never the team's own choice.
        raise DomainError(_("Choose a role."), field="role")
    return _issue(
        reach=reach,
        kind=Invitation.Kind.MEMBER,
        base_id=merchant.base_id,
        merchant=merchant,
        member_role=role,
        email=email,
        name=name,
        site_url=site_url,
    )


@transaction.atomic
def _issue(
    *,
    reach: Reach,
    kind: str,
    base_id: int,
    merchant: Merchant | None,
    member_role: str,
    email: str,
    name: str,
    site_url: str,
) -> IssuedInvitation:
    email = _clean_email(email)
    name = bounds.check_text(name or "", field="name", max_length=MAX_NAME_LENGTH).strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if merchant is not None:
        # Lock the merchant: an exit decided meanwhile is seen.
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if merchant.stage == Merchant.Stage.EXITED:
            raise NotAllowed(_("An exited merchant invites nobody."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        kind=kind,
        email=email,
        name=name,
        base_id=base_id,
        merchant=merchant,
        member_role=member_role,
        token_hash=token_hash(token),
        invited_by_id=reach.user_id,
        created_at=now,
        expires_at=now + invitation_ttl(),
    )
    link = site_url.rstrip("/") + reverse("merchants:invitation_accept", args=[token])
    transaction.on_commit(lambda: _send(invitation, link))
    return IssuedInvitation(invitation=invitation, link=link)


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if len(email) > MAX_EMAIL_LENGTH:
        raise DomainError(
            _("An e-mail address is at most %(max)d characters.") % {"max": MAX_EMAIL_LENGTH},
            field="email",
        )
    try:
        validate_email(email)
    except ValidationError as error:
        raise DomainError(_("Enter a valid e-mail address."), field="email") from error
    return email


def _send(invitation: Invitation, link: str) -> None:
    """The invitation e-mail, in the inviter's language, after the invitation is committed."""
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_TTL_DAYS}
    subject = render_to_string("merchants/invitation_subject.txt", context).strip()
    body = render_to_string("merchants/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (OSError, smtplib.SMTPException):
        # The invitation stands and its page shows the link: a mail server down loses no invite.
        logger.warning("invitation %s: the e-mail could not be sent", invitation.pk, exc_info=True)


# --- the invited person's side --------------------------------------------------------------------


def invitation_open(*, token: str) -> Invitation:
    """The invitation a link opens; Http404 for no such link, ``InvitationClosed`` (410) for one
    that was used or has expired."""
    invitation = (
        Invitation.objects.select_related("merchant", "base", "invited_by")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise Http404
    _require_open(invitation)
    return invitation


def _require_open(invitation: Invitation) -> None:
    if invitation.is_used:
        raise InvitationClosed(_("This invitation has been used already."))
    if invitation.is_expired():
        raise InvitationClosed(_("This invitation has expired: ask for a new one."))
    if invitation.merchant is not None and invitation.merchant.stage == Merchant.Stage.EXITED:
        raise InvitationClosed(_("This merchant has left the base."))
    if not _inviter_still_may(invitation):
        raise InvitationClosed(
            _("Whoever sent this invitation may no longer invite: ask for a new one.")
        )


def _inviter_still_may(invitation: Invitation) -> bool:
    """An invitation opens only while its sender could still send it: a manager who left the
    base, or an owner who left the team (or was demoted), leaves behind links that open nothing."""
    reach = reach_for(invitation.invited_by)
    if reach.is_admin:
        return True
    if invitation.kind == Invitation.Kind.TRAINER:
        return reach.is_manager and reach.base_id == invitation.base_id
    wanted = (
        Invitation.Kind.OWNER
        if invitation.kind == Invitation.Kind.OWNER
        else Invitation.Kind.MEMBER
    )
    return invitation_kind_for(reach=reach, merchant=invitation.merchant) == wanted


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> User:
    """Set a password from an invitation: the user, with the invitation's role and base (and a
    merchant's team row), and the invitation used, in one transaction; the link then opens
    nothing. Django's password validators apply."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("merchant", "base", "invited_by")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise Http404
    _require_open(invitation)
    username = _clean_username(username)
    if len(password or "") > MAX_PASSWORD_LENGTH:
        raise DomainError(
            _("A password is at most %(max)d characters.") % {"max": MAX_PASSWORD_LENGTH},
            field="password",
        )
    candidate = User(
        username=username,
        email=invitation.email,
        display_name=invitation.name,
        role=invitation.role,
        base=invitation.base,
    )
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from error
    user = services.user_create(
        username=username,
        password=password,
        role=invitation.role,
        base=invitation.base,
        display_name=invitation.name,
        email=invitation.email,
    )
    if invitation.merchant is not None:
        services.team_member_add(
            merchant=invitation.merchant, name=invitation.name, role=invitation.team_role, user=user
        )
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise DomainError(_("Choose a username."), field="username")
    if len(username) > MAX_USERNAME_LENGTH:
        raise DomainError(
            _("A username is at most %(max)d characters.") % {"max": MAX_USERNAME_LENGTH},
            field="username",
        )
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="username") from error
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("This username is taken."), field="username")
    return username
