"""The bodies of the orders API's bulk actions (``POST /api/v1/orders/bulk-mark-paid/`` and
``/bulk-ship/``, actions of ``OrderViewSet`` over ``orders.ordering.bulk``).

All or nothing: an order that cannot make the move answers 409 naming it (``orders.3`` or
``shipments.3.order``) and nothing changes; an id out of reach answers 404.
"""

from __future__ import annotations

from rest_framework import serializers

from jingdezhen.core import bounds
from jingdezhen.core.api import MAX_ID, plain_choice_field
from orders.models import Shipment
from orders.models.shipping import TRACKING_MAX_LENGTH
from orders.ordering import bulk


def _order_id() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID)


class BulkOrdersSerializer(serializers.Serializer):
    orders = serializers.ListField(
        child=_order_id(),
        allow_empty=False,
        max_length=bulk.MAX_BULK_ORDERS,
        help_text="The ids of the orders, each once.",
    )


class ShipSerializer(serializers.Serializer):
    """One order's parcel (``POST /orders/<id>/ship/``); a bulk row adds the order."""

    carrier = plain_choice_field(Shipment.Carrier.choices)
    tracking_number = serializers.CharField(
        max_length=TRACKING_MAX_LENGTH + 8,
        help_text="6 to 32 letters, digits or dashes (spaces are dropped, letters upper-cased).",
    )
    insured_value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=bounds.MAX_ORDER_CNY,
        required=False,
        allow_null=True,
        help_text="CNY, at most the order's total; empty: not insured.",
    )


class ShipmentRowSerializer(ShipSerializer):
    order = _order_id()


class BulkShipSerializer(serializers.Serializer):
    shipments = ShipmentRowSerializer(many=True, allow_empty=False, max_length=bulk.MAX_BULK_ORDERS)


class ShipmentSerializer(serializers.ModelSerializer):
    carrier = plain_choice_field(Shipment.Carrier.choices, read_only=True)

    class Meta:
        model = Shipment
        fields = ["id", "order", "carrier", "tracking_number", "insured_value", "shipped_at"]
        read_only_fields = fields


class BulkShippedSerializer(serializers.Serializer):
    shipped = serializers.IntegerField()
    shipments = ShipmentSerializer(many=True)
