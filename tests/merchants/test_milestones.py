import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from merchants.models import Milestone
from merchants.services import milestone_record


def test_a_milestone_is_recorded_once(merchant):
    assert milestone_record(merchant_id=merchant.pk, kind=Milestone.Kind.FIRST_ORDER)
    assert not milestone_record(merchant_id=merchant.pk, kind=Milestone.Kind.FIRST_ORDER)
    assert Milestone.objects.filter(merchant=merchant).count() == 1


def test_an_earlier_event_moves_the_milestone_earlier(merchant):
    now = timezone.now()
    milestone_record(merchant_id=merchant.pk, kind=Milestone.Kind.FIRST_STREAM, reached_at=now)
    earlier = now - dt.timedelta(days=3)
    milestone_record(merchant_id=merchant.pk, kind=Milestone.Kind.FIRST_STREAM, reached_at=earlier)
    assert Milestone.objects.get(merchant=merchant).reached_at == earlier


@pytest.mark.django_db(transaction=True)
def test_racing_recorders_store_one_milestone():
    from tests import factories

    merchant = factories.MerchantFactory()
    results, barrier = [], threading.Barrier(4)

    def record():
        barrier.wait()
        try:
            results.append(
                milestone_record(merchant_id=merchant.pk, kind=Milestone.Kind.FIRST_ORDER)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert Milestone.objects.filter(merchant=merchant).count() == 1
