import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from jingdezhen.core.tenancy import reach_for
from livestreams.models import StreamSettings
from merchants.models import TeamMember
from tests import factories


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local time ``days`` from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def afternoon():
    """Today at 15:00 in the base's zone, the clock running on from there: a stream booked "from
    now for an hour" stays inside one day (streams may not cross midnight) whatever the hour the
    suite runs at -- run at 23:30, the same test would book a stream into tomorrow."""
    local = timezone.localtime().replace(hour=15, minute=0, second=0, microsecond=0)
    with time_machine.travel(local, tick=True):
        yield local


@pytest.fixture
def room(base):
    return factories.LiveRoomFactory(base=base, name="Room 3")


@pytest.fixture
def rules(base):
    return StreamSettings.objects.create(base=base, changeover_minutes=15)


@pytest.fixture
def host(merchant):
    return factories.TeamMemberFactory(merchant=merchant, name="Host A", role=TeamMember.Role.HOST)


@pytest.fixture
def reach(owner):
    return reach_for(owner)


@pytest.fixture
def other_reach(other_owner):
    return reach_for(other_owner)


@pytest.fixture(autouse=True)
def _english():
    """Service messages are read in English here (the default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
