"""Which tables a request reads with one value: how the tenancy matrix knows which foreign rows a
route can reach at all (tests/tenancy/test_matrix.py, ``_probe_routes``).

A route is asked for an id of no row first (``ABSENT_ID``), with every SQL statement of the
request watched. The tables named by the statements that carry that value, and the tables their
foreign keys point at, are the only tables whose rows that parameter can load: an id of a row in
any other table reaches the view exactly as the absent id did (no statement of the request can
find it), so it gets the same answer. A table with a generic relation (a content type and an
object id) may point at any table; the request is then said to read them all.
"""

from __future__ import annotations

import re
from functools import cache

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import connection

# No table of the worlds hands this id out (their ids stay below 3,000,000,
# tests/support/worlds.py), and it fits a PostgreSQL integer column.
ABSENT_ID = 987_654_321
EVERY_TABLE = frozenset({"*"})


class Reads:
    """An execute wrapper that keeps the statements in which ``value`` appears."""

    def __init__(self, value) -> None:
        self.needle = str(value)
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if self.needle in sql or self.needle in repr(params):
            self.statements.append(sql)
        return execute(sql, params, many, context)

    def __enter__(self) -> Reads:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)

    def tables(self) -> frozenset[str]:
        """The tables whose rows the watched value could have loaded (``EVERY_TABLE`` when a
        generic relation was read)."""
        named = set()
        for sql in self.statements:
            named.update(_TABLE_WORD.findall(sql))
        known = _tables()
        named &= known.keys()
        reached = set(named)
        for table in named:
            targets = known[table]
            if targets is None:
                return EVERY_TABLE
            reached |= targets
        return frozenset(reached)


_TABLE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def _tables() -> dict[str, frozenset[str] | None]:
    """Each table of the project -> the tables its foreign keys point at (None: a generic
    relation, which may point at any)."""
    out: dict[str, frozenset[str] | None] = {}
    for model in apps.get_models(include_auto_created=True):
        fields = model._meta.get_fields()
        if any(isinstance(f, GenericForeignKey) for f in fields):
            out[model._meta.db_table] = None
            continue
        out[model._meta.db_table] = frozenset(
            f.related_model._meta.db_table
            for f in fields
            if f.concrete and (f.many_to_one or f.one_to_one) and f.related_model is not None
        )
    return out


@cache
def table_of(label: str) -> str:
    return apps.get_model(label)._meta.db_table
