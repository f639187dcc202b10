"""factory_boy factories for every domain model the tests build."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from jingdezhen.demo import DEMO_PASSWORD
from livestreams.models import LiveRoom
from merchants.models import Base, Merchant, Role, TeamMember, User
from orders.models import ExchangeRate, Product


class BaseFactory(DjangoModelFactory):
    class Meta:
        model = Base

    name = factory.Sequence(lambda n: f"Test base {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.MERCHANT
    base = factory.SubFactory(BaseFactory)
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MerchantFactory(DjangoModelFactory):
    class Meta:
        model = Merchant

    base = factory.SubFactory(BaseFactory)
    name = factory.Sequence(lambda n: f"Studio {n}")
    kind = Merchant.Kind.STUDIO
    stage = Merchant.Stage.INCUBATING


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"Member {n}")
    role = TeamMember.Role.HOST


class LiveRoomFactory(DjangoModelFactory):
    class Meta:
        model = LiveRoom

    base = factory.SubFactory(BaseFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


def member_user(merchant: Merchant, *, role: str = TeamMember.Role.OWNER, **user_kwargs) -> User:
    """A user who logs in as a member of ``merchant``."""
    user = UserFactory(role=Role.MERCHANT, base=merchant.base, **user_kwargs)
    TeamMemberFactory(merchant=merchant, user=user, name=user.username, role=role)
    return user


# --- livestreams ------------------------------------------------------------------------------


class LiveStreamFactory(DjangoModelFactory):
    """A stream written straight to the table (bypassing the booking service): for reads."""

    class Meta:
        model = "livestreams.LiveStream"

    merchant = factory.SubFactory(MerchantFactory)
    platform = "douyin"
    title = factory.Sequence(lambda n: f"Stream {n}")
    planned_start = factory.LazyFunction(timezone.now)
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + dt.timedelta(hours=2))
    blocked_until = factory.LazyAttribute(lambda o: o.planned_end)


# --- orders ------------------------------------------------------------------------------------


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Blue-and-white cup {n}")
    price = Decimal("198.00")
    stock = 20


class ExchangeRateFactory(DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    base = factory.SubFactory(BaseFactory)
    currency = "EUR"
    cny_per_unit = Decimal("7.800000")
    valid_from = dt.date(2020, 1, 1)
