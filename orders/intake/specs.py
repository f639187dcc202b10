"""What a door hands the intake: orders (``OrderIn``) and their lines (``LineIn``), and what it
gets back (``IntakeResult``: the orders written and the ones refused, with the caller's handle)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from jingdezhen.core.errors import DomainError
from orders.models import Order

S = Order.Status


@dataclass
class LineIn:
    product_id: int
    quantity: int
    unit_price: Decimal | None = None  # in the order's currency; default: the price rule
    flash_deal_id: int | None = None


@dataclass
class OrderIn:
    platform: str
    lines: list[LineIn]
    external_id: str = ""
    buyer_name: str = ""
    buyer_country: str = "CN"
    currency: str = "CNY"
    stream_id: int | None = None
    placed_at: dt.datetime | None = None
    status: str = S.PENDING
    ref: object = None  # the caller's handle in refusals (an import's line numbers)


@dataclass
class Refusal:
    ref: object
    error: DomainError


@dataclass
class IntakeResult:
    orders: list[Order] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def country_code(value: str) -> str:
    """A buyer's country as stored (two letters, upper case), the same check at every door."""
    code = (value or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise DomainError(_("A country is a two-letter code such as ZA."), field="buyer_country")
    return code
