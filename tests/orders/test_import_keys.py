"""An import chunk's foreign keys checked once per chunk (``orders.intake.take_in.keys``): the
referenced rows locked as the triggers would lock them, the triggers skipped for the COPY alone,
and kept wherever skipping them would skip anything else; the file read ahead of the writes."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import override_settings
from django.utils import translation

from orders.intake import jobs
from orders.intake.take_in import keys
from orders.models import ImportJob, Order, OrderEvent, OrderLine
from tests import factories

from .test_import_jobs import GOOD, _run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cups(merchant):
    return [
        factories.ProductFactory(merchant=merchant, sku="QH-001", stock=100),
        factories.ProductFactory(merchant=merchant, sku="FC-002", stock=100),
    ]


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def _written(merchant) -> tuple[int, int, int]:
    orders = Order.objects.filter(merchant=merchant)
    return (
        orders.count(),
        OrderLine.objects.filter(order__in=orders).count(),
        OrderEvent.objects.filter(order__in=orders).count(),
    )


def test_the_tests_database_lets_the_import_skip_the_key_triggers():
    # The tests run as the database's owner, and the order tables have only their keys' triggers.
    assert keys._may_skip() is True
    with override_settings(IMPORT_CHECKED_KEYS=False):
        assert keys._may_skip() is False


def test_an_import_with_checked_keys_writes_what_the_triggers_would_have_checked(
    merchant, cups, other_merchant
):
    for product in cups:
        factories.ProductFactory(merchant=other_merchant, sku=product.sku, stock=100)
    checked = _run(merchant, GOOD)
    with override_settings(IMPORT_CHECKED_KEYS=False):
        triggered = _run(other_merchant, GOOD)
    assert checked.status == triggered.status == ImportJob.Status.DONE
    assert _written(merchant) == _written(other_merchant) == (2, 3, 6)
    # Each line names its own merchant's product, each order its own import record.
    lines = OrderLine.objects.filter(order__merchant=merchant)
    assert {line.product.merchant_id for line in lines} == {merchant.pk}
    assert set(Order.objects.filter(merchant=merchant).values_list("import_batch", flat=True)) == {
        checked.order_import_id
    }
    assert _role() == "origin"  # put back after the COPY


def test_a_trigger_of_another_kind_on_the_order_tables_keeps_every_trigger(merchant, cups):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_mark_event_fn() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN NEW.note := 'seen by a trigger'; RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_mark_event BEFORE INSERT ON orders_orderevent"
            " FOR EACH ROW EXECUTE FUNCTION test_mark_event_fn()"
        )
    assert keys._may_skip() is False
    job = _run(merchant, GOOD)
    assert job.status == ImportJob.Status.DONE
    notes = set(OrderEvent.objects.filter(order__merchant=merchant).values_list("note", flat=True))
    assert notes == {"seen by a trigger"}


def test_a_deferrable_unique_constraint_or_an_uncovered_key_keeps_the_triggers():
    # Asked again for each chunk: what a migration adds counts without a restart.
    assert keys._may_skip() is True
    for change in (
        # A deferrable unique constraint is checked by a trigger too.
        "ALTER TABLE orders_orderevent ADD CONSTRAINT test_note_once UNIQUE (order_id, note)"
        " DEFERRABLE INITIALLY DEFERRED",
        # A foreign key the chunk's checks do not cover.
        "ALTER TABLE orders_orderline ADD COLUMN test_ref_id integer"
        " REFERENCES merchants_merchant (id) DEFERRABLE INITIALLY DEFERRED",
    ):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(change)
            assert keys._may_skip() is False
            transaction.set_rollback(True)
        assert keys._may_skip() is True


def test_a_missing_reference_leaves_the_triggers_on(merchant, owner):
    with transaction.atomic():
        assert keys.lock_references(merchant.pk, None, owner.pk) is True
        assert keys.lock_references(merchant.pk, 10**9, None) is False
        assert keys.lock_references(10**9, None, None) is False
        with keys.unchecked(10**9, None, None) as skipped:
            assert skipped is False and _role() == "origin"
        with keys.unchecked(merchant.pk, None, owner.pk) as skipped:
            assert skipped is True and _role() == "replica"
        assert _role() == "origin"


def test_a_conflict_raised_in_the_block_puts_the_triggers_back_for_what_the_caller_runs_next(
    merchant, owner
):
    class Refused(Exception):
        pass

    with transaction.atomic():
        with pytest.raises(Refused), keys.unchecked(merchant.pk, None, owner.pk) as skipped:
            assert skipped is True and _role() == "replica"
            raise Refused  # as the COPY's Conflict, its savepoint rolled back, is caught above
        assert _role() == "origin"


@pytest.mark.django_db(transaction=True)
def test_the_referenced_rows_are_locked_until_the_chunk_commits():
    merchant = factories.MerchantFactory()
    refused = []

    def delete_merchant_row():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM merchants_merchant WHERE id = %s FOR UPDATE NOWAIT",
                    [merchant.pk],
                )
        except OperationalError as exc:
            refused.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        with keys.unchecked(merchant.pk, None, None) as skipped:
            assert skipped is True
        thread = threading.Thread(target=delete_merchant_row)
        thread.start()
        thread.join(timeout=30)
    assert len(refused) == 1  # the key-share lock held: no delete could slip in before the commit


@pytest.mark.parametrize("ahead", [0, 2])
def test_a_broken_line_fails_the_job_after_the_chunks_before_read_ahead_or_not(
    merchant, cups, monkeypatch, settings, ahead
):
    settings.IMPORT_READ_AHEAD = ahead
    monkeypatch.setattr(jobs, "CHUNK", 2)
    rows = [f"DY{300 + i},QH-001,1,10.00,已完成,2026-01-05 20:15:00,A" for i in range(6)]
    # A cell longer than a CSV's cell may be: the reading (thread) meets it on line 11.
    broken = f"DY9,QH-001,1,10.00,已完成,2026-01-05 20:15:00,{'x' * 10_001}"
    data = GOOD + "\n".join([*rows, broken, rows[0]]).encode() + b"\n"
    job = _run(merchant, data)
    assert job.status == ImportJob.Status.FAILED
    assert "near line 11" in job.error
    # The chunks before the broken line were committed (a job run again resumes after them).
    assert job.rows_read == job.position == 8
    assert Order.objects.filter(merchant=merchant).count() == 7
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]


def test_a_workbook_is_read_ahead_and_a_csv_in_the_jobs_thread_unless_configured(settings):
    settings.IMPORT_READ_AHEAD = None
    assert jobs._read_ahead(ImportJob(filename="orders.XLSX")) == 2
    assert jobs._read_ahead(ImportJob(filename="orders.csv")) == 0
    settings.IMPORT_READ_AHEAD = 3
    assert jobs._read_ahead(ImportJob(filename="orders.csv")) == 3
