"""REST API of orders (taken in through ``orders.intake.take_in``, then walked through the
lifecycle), flash deals and the base's exchange rates."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from jingdezhen.core import bounds
from jingdezhen.core.api import (
    MAX_ID,
    SYNC_FILTER_BACKENDS,
    FieldsOnceMixin,
    ReachMixin,
    plain_choice_field,
)
from jingdezhen.core.platforms import Platform
from livestreams.models import LiveStream
from orders.api_helpers import acting_merchant
from orders.catalogue import selectors as catalogue_selectors
from orders.intake.specs import LineIn
from orders.models import BreakageClaim, ExchangeRate, FlashDeal, Order, OrderLine
from orders.ordering import bulk, claims, flash_deals, lifecycle, money, selectors, services
from orders.ordering.bulk_api import (
    BulkOrdersSerializer,
    BulkShippedSerializer,
    BulkShipSerializer,
    ShipSerializer,
)
from orders.permissions import require_orders_reader, require_reader

# The answer of an order is written by hand (below); these format money and instants exactly as
# the serializers' declared fields do (the schema is read from those).
_MONEY = serializers.DecimalField(max_digits=14, decimal_places=2)
_INSTANT = serializers.DateTimeField()


class OrderLineSerializer(FieldsOnceMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "product", "sku", "quantity", "unit_price", "flash_deal"]
        read_only_fields = fields

    def to_representation(self, line) -> dict:
        # By hand: DRF's per-field walk was a large part of answering a new order (cProfile of
        # bench/intake.py). tests/orders/test_api.py holds it equal to the fields' own output.
        return {
            "id": line.pk,
            "product": line.product_id,
            "sku": line.product.sku,
            "quantity": line.quantity,
            "unit_price": _MONEY.to_representation(line.unit_price),
            "flash_deal": line.flash_deal_id,
        }


class OrderSerializer(FieldsOnceMixin, serializers.ModelSerializer):
    # What the order offers next, read from the lifecycle table (clients need no status logic).
    actions = serializers.SerializerMethodField()

    def get_actions(self, obj) -> list[str]:
        return lifecycle.available(obj.status)

    class Meta:
        model = Order
        fields = [
            "id",
            "merchant",
            "platform",
            "external_id",
            "stream",
            "buyer_name",
            "buyer_country",
            "currency",
            "amount",
            "amount_cny",
            "refunded_cny",
            "units",
            "status",
            "placed_at",
            "hold_until",
            "updated_at",
            "actions",
        ]
        read_only_fields = fields

    def to_representation(self, order) -> dict:
        """By hand, as ``OrderLineSerializer``'s: the declared fields' output, key for key."""
        money, instant = _MONEY.to_representation, _INSTANT.to_representation
        body = {
            "id": order.pk,
            "merchant": order.merchant_id,
            "platform": order.platform,
            "external_id": order.external_id,
            "stream": order.stream_id,
            "buyer_name": order.buyer_name,
            "buyer_country": order.buyer_country,
            "currency": order.currency,
            "amount": money(order.amount),
            "amount_cny": money(order.amount_cny),
            "refunded_cny": money(order.refunded_cny),
            "units": order.units,
            "status": order.status,
            "placed_at": instant(order.placed_at),
            "hold_until": instant(order.hold_until) if order.hold_until else None,
            "updated_at": instant(order.updated_at),
            "actions": self.get_actions(order),
        }
        if "lines" in self.Meta.fields:
            line = OrderLineSerializer()
            body["lines"] = [line.to_representation(x) for x in order.lines.all()]
        return body


class BulkPaidSerializer(serializers.Serializer):
    paid = serializers.IntegerField()
    orders = OrderSerializer(many=True)


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class LineInSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, max_value=bounds.MAX_QUANTITY)
    unit_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=bounds.MAX_LINE_CNY,
        required=False,
        allow_null=True,
    )
    flash_deal = serializers.IntegerField(required=False, allow_null=True)


class OrderInSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(required=False)
    platform = serializers.ChoiceField(choices=Platform.choices)
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    stream = serializers.IntegerField(required=False, allow_null=True)
    buyer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    buyer_country = serializers.CharField(max_length=2, min_length=2, default="CN")
    currency = serializers.CharField(max_length=3, min_length=3, default="CNY")
    placed_at = serializers.DateTimeField(required=False)
    lines = LineInSerializer(
        many=True, allow_empty=False, min_length=1, max_length=bounds.MAX_LINES
    )


class RefundSerializer(serializers.Serializer):
    amount_cny = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _fingerprint(data) -> str:
    """A digest of the request body, the same whatever the order of its keys."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


