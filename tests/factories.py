"""factory_boy factories for every domain model the tests build."""

import factory
from factory.django import DjangoModelFactory

from jingdezhen.demo import DEMO_PASSWORD
from livestreams.models import LiveRoom
from merchants.models import Base, Merchant, Role, TeamMember, User


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


# --- Daily turnover (issue 6): orders, products and streams for the rollup tests ---
# Named Turnover* so they never clash with the orders and livestreams apps' own factories.

import datetime as _dt  # noqa: E402
from decimal import Decimal as _Decimal  # noqa: E402

from django.utils import timezone as _timezone  # noqa: E402

from livestreams.models import LiveStream  # noqa: E402
from orders.models import Order, OrderLine, Product  # noqa: E402


class TurnoverProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Cup {n}")
    price = _Decimal("200.00")
    stock = 100


class TurnoverStreamFactory(DjangoModelFactory):
    class Meta:
        model = LiveStream

    merchant = factory.SubFactory(MerchantFactory)
    platform = "douyin"
    title = factory.Sequence(lambda n: f"Stream {n}")
    planned_start = factory.LazyFunction(_timezone.now)
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + _dt.timedelta(hours=2))
    status = LiveStream.Status.ENDED


class TurnoverOrderFactory(DjangoModelFactory):
    """An order written straight to the table (the order services are the orders app's)."""

    class Meta:
        model = Order

    merchant = factory.SubFactory(MerchantFactory)
    platform = "douyin"
    external_id = factory.Sequence(lambda n: f"T{n:08d}")
    buyer_country = "CN"
    currency = "CNY"
    amount = _Decimal("200.00")
    amount_cny = factory.LazyAttribute(lambda o: o.amount)
    units = 1
    status = Order.Status.PAID
    placed_at = factory.LazyFunction(_timezone.now)


class TurnoverOrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(TurnoverOrderFactory)
    product = factory.SubFactory(
        TurnoverProductFactory, merchant=factory.SelfAttribute("..order.merchant")
    )
    quantity = 1
    unit_price = _Decimal("200.00")
