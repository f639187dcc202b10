"""The models of the orders app, by concern. Django finds them here, and ``from orders.models
import X`` works for every one of them."""

from .catalogue import PlatformPrice, Product, ProductPhoto
from .imports import ImportBadRow, ImportJob
from .intake import OrderImport
from .money import ExchangeRate, OrderPolicy
from .ordering import BreakageClaim, FlashDeal, IdempotencyKey, Order, OrderEvent, OrderLine
from .shipping import Shipment
from .turnover import (
    DailyBaseBreakdown,
    DailyBaseSlotTurnover,
    DailyBaseTurnover,
    DailyMerchantTurnover,
    DailyRoomUsage,
    DailyTurnover,
    DailyTurnoverDetail,
    MonthlyMerchantTurnover,
    TurnoverDirtyDay,
    TurnoverWatermark,
)

__all__ = [
    "BreakageClaim",
    "DailyBaseBreakdown",
    "DailyBaseSlotTurnover",
    "DailyBaseTurnover",
    "DailyMerchantTurnover",
    "DailyRoomUsage",
    "DailyTurnover",
    "DailyTurnoverDetail",
    "ExchangeRate",
    "FlashDeal",
    "IdempotencyKey",
    "ImportBadRow",
    "ImportJob",
    "MonthlyMerchantTurnover",
    "Order",
    "OrderEvent",
    "OrderImport",
    "OrderLine",
    "OrderPolicy",
    "PlatformPrice",
    "Product",
    "ProductPhoto",
    "Shipment",
    "TurnoverDirtyDay",
    "TurnoverWatermark",
]
