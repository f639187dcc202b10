"""The foreign keys of an import's COPY checked once per chunk instead of once per row.

Each row that COPY writes into orders, order lines and order events queues PostgreSQL's
foreign-key triggers, one per key: at the commit each looks its referenced row up and locks it
(``FOR KEY SHARE``), about as much work for the server as the COPY itself. In an import chunk
every referenced row is known before the COPY:

* an order's merchant, import record and (for its events) actor are one row each for the chunk:
  ``lock_references`` locks them ``FOR KEY SHARE``, as the triggers would, before the COPY (so
  none can go before the commit), and says whether they all exist;
* a line's product is one of the chunk's products, already locked ``FOR UPDATE`` by the intake
  (a stronger lock) and read as the merchant's own;
* a line's or an event's order is one of the orders the same COPY writes, in this transaction;
* a stream and a flash deal are NULL (orders with either go through the ORM writer).

So the triggers would find every key valid: ``unchecked`` skips them for the COPY alone, with
``session_replication_role = replica`` for those statements (a setting of the transaction, put
back right after). Only where that is sound and allowed: the role may set it (a superuser or a
role granted ``SET`` on it), and the three tables have no trigger but the foreign keys' (a
history or audit trigger added later would be skipped too: then the triggers stay). Otherwise the
triggers check as before. Check constraints and unique indexes are not triggers: they hold either
way.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg2 import sql
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

from orders.models import Order, OrderEvent, OrderLine

_LOCK = """
WITH m AS (SELECT id FROM {merchant} WHERE id = %s FOR KEY SHARE),
     b AS (SELECT id FROM {batch} WHERE id = %s FOR KEY SHARE),
     u AS (SELECT id FROM {user} WHERE id = %s FOR KEY SHARE)
SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM b), (SELECT count(*) FROM u)
"""


# The foreign keys the chunk's checks cover (see the module's text), by table and column.
def _covered() -> set[tuple[str, str]]:
    return {
        (model._meta.db_table, model._meta.get_field(name).column)
        for model, names in (
            (Order, ("merchant", "import_batch", "stream")),
            (OrderLine, ("order", "product", "flash_deal")),
            (OrderEvent, ("order", "actor")),
        )
        for name in names
    }


_ASK = """
SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR has_parameter_privilege('session_replication_role', 'SET'),
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY(%(tables)s::regclass[])
        AND NOT tgisinternal),
       (SELECT count(*) FROM pg_constraint WHERE conrelid = ANY(%(tables)s::regclass[])
        AND condeferrable AND contype <> 'f'),
       (SELECT coalesce(array_agg(c.conrelid::regclass::text || '.' || a.attname), '{}')
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
        WHERE c.conrelid = ANY(%(tables)s::regclass[]) AND c.contype = 'f')
"""


def _may_skip() -> bool:
    """Whether this database lets the intake skip the tables' triggers soundly, asked again for
    each chunk (one catalogue query against a chunk's thousands of rows), so a trigger or a key
    added by a migration, or a grant taken back, counts from the next chunk on without a restart:
    the role may set ``session_replication_role``; orders, lines and events have no trigger but
    the internal ones of their foreign keys, no deferrable constraint but those keys (a deferrable
    unique constraint is checked by a trigger too), and no foreign key but the ones covered."""
    if not getattr(settings, "IMPORT_CHECKED_KEYS", True):
        return False
    tables = [m._meta.db_table for m in (Order, OrderLine, OrderEvent)]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_ASK, {"tables": tables})
            may, triggers, deferrable, keys = cursor.fetchone()
    except DatabaseError:  # an older server without has_parameter_privilege
        return False
    found = {tuple(key.rsplit(".", 1)) for key in keys}
    return bool(may) and triggers == 0 and deferrable == 0 and found <= _covered()


def lock_references(merchant_id: int, import_batch_id: int | None, actor_id: int | None) -> bool:
    """Lock the chunk's merchant, import record and actor ``FOR KEY SHARE`` (one query); True
    when each one given exists."""
    with connection.cursor() as cursor:
        query = sql.SQL(_LOCK).format(
            merchant=_table(Order, "merchant"),
            batch=_table(Order, "import_batch"),
            user=_table(OrderEvent, "actor"),
        )
        cursor.execute(query.as_string(cursor.connection), [merchant_id, import_batch_id, actor_id])
        merchants, batches, users = cursor.fetchone()
    return (
        merchants == 1
        and batches == (import_batch_id is not None)
        and (users == (actor_id is not None))
    )


def _table(model, name: str) -> sql.Identifier:
    return sql.Identifier(model._meta.get_field(name).related_model._meta.db_table)


@contextmanager
def unchecked(merchant_id: int, import_batch_id: int | None, actor_id: int | None):
    """Run the block (the chunk's COPY statements) without the foreign-key triggers where that
    is sound (see the module's text), with them otherwise. Inside the caller's transaction."""
    skip = _may_skip() and lock_references(merchant_id, import_batch_id, actor_id)
    if not skip:
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield True
    finally:
        # Put back on the way out, whatever happened: a Conflict caught by the caller (the COPY's
        # own savepoint rolled back) leaves the transaction usable, and the triggers must hold for
        # whatever it runs next. A failed transaction is rolled back whole, the setting with it.
        if connection.connection.info.transaction_status != TRANSACTION_STATUS_INERROR:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