class OrderViewSet(
    ReachMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Orders: a merchant's own; base managers read all of their base.

    ``POST`` takes an order and holds its units; send an ``Idempotency-Key`` header so that a
    retry returns the first result (200) instead of a second order."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Order.objects.none()
    reach_rule = staticmethod(require_orders_reader)  # trainers: 403, as on the pages
    filterset_fields = ["status", "platform", "currency", "buyer_country", "stream"]
    filter_backends = SYNC_FILTER_BACKENDS
    ordering_fields = ["placed_at", "updated_at", "amount_cny", "id"]
    updated_since_field = "updated_at"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.order_list_with_lines(reach=self.reach)
        return selectors.order_list(reach=self.reach)

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    @extend_schema(
        request=OrderInSerializer,
        responses={
            201: OrderDetailSerializer,
            200: OrderDetailSerializer,
            422: OpenApiResponse(
                {"$ref": "#/components/schemas/ValidationErrors"},
                description="The Idempotency-Key came back with another body "
                "(code idempotency_key_reused).",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A repeat of the key returns the first order (200).",
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = OrderInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        merchant = acting_merchant(self.reach, data.pop("merchant", None))
        kwargs = {
            "platform": data["platform"],
            "external_id": data.get("external_id", ""),
            "buyer_name": data.get("buyer_name", ""),
            "buyer_country": data["buyer_country"],
            "currency": data["currency"],
            "stream_id": data.get("stream"),
            "placed_at": data.get("placed_at"),
            "actor": request.user,
            "lines": [
                LineIn(
                    product_id=line["product"],
                    quantity=line["quantity"],
                    unit_price=line.get("unit_price"),
                    flash_deal_id=line.get("flash_deal"),
                )
                for line in data["lines"]
            ],
        }
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            order, created = services.order_place_idempotent(
                reach=self.reach,
                merchant=merchant,
                key=key,
                fingerprint=_fingerprint(request.data),
                **kwargs,
            )
        else:
            order = services.order_place(reach=self.reach, merchant=merchant, **kwargs)
            created = True
        if not created:
            order = selectors.order_list_with_lines(reach=self.reach).get(pk=order.pk)
        # A new order comes back from the intake with its lines (and their products) in hand.
        return Response(
            OrderDetailSerializer(order).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _transition(self, request, service, order=None, **extra):
        order = order or self.get_object()
        service(reach=self.reach, order=order, actor=request.user, **extra)
        order = selectors.order_list_with_lines(reach=self.reach).get(pk=order.pk)
        return Response(OrderDetailSerializer(order).data)

    @extend_schema(request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._transition(request, services.order_pay)

    @extend_schema(request=ShipSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        """Ship a paid order with its carrier, tracking number and insured value (recorded as
        its shipment, as a bulk shipment records each). A foreign order is not found (404)
        before its body is read."""
        order = self.get_object()
        serializer = ShipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._transition(
            request,
            services.order_ship,
            order=order,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            insured_value=data.get("insured_value"),
        )

    @extend_schema(request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._transition(request, services.order_deliver)

    @extend_schema(request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, services.order_complete)

    @extend_schema(request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, services.order_cancel)

    @extend_schema(request=RefundSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund in CNY: the whole remainder by default, or ``amount_cny`` of it."""
        serializer = RefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(
            request,
            services.order_refund,
            amount_cny=serializer.validated_data.get("amount_cny"),
            note=serializer.validated_data.get("note", ""),
        )

    @extend_schema(request=BulkOrdersSerializer, responses=BulkPaidSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-mark-paid")
    def bulk_mark_paid(self, request):
        """Mark many pending orders paid at once, all or none: one that cannot be paid answers
        409 naming it (``orders.<index>``) and nothing changes."""
        serializer = BulkOrdersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        orders = bulk.orders_mark_paid_bulk(
            reach=self.reach, order_ids=serializer.validated_data["orders"], actor=request.user
        )
        rows = selectors.order_list(reach=self.reach).filter(pk__in=[o.pk for o in orders])
        body = {"paid": len(orders), "orders": rows.order_by("pk")}
        return Response(BulkPaidSerializer(body).data)

    @extend_schema(request=BulkShipSerializer, responses=BulkShippedSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-ship")
    def bulk_ship(self, request):
        """Ship many paid orders at once, each with its carrier, tracking number and insured
        value; all or none: a refused row answers 409 or 400 naming it
        (``shipments.<index>.<field>``) and nothing changes."""
        serializer = BulkShipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [
            bulk.ShipmentIn(
                order_id=row["order"],
                carrier=row["carrier"],
                tracking_number=row["tracking_number"],
                insured_value=row.get("insured_value"),
            )
            for row in serializer.validated_data["shipments"]
        ]
        shipments = bulk.orders_ship_bulk(reach=self.reach, shipments=rows, actor=request.user)
        body = {"shipped": len(shipments), "shipments": shipments}
        return Response(BulkShippedSerializer(body).data)


class FlashDealSerializer(serializers.ModelSerializer):
    # Plain ids: the view looks them up within the caller's reach (a foreign one is a 404).
    stream = serializers.IntegerField(source="stream_id")
    product = serializers.IntegerField(source="product_id")

    class Meta:
        model = FlashDeal
        fields = [
            "id",
            "stream",
            "product",
            "deal_price",
            "quantity",
            "remaining",
            "per_buyer_limit",
            "starts_at",
            "duration",
            "ends_at",
            "ended",
        ]
        read_only_fields = ["remaining", "ends_at", "ended"]
        extra_kwargs = {"starts_at": {"required": False}}


class FlashDealViewSet(
    ReachMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Flash deals during a live: a quantity set aside from stock at a deal price."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = FlashDeal.objects.none()
    reach_rule = staticmethod(require_reader)  # trainers: 403, as on the pages
    serializer_class = FlashDealSerializer
    filterset_fields = ["stream", "product", "ended"]

    def get_queryset(self):
        return selectors.flash_deal_list(reach=self.reach)

    def create(self, request, *args, **kwargs):
        serializer = FlashDealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A foreign stream or product answers 404, like any id outside the caller's reach.
        stream = self.reach.scope(LiveStream.objects.filter(pk=data["stream_id"])).first()
        product = (
            catalogue_selectors.product_list(reach=self.reach).filter(pk=data["product_id"]).first()
        )
        if stream is None or product is None:
            raise Http404
        deal = flash_deals.flash_deal_create(
            reach=self.reach,
            stream=stream,
            product=product,
            deal_price=data["deal_price"],
            quantity=data["quantity"],
            per_buyer_limit=data.get("per_buyer_limit", 1),
            starts_at=data.get("starts_at"),
            duration=data["duration"],
        )
        return Response(FlashDealSerializer(deal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=FlashDealSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the deal now: its unsold units go back to stock."""
        deal = self.get_object()
        flash_deals.flash_deal_end(reach=self.reach, deal_id=deal.pk)
        return Response(FlashDealSerializer(selectors.flash_deal_get(reach=self.reach, pk=pk)).data)


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "cny_per_unit", "valid_from"]
        validators = []


class ExchangeRateViewSet(
    ReachMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The base's exchange rates (CNY per unit from a day on). Base managers keep them; an
    order's CNY amount is fixed with the rate valid on the day it is placed."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = ExchangeRate.objects.none()
    reach_rule = staticmethod(require_reader)  # trainers: 403, as on the pages
    serializer_class = ExchangeRateSerializer
    filterset_fields = ["currency"]

    def get_queryset(self):
        return selectors.exchange_rate_list(reach=self.reach)

    def create(self, request, *args, **kwargs):
        serializer = ExchangeRateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate = money.exchange_rate_set(reach=self.reach, **serializer.validated_data)
        return Response(ExchangeRateSerializer(rate).data, status=status.HTTP_201_CREATED)


class ClaimSerializer(serializers.ModelSerializer):
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    outcome = plain_choice_field(BreakageClaim.Outcome.choices, read_only=True)

    class Meta:
        model = BreakageClaim
        # The photo stays on the order's page: uploads are served to the signed-in pages only.
        fields = [
            "id",
            "order",
            "shipment",
            "lines",
            "note",
            "outcome",
            "refund_cny",
            "filed_at",
            "decided_at",
        ]
        read_only_fields = fields


class ClaimInSerializer(serializers.Serializer):
    """A breakage claim: the shipped order, the lines that arrived broken and the buyer's photo
    (JPEG, PNG or WebP, at most 8 MB and 40 megapixels)."""

    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=bounds.MAX_LINES,
    )
    photo = serializers.FileField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClaimDecisionSerializer(serializers.Serializer):
    outcome = plain_choice_field(
        [c for c in BreakageClaim.Outcome.choices if c[0] != BreakageClaim.Outcome.OPEN]
    )
    refund_cny = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=bounds.MAX_ORDER_CNY,
        required=False,
        allow_null=True,
        help_text="A refund: this much CNY; empty, the broken lines' worth (at most what is "
        "left to refund).",
    )


class ClaimViewSet(
    ReachMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Transit-breakage claims of orders within reach: filed with the buyer's photo
    (``multipart/form-data``) for a shipped order, and decided (a refund through the order's
    refund, a reshipment or a rejection). The photo itself is read on the order's page only."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = BreakageClaim.objects.none()
    reach_rule = staticmethod(require_orders_reader)  # trainers and hosts: 403, as on the pages
    serializer_class = ClaimSerializer
    filterset_fields = ["order", "outcome"]
    ordering_fields = ["filed_at", "id"]
    # The claim's photo comes as a file; the decision is JSON (its action says so).
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return selectors.claim_list(reach=self.reach)

    def _out(self, pk: int, code=status.HTTP_200_OK) -> Response:
        claim = selectors.claim_list(reach=self.reach).get(pk=pk)
        return Response(ClaimSerializer(claim).data, status=code)

    @extend_schema(
        request={"multipart/form-data": ClaimInSerializer}, responses={201: ClaimSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = ClaimInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = selectors.order_get(reach=self.reach, pk=data["order"])
        claim = claims.claim_file(
            reach=self.reach,
            order=order,
            line_ids=data["lines"],
            photo=data["photo"],
            note=data["note"],
            actor=request.user,
        )
        return self._out(claim.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ClaimDecisionSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def decide(self, request, pk=None):
        """Decide an open claim: ``refunded`` (refunds the order), ``reshipped`` or ``rejected``."""
        claim = self.get_object()
        serializer = ClaimDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claims.claim_decide(
            reach=self.reach,
            claim=claim,
            outcome=serializer.validated_data["outcome"],
            refund_cny=serializer.validated_data.get("refund_cny"),
            actor=request.user,
        )
        return self._out(claim.pk)
