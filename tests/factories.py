"""factory_boy factories for every domain model the tests build."""

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from jingdezhen.core.demo import DEMO_PASSWORD
from jingdezhen.core.tenancy import MERCHANT, Reach
from livestreams.models import LiveRoom, LiveStream
from merchants.models import (
    Base,
    ForeignAgent,
    Merchant,
    PlatformAccount,
    Review,
    Role,
    TeamMember,
    User,
)
from orders.models import ExchangeRate, Order, OrderLine, Product
from training.models import Cohort, Course, Enrollment, Trainee


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


# --- merchants (issue 3) -------------------------------------------------------------------------


class PlatformAccountFactory(DjangoModelFactory):
    class Meta:
        model = PlatformAccount

    merchant = factory.SubFactory(MerchantFactory)
    platform = "douyin"
    handle = factory.Sequence(lambda n: f"shop{n}")


class ForeignAgentFactory(DjangoModelFactory):
    class Meta:
        model = ForeignAgent

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"Agent {n}")
    city = "Stockholm"
    country = "SE"
    commission_rate = 10


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    merchant = factory.SubFactory(MerchantFactory)
    outcome = Review.Outcome.GOOD
    notes = "Streams on time; tidy room."


# --- training (issue 3) --------------------------------------------------------------------------


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    base = factory.SubFactory(BaseFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    kind = Course.Kind.LIVE_BASICS


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    trainer = factory.SubFactory(
        UserFactory, role=Role.TRAINER, base=factory.SelfAttribute("..course.base")
    )
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.SelfAttribute("starts_on")
    capacity = 3


class TraineeFactory(DjangoModelFactory):
    class Meta:
        model = Trainee

    base = factory.SubFactory(BaseFactory)
    name = factory.Sequence(lambda n: f"Newcomer {n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    trainee = factory.SubFactory(TraineeFactory, base=factory.SelfAttribute("..cohort.course.base"))
    status = Enrollment.Status.ENROLLED


# --- Daily turnover (issue 6): orders, products and streams for the rollup tests ---
# Named Turnover* so they never clash with the orders and livestreams apps' own factories.


class TurnoverProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Cup {n}")
    price = Decimal("200.00")
    stock = 100


class TurnoverStreamFactory(LiveStreamFactory):
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
    amount = Decimal("200.00")
    amount_cny = factory.LazyAttribute(lambda o: o.amount)
    units = 1
    status = Order.Status.PAID
    placed_at = factory.LazyFunction(timezone.now)


class TurnoverOrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(TurnoverOrderFactory)
    product = factory.SubFactory(
        TurnoverProductFactory, merchant=factory.SelfAttribute("..order.merchant")
    )
    quantity = 1
    unit_price = Decimal("200.00")


def merchant_reach(merchant: Merchant) -> Reach:
    """The reach an owner of ``merchant`` has (as ``reach_for`` computes it), for calling the
    services directly as that merchant would."""
    return Reach(
        role=MERCHANT,
        base_id=merchant.base_id,
        merchant_id=merchant.pk,
        member_role=TeamMember.Role.OWNER,
    )


_parcels = itertools.count(1)


def parcel() -> dict:
    """A shipment's carrier and a tracking number not used before, for ``order_ship``."""
    return {"carrier": "sf", "tracking_number": f"SF{next(_parcels):013d}"}
