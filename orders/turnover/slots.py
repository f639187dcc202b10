"""The ten-minute grain of a base's day (``DailyBaseSlotTurnover``), rolled with the day.

``rollup.rollup_day`` runs ``ROLL_SLOTS_SQL`` in the day's transaction, after the day's statement:
the day's slot rows are deleted and written again (at most 144 a base), every one stamped with
the roll's time, so the live board knows when the day was last rolled and adds only the orders
written since (``orders.turnover.live``). What counts is the one definition,
``orders.ordering.selectors.COUNTED_ORDERS_SQL``; overseas is gross outside CN, as in the day's
rollup.
"""

from __future__ import annotations

from psycopg2 import sql

from livestreams.models import LiveStream
from merchants.models import Merchant

from ..models import DailyBaseSlotTurnover, Order
from ..ordering.selectors import COUNTED_ORDERS_SQL
from .statement import HOME_COUNTRY, Ident, column, table

SLOT_MINUTES = 10


def slot_minute(placed: sql.Composable) -> sql.Composed:
    """The first minute of the local ten-minute slot of ``placed`` (``%(tz)s`` the zone)."""
    return sql.SQL(
        "(FLOOR(EXTRACT(EPOCH FROM ({placed} AT TIME ZONE %(tz)s)::time) / {seconds}) * {minutes})"
        "::smallint"
    ).format(
        placed=placed,
        seconds=sql.Literal(SLOT_MINUTES * 60),
        minutes=sql.Literal(SLOT_MINUTES),
    )


def _o(name: str) -> sql.Identifier:
    return Ident("o", column(Order, name))


_SLOT = DailyBaseSlotTurnover
_SLOT_COLUMNS = [
    column(_SLOT, name)
    for name in (
        "base",
        "day",
        "minute",
        "gross_cny",
        "refunded_cny",
        "net_cny",
        "orders",
        "units",
        "overseas_cny",
        "overseas_orders",
        "rolled_at",
    )
]

DELETE_SLOTS_SQL = sql.SQL("DELETE FROM {slots} WHERE {day} = %(day)s").format(
    slots=table(_SLOT), day=Ident(column(_SLOT, "day"))
)

ROLL_SLOTS_SQL = sql.SQL(
    """
INSERT INTO {slots} ({columns})
SELECT {m_base}, %(day)s, {minute},
       SUM({amount}), SUM({refunded}), SUM({amount} - {refunded}), COUNT(*), SUM({units}),
       COALESCE(SUM({amount}) FILTER (WHERE {country} <> {home}), 0),
       COUNT(*) FILTER (WHERE {country} <> {home}),
       %(now)s
FROM {orders} o
LEFT JOIN {streams} s ON {s_id} = {stream}
JOIN {merchants} m ON {m_id} = {merchant}
WHERE {placed} >= %(start)s AND {placed} < %(end)s AND {counted}
  AND {merchant} <> ALL(%(skipped)s)
GROUP BY 1, 3
"""
).format(
    slots=table(_SLOT),
    columns=sql.SQL(", ").join(map(Ident, _SLOT_COLUMNS)),
    m_base=Ident("m", column(Merchant, "base")),
    minute=slot_minute(_o("placed_at")),
    amount=_o("amount_cny"),
    refunded=_o("refunded_cny"),
    units=_o("units"),
    country=_o("buyer_country"),
    home=sql.Literal(HOME_COUNTRY),
    orders=table(Order),
    streams=table(LiveStream),
    s_id=Ident("s", column(LiveStream, "id")),
    stream=_o("stream"),
    merchants=table(Merchant),
    m_id=Ident("m", column(Merchant, "id")),
    merchant=_o("merchant"),
    placed=_o("placed_at"),
    counted=sql.SQL(COUNTED_ORDERS_SQL),
)


def rollup_slots(cursor, params: dict, *, skipped: tuple[int, ...] = ()) -> int:
    """Write the day's slot rows again, every base's (``params``: the day's roll's, with ``tz``),
    leaving out the merchants the roll skipped (their orders are in no base row of the day either).
    Returns how many rows it wrote."""
    cursor.execute(DELETE_SLOTS_SQL, params)
    cursor.execute(ROLL_SLOTS_SQL, {**params, "skipped": list(skipped)})
    return cursor.rowcount
