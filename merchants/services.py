"""Every write of the merchants domain: one transaction each, keyword-only arguments."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from jingdezhen.errors import Conflict

from .models import Base, Merchant, Role, TeamMember, User


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
