import threading

import pytest
from django.db import connection
from django.utils import translation

from jingdezhen.core.errors import Conflict
from jingdezhen.core.tenancy import reach_for
from livestreams.models import LiveStream, StreamSettings
from livestreams.services import streams as stream_services
from merchants.models import TeamMember
from tests import factories

from .conftest import at

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_overlapping_bookings_of_one_room_book_exactly_one():
    base = factories.BaseFactory()
    StreamSettings.objects.create(base=base, changeover_minutes=15)
    room = factories.LiveRoomFactory(base=base)
    merchants = [factories.MerchantFactory(base=base) for _ in range(THREADS)]
    reaches = [reach_for(factories.member_user(m, role=TeamMember.Role.OWNER)) for m in merchants]
    barrier = threading.Barrier(THREADS)
    booked, conflicts, errors = [], [], []

    def attempt(i):
        translation.activate("en")  # a new thread starts in the default language
        try:
            barrier.wait()
            stream = stream_services.stream_schedule(
                reach=reaches[i],
                merchant=merchants[i],
                title=f"Bid {i}",
                platform="douyin",
                planned_start=at(1, 19, i),  # all overlap one another
                planned_end=at(1, 21, i),
                room=room,
            )
            booked.append(stream.pk)
        except Conflict as exc:
            conflicts.append(exc.message)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(booked) == 1
    assert len(conflicts) == THREADS - 1
    assert all("already booked" in m or "same moment" in m for m in conflicts)
    assert LiveStream.objects.filter(room=room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_host_in_different_rooms_book_exactly_one():
    base = factories.BaseFactory()
    merchant = factories.MerchantFactory(base=base)
    reach = reach_for(factories.member_user(merchant))
    host = factories.TeamMemberFactory(merchant=merchant, role=TeamMember.Role.HOST)
    rooms = [factories.LiveRoomFactory(base=base) for _ in range(6)]
    barrier = threading.Barrier(len(rooms))
    outcomes = []

    def attempt(room):
        try:
            barrier.wait()
            stream_services.stream_schedule(
                reach=reach,
                merchant=merchant,
                title="Same host",
                platform="douyin",
                planned_start=at(1, 20),
                planned_end=at(1, 22),
                room=room,
                host=host,
            )
            outcomes.append("booked")
        except Conflict as exc:
            outcomes.append(exc.field)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in rooms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked"] + ["host"] * (len(rooms) - 1)
