"""Every write of the merchants domain: one transaction each, keyword-only arguments."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from jingdezhen.errors import Conflict

from .models import Base, Merchant, Milestone, Role, TeamMember, User


@transaction.atomic
def merchant_create(
    *,
    base: Base,
    name: str,
    kind: str = Merchant.Kind.STUDIO,
    stage: str = Merchant.Stage.APPLICANT,
    description: str = "",
) -> Merchant:
    if Merchant.objects.filter(base=base, name__iexact=name.strip()).exists():
        raise Conflict("A merchant with this name already exists at the base.", field="name")
    try:
        with transaction.atomic():
            return Merchant.objects.create(
                base=base, name=name.strip(), kind=kind, stage=stage, description=description
            )
    except IntegrityError as exc:  # a concurrent create with the same name won the race
        raise Conflict(
            "A merchant with this name already exists at the base.", field="name"
        ) from exc


@transaction.atomic
def team_member_add(
    *,
    merchant: Merchant,
    name: str,
    role: str = TeamMember.Role.STAFF,
    user: User | None = None,
    phone: str = "",
) -> TeamMember:
    if user is not None:
        if TeamMember.objects.filter(user=user).exists():
            raise Conflict("This user is already on a merchant's team.", field="user")
        if user.role != Role.MERCHANT or user.base_id != merchant.base_id:
            user.role = Role.MERCHANT
            user.base_id = merchant.base_id
            user.save(update_fields=["role", "base"])
    return TeamMember.objects.create(
        merchant=merchant, user=user, name=name, role=role, phone=phone
    )


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
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("This username is taken.", field="username")
    return User.objects.create_user(
        username=username,
        password=password,
        role=role,
        base=base,
        display_name=display_name,
        email=email,
    )


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
