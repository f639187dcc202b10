"""The column layouts of the platforms' order exports (CSV): one documented layout per
platform, and the generic one every other platform uses.

Layouts (header names must match; column order and extra columns do not matter):

* Douyin (抖店 order export): 主订单编号, 商家编码, 商品数量, 商品单价, 订单状态, 订单提交时间,
  收件人 (optional). Amounts in CNY, buyers in China.
* Taobao (千牛 order export): 订单编号, 商家编码, 购买数量, 商品价格, 订单状态, 订单创建时间,
  买家会员名 (optional). Amounts in CNY, buyers in China.
* Every other platform (TikTok Shop, ...): order_id, sku, quantity, unit_price, currency,
  buyer_country, status, placed_at, buyer_name (optional). Status one of pending, paid, shipped,
  delivered, completed, cancelled, refunded.

Times are ``YYYY-MM-DD HH:MM[:SS]`` (or with slashes) in Asia/Shanghai, or ISO 8601 with an
offset. Prices may carry a ``¥`` sign and thousands separators.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from jingdezhen.core.platforms import Platform
from orders.models import Order

S = Order.Status


@dataclass(frozen=True)
class Layout:
    name: object
    columns: dict  # our field -> header in the file
    optional: tuple = ("buyer_name",)
    statuses: dict = field(default_factory=dict)


COMMON_STATUSES = {s.value: s.value for s in S}

LAYOUTS = {
    Platform.DOUYIN: Layout(
        name=gettext_lazy("Douyin order export"),
        columns={
            "order_id": "主订单编号",
            "sku": "商家编码",
            "quantity": "商品数量",
            "unit_price": "商品单价",
            "status": "订单状态",
            "placed_at": "订单提交时间",
            "buyer_name": "收件人",
        },
        statuses={
            "待支付": S.PENDING,
            "待付款": S.PENDING,
            "待发货": S.PAID,
            "已支付": S.PAID,
            "已发货": S.SHIPPED,
            "已签收": S.DELIVERED,
            "已完成": S.COMPLETED,
            "已取消": S.CANCELLED,
            "已关闭": S.CANCELLED,
            "已退款": S.REFUNDED,
            **COMMON_STATUSES,
        },
    ),
    Platform.TAOBAO: Layout(
        name=gettext_lazy("Taobao order export"),
        columns={
            "order_id": "订单编号",
            "sku": "商家编码",
            "quantity": "购买数量",
            "unit_price": "商品价格",
            "status": "订单状态",
            "placed_at": "订单创建时间",
            "buyer_name": "买家会员名",
        },
        statuses={
            "等待买家付款": S.PENDING,
            "买家已付款，等待卖家发货": S.PAID,  # noqa: RUF001 - the export writes a full-width comma
            "买家已付款,等待卖家发货": S.PAID,
            "等待卖家发货": S.PAID,
            "卖家已发货，等待买家确认": S.SHIPPED,  # noqa: RUF001
            "卖家已发货,等待买家确认": S.SHIPPED,
            "卖家已发货": S.SHIPPED,
            "交易成功": S.COMPLETED,
            "交易关闭": S.CANCELLED,
            "退款成功": S.REFUNDED,
            **COMMON_STATUSES,
        },
    ),
}
GENERIC = Layout(
    name=gettext_lazy("Order export (English columns)"),
    columns={
        "order_id": "order_id",
        "sku": "sku",
        "quantity": "quantity",
        "unit_price": "unit_price",
        "currency": "currency",
        "buyer_country": "buyer_country",
        "status": "status",
        "placed_at": "placed_at",
        "buyer_name": "buyer_name",
    },
    statuses=COMMON_STATUSES,
)


def layout_for(platform: str) -> Layout:
    return LAYOUTS.get(platform, GENERIC)
