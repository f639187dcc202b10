"""Every write of the merchants domain: one transaction each, keyword-only arguments.

Each service takes the caller's reach (``actor``) and decides itself what it may do; the stage
and status moves follow the tables in ``merchants.lifecycle``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import bounds, ceramics
from jingdezhen.core.errors import Conflict, DomainError, NotAllowed
from jingdezhen.core.tenancy import Reach

from . import lifecycle, permissions
from .models import (
    Base,
    ForeignAgent,
    Merchant,
    Milestone,
    PlatformAccount,
    Review,
    Role,
    StageChange,
    StatusChange,
    TeamMember,
    User,
)

TEAM_MILESTONE_SIZE = 10


@transaction.atomic
def merchant_create(
    *,
    base: Base,
    name: str,
    kind: str = Merchant.Kind.STUDIO,
    stage: str = Merchant.Stage.APPLICANT,
    description: str = "",
    specialities: list[str] | None = None,
    created_by: User | None = None,
    reason: str = "",
    actor: Reach | None = None,
) -> Merchant:
    """Register a merchant; its first stage is kept in the stage history like every later one.

    ``actor`` is checked when given (pages, API: a manager of the base); the demo and the
    training service that turns a graduate into an applicant call it without one.
    """
    if actor is not None:
        actor.require_role(Role.MANAGER)
        if not actor.is_admin and actor.base_id != base.pk:
            raise NotAllowed(_("You may register merchants only at your own base."))
    name = bounds.check_text(name or "", field="name", max_length=120).strip()
    description = bounds.check_text(description or "", field="description")
    reason = bounds.check_text(reason or "", field="reason")
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if kind not in Merchant.Kind.values:
        raise DomainError(_("Unknown kind."), field="kind")
    if stage not in Merchant.Stage.values:
        raise DomainError(_("Unknown stage."), field="stage")
    if Merchant.objects.filter(base=base, name__iexact=name).exists():
        raise Conflict(_("A merchant with this name already exists at the base."), field="name")
    try:
        with transaction.atomic():
            merchant = Merchant.objects.create(
                base=base,
                name=name,
                kind=kind,
                stage=stage,
                description=description,
                specialities=_clean_specialities(specialities or []),
                incubation_started_on=(
                    timezone.localdate() if stage == Merchant.Stage.INCUBATING else None
                ),
            )
    except IntegrityError as exc:  # a concurrent create with the same name won the race
        raise Conflict(
            _("A merchant with this name already exists at the base."), field="name"
        ) from exc
    StageChange.objects.create(
        merchant=merchant,
        from_stage="",
        to_stage=stage,
        changed_by=created_by,
        reason=reason or str(_("Registered")),
    )
    StatusChange.objects.create(
        merchant=merchant,
        from_status="",
        to_status=merchant.status,
        changed_by=created_by,
        changed_at=merchant.created_at,
        reason=str(_("Registered")),
    )
    return merchant


def _clean_specialities(values: list[str]) -> list[str]:
    allowed = set(ceramics.WareType.values)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise DomainError(_("Unknown ware type: %s") % ", ".join(unknown), field="specialities")
    return list(dict.fromkeys(values))


PROFILE_FIELDS = {"name", "kind", "description", "specialities", "store_url"}


@transaction.atomic
def merchant_profile_update(*, actor: Reach, merchant: Merchant, **changes) -> Merchant:
    """Change a merchant's profile: its members whose team role may (``merchants.permissions``)
    or a manager of its base."""
    _require_act(actor, merchant, permissions.MERCHANT_EDIT)
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    for text_field in ("name", "description", "store_url"):
        if text_field in changes:
            bounds.check_text(changes[text_field] or "", field=text_field)
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise DomainError(_("A name is required."), field="name")
        clash = Merchant.objects.filter(base_id=merchant.base_id, name__iexact=name).exclude(
            pk=merchant.pk
        )
        if clash.exists():
            raise Conflict(_("A merchant with this name already exists at the base."), field="name")
        changes["name"] = name
    if "specialities" in changes:
        changes["specialities"] = _clean_specialities(changes["specialities"] or [])
    if "kind" in changes and changes["kind"] not in Merchant.Kind.values:
        raise DomainError(_("Unknown kind."), field="kind")
    for field, value in changes.items():
        setattr(merchant, field, value)
    try:
        with transaction.atomic():
            merchant.save(update_fields=[*changes])
    except IntegrityError as exc:
        raise Conflict(
            _("A merchant with this name already exists at the base."), field="name"
        ) from exc
    return merchant


# --- incubation: one service per transition ------------------------------------------------------

S = Merchant.Stage


def _locked_for_manager(actor: Reach, merchant_id: int, reason: str) -> tuple[Merchant, str]:
    """The merchant, locked so two managers moving it at once are served one after the other,
    and the reason they gave (required)."""
    actor.require_role(Role.MANAGER)
    reason = bounds.check_text(reason or "", field="reason").strip()
    merchant = actor.scope(Merchant.objects.select_for_update()).filter(pk=merchant_id).first()
    if merchant is None:
        raise Http404
    if not reason:
        raise DomainError(_("Say why."), field="reason")
    return merchant, reason


def _change_stage(*, actor: Reach, merchant_id: int, action: str, reason: str) -> Merchant:
    merchant, reason = _locked_for_manager(actor, merchant_id, reason)
    to_stage = lifecycle.check_stage(merchant, action).target
    today = timezone.localdate()
    from_stage = merchant.stage
    merchant.stage = to_stage
    fields = ["stage"]
    if to_stage == S.INCUBATING:
        merchant.incubation_started_on = today
        merchant.incubation_ended_on = None
        fields += ["incubation_started_on", "incubation_ended_on"]
    elif merchant.incubation_started_on and not merchant.incubation_ended_on:
        merchant.incubation_ended_on = today
        fields.append("incubation_ended_on")
    merchant.save(update_fields=fields)
    StageChange.objects.create(
        merchant=merchant,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by_id=actor.user_id,
        reason=reason,
    )
    return merchant


@transaction.atomic
def merchant_admit(*, actor: Reach, merchant_id: int, reason: str) -> Merchant:
    """An applicant (or an exited merchant coming back) starts incubation."""
    return _change_stage(
        actor=actor,
        merchant_id=merchant_id,
        action="admit",
        reason=reason,
    )


@transaction.atomic
def merchant_graduate(*, actor: Reach, merchant_id: int, reason: str) -> Merchant:
    """An incubating merchant stands on its own."""
    return _change_stage(
        actor=actor,
        merchant_id=merchant_id,
        action="graduate",
        reason=reason,
    )


@transaction.atomic
def merchant_exit(*, actor: Reach, merchant_id: int, reason: str) -> Merchant:
    """A merchant leaves the base (or an applicant is turned down)."""
    return _change_stage(
        actor=actor,
        merchant_id=merchant_id,
        action="exit",
        reason=reason,
    )


# The action of the lifecycle table -> the one service that performs that transition.
STAGE_SERVICES = {
    "admit": merchant_admit,
    "graduate": merchant_graduate,
    "exit": merchant_exit,
}


def allowed_stages(stage: str) -> list[str]:
    """The stages a merchant in ``stage`` may be moved to (read from the lifecycle table)."""
    return lifecycle.stage_targets(stage)


def merchant_move(*, actor: Reach, merchant_id: int, to_stage: str, reason: str) -> Merchant:
    """Dispatch a requested stage to its transition service (pages and API share it)."""
    actor.require_role(Role.MANAGER)
    if to_stage not in S.values:
        raise DomainError(_("A merchant cannot be moved to this stage."), field="stage")
    current = actor.scope(Merchant.objects.filter(pk=merchant_id)).values_list("stage", flat=True)
    stage = current.first()
    if stage is None:
        raise Http404
    step = lifecycle.stage_transition_to(stage, to_stage)
    if step is None:
        raise Conflict(
            _("A merchant cannot move from %(from)s to %(to)s.")
            % {"from": S(stage).label, "to": S(to_stage).label},
            field="stage",
            code="invalid_transition",
        )
    return STAGE_SERVICES[step.action](actor=actor, merchant_id=merchant_id, reason=reason)


# --- standing: suspension and reinstatement ------------------------------------------------------


def _change_status(*, actor: Reach, merchant_id: int, action: str, reason: str) -> Merchant:
    merchant, reason = _locked_for_manager(actor, merchant_id, reason)
    step = lifecycle.check_status(merchant, action)
    from_status = merchant.status
    merchant.status = step.target
    merchant.save(update_fields=["status"])
    StatusChange.objects.create(
        merchant=merchant,
        from_status=from_status,
        to_status=step.target,
        changed_by_id=actor.user_id,
        reason=reason,
    )
    return merchant


@transaction.atomic
def merchant_suspend(*, actor: Reach, merchant_id: int, reason: str) -> Merchant:
    """A base manager suspends a merchant (recorded with who, when and why): from then on it
    cannot book base rooms; streams already booked stay for the manager to review."""
    return _change_status(actor=actor, merchant_id=merchant_id, action="suspend", reason=reason)


@transaction.atomic
def merchant_reinstate(*, actor: Reach, merchant_id: int, reason: str) -> Merchant:
    """Lift a suspension, recorded the same way."""
    return _change_status(actor=actor, merchant_id=merchant_id, action="reinstate", reason=reason)


STATUS_SERVICES = {"suspend": merchant_suspend, "reinstate": merchant_reinstate}


def merchant_set_status(*, actor: Reach, merchant_id: int, action: str, reason: str) -> Merchant:
    """Dispatch a status action of the lifecycle table (pages and API share it)."""
    service = STATUS_SERVICES.get(action)
    if service is None:
        raise DomainError(_("Unknown action."), field="action")
    return service(actor=actor, merchant_id=merchant_id, reason=reason)


# --- supervision -----------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *,
    actor: Reach,
    merchant: Merchant,
    outcome: str,
    notes: str,
    follow_up_on: dt.date | None = None,
) -> Review:
    actor.require_role(Role.MANAGER)
    if not actor.can_act_for_merchant(merchant.pk, merchant.base_id):
        raise NotAllowed(_("You may not review this merchant."))
    if outcome not in Review.Outcome.values:
        raise DomainError(_("Choose an outcome."), field="outcome")
    notes = bounds.check_text(notes or "", field="notes")
    if not notes.strip():
        raise DomainError(_("Write what you saw."), field="notes")
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise DomainError(_("The follow-up date is in the past."), field="follow_up_on")
    if outcome != Review.Outcome.GOOD and follow_up_on is None:
        raise DomainError(
            _("A warning or a violation needs a follow-up date."), field="follow_up_on"
        )
    return Review.objects.create(
        merchant=merchant,
        reviewer_id=actor.user_id,
        outcome=outcome,
        notes=notes.strip(),
        follow_up_on=follow_up_on,
    )


# --- platform accounts and foreign agents ------------------------------------------------------


def _require_act(actor: Reach, merchant: Merchant, capability: str) -> None:
    """The merchant's own members whose team role holds ``capability`` (403 with the reason for
    the others), or a manager of its base; anyone else may not change it (403)."""
    if permissions.member_may(actor, capability, merchant):
        return
    if actor.is_merchant and actor.merchant_id == merchant.pk:
        raise permissions.RoleRefused(permissions.REFUSALS[capability])
    raise NotAllowed(_("You may not change this merchant."))


def _require_grantable(actor: Reach | None, role: str) -> None:
    """Only an owner (or the base) makes someone an owner: operations staff manage the team,
    they do not hand out the merchant."""
    if actor is not None and role not in dict(permissions.team_roles_grantable(actor)):
        raise permissions.RoleRefused(_("Only an owner may make someone an owner."))


@transaction.atomic
def platform_account_add(
    *, actor: Reach, merchant: Merchant, platform: str, handle: str, url: str = "", followers=0
) -> PlatformAccount:
    _require_act(actor, merchant, permissions.MERCHANT_EDIT)
    handle = bounds.check_text(handle or "", field="handle", max_length=80).strip()
    bounds.check_text(url or "", field="url")
    if not handle:
        raise DomainError(_("An account name is required."), field="handle")
    if PlatformAccount.objects.filter(merchant=merchant, platform=platform, handle=handle).exists():
        raise Conflict(_("This account is already listed."), field="handle")
    return PlatformAccount.objects.create(
        merchant=merchant, platform=platform, handle=handle, url=url, followers=followers or 0
    )


@transaction.atomic
def platform_account_remove(*, actor: Reach, account: PlatformAccount) -> None:
    _require_act(actor, account.merchant, permissions.MERCHANT_EDIT)
    account.delete()


@transaction.atomic
def foreign_agent_add(
    *,
    actor: Reach,
    merchant: Merchant,
    name: str,
    city: str,
    country: str,
    contact: str = "",
    commission_rate: Decimal = Decimal("0"),
) -> ForeignAgent:
    _require_act(actor, merchant, permissions.MERCHANT_EDIT)
    for text_field, value in (("name", name), ("city", city), ("contact", contact)):
        bounds.check_text(value or "", field=text_field)
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise DomainError(_("Use the two-letter country code, e.g. SE."), field="country")
    if country == "CN":
        raise DomainError(_("A foreign agent works outside China."), field="country")
    rate = Decimal(commission_rate)
    if not Decimal("0") <= rate <= Decimal("100"):
        raise DomainError(
            _("The commission is a percentage from 0 to 100."), field="commission_rate"
        )
    return ForeignAgent.objects.create(
        merchant=merchant,
        name=name.strip(),
        city=city.strip(),
        country=country,
        contact=contact.strip(),
        commission_rate=rate,
    )


@transaction.atomic
def foreign_agent_remove(*, actor: Reach, agent: ForeignAgent) -> None:
    _require_act(actor, agent.merchant, permissions.MERCHANT_EDIT)
    agent.delete()


@transaction.atomic
def team_member_add(
    *,
    merchant: Merchant,
    name: str,
    role: str = TeamMember.Role.STAFF,
    user: User | None = None,
    phone: str = "",
    joined_on: dt.date | None = None,
    actor: Reach | None = None,
) -> TeamMember:
    """Add a person to a merchant's team; the tenth active member reaches TEAM_OF_10.

    ``actor`` is checked when given (pages, API); seeds and other services call it without one.
    """
    if actor is not None:
        _require_act(actor, merchant, permissions.TEAM_MANAGE)
        _require_grantable(actor, role)
    # Lock the merchant: two members added at once must both be counted.
    Merchant.objects.select_for_update().filter(pk=merchant.pk).first()
    bounds.check_text(name or "", field="name", max_length=80)
    bounds.check_text(phone or "", field="phone", max_length=32)
    if role not in TeamMember.Role.values:
        raise DomainError(_("Choose a role."), field="role")
    if not (name or "").strip():
        raise DomainError(_("A name is required."), field="name")
    if user is not None:
        if TeamMember.objects.filter(user=user).exists():
            raise Conflict("This user is already on a merchant's team.", field="user")
        if user.role != Role.MERCHANT or user.base_id != merchant.base_id:
            user.role = Role.MERCHANT
            user.base_id = merchant.base_id
            user.save(update_fields=["role", "base"])
    member = TeamMember.objects.create(
        merchant=merchant,
        user=user,
        name=name.strip(),
        role=role,
        phone=phone,
        joined_on=joined_on or timezone.localdate(),
    )
    _record_team_milestone(merchant.pk)
    return member


def _record_team_milestone(merchant_id: int) -> None:
    active = TeamMember.objects.filter(merchant_id=merchant_id, is_active=True).count()
    if active >= TEAM_MILESTONE_SIZE:
        milestone_record(merchant_id=merchant_id, kind=Milestone.Kind.TEAM_OF_10)


def _keep_an_owner(member: TeamMember, *, field: str) -> None:
    """A merchant keeps at least one active owner who logs in: otherwise nobody could manage its
    team again (the merchant row is locked by the caller, so two such changes cannot race)."""
    if member.role != TeamMember.Role.OWNER or not member.is_active:
        return
    others = TeamMember.objects.filter(
        merchant_id=member.merchant_id,
        role=TeamMember.Role.OWNER,
        is_active=True,
        user__isnull=False,
    ).exclude(pk=member.pk)
    if not others.exists():
        raise Conflict(
            _(
                "%(name)s is the last owner of this merchant; make someone else an owner first, "
                "or nobody could manage the team."
            )
            % {"name": member.name},
            field=field,
            code="last_owner",
        )


@transaction.atomic
def team_member_set_active(*, actor: Reach, member: TeamMember, is_active: bool) -> TeamMember:
    """Take a member off the team (or back on); a returning member counts towards TEAM_OF_10.
    The last owner cannot be taken off."""
    _require_act(actor, member.merchant, permissions.TEAM_MANAGE)
    Merchant.objects.select_for_update().filter(pk=member.merchant_id).first()
    member = TeamMember.objects.get(pk=member.pk)
    if member.role == TeamMember.Role.OWNER:
        _require_grantable(actor, TeamMember.Role.OWNER)
    if not is_active:
        _keep_an_owner(member, field="is_active")
    member.is_active = is_active
    member.save(update_fields=["is_active"])
    if is_active:
        _record_team_milestone(member.merchant_id)
    return member


@transaction.atomic
def team_member_set_role(*, actor: Reach, member: TeamMember, role: str) -> TeamMember:
    """Give a member another role on the team; the last owner cannot be demoted."""
    _require_act(actor, member.merchant, permissions.TEAM_MANAGE)
    if role not in TeamMember.Role.values:
        raise DomainError(_("Choose a role."), field="role")
    if role == TeamMember.Role.OWNER or member.role == TeamMember.Role.OWNER:
        _require_grantable(actor, TeamMember.Role.OWNER)
    Merchant.objects.select_for_update().filter(pk=member.merchant_id).first()
    member = TeamMember.objects.get(pk=member.pk)
    if role != TeamMember.Role.OWNER:
        _keep_an_owner(member, field="role")
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    base: Base | None,
    display_name: str = "",
    email: str = "",
) -> User:
    taken = Conflict(_("This username is taken."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise taken
    try:
        # A savepoint: the same name taken by a concurrent sign-up is the constraint's to refuse.
        with transaction.atomic():
            return User.objects.create_user(
                username=username,
                password=password,
                role=role,
                base=base,
                display_name=display_name,
                email=email,
            )
    except IntegrityError as error:
        raise taken from error


def milestone_record(*, merchant_id: int, kind: str, reached_at: dt.datetime | None = None) -> bool:
    """Record that a merchant reached a milestone; the first time counts, later calls are no-ops.

    Called by the app whose event reaches it (orders: first order; livestreams: first stream;
    rollups: first 10,000 CNY day ...). Safe under races (a unique constraint decides) and safe
    to call inside the caller's transaction. Returns True when this call recorded it. A call with
    an earlier ``reached_at`` than the stored one (a back-filled event) moves it earlier.
    """
    reached_at = reached_at or timezone.now()
    with transaction.atomic():
        milestone, created = Milestone.objects.get_or_create(
            merchant_id=merchant_id, kind=kind, defaults={"reached_at": reached_at}
        )
    if not created and reached_at < milestone.reached_at:
        Milestone.objects.filter(pk=milestone.pk, reached_at__gt=reached_at).update(
            reached_at=reached_at
        )
    return created
