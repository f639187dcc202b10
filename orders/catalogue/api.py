"""REST API of the catalogue: products, their photos, stock and platform prices."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from jingdezhen.core.api import MAX_COUNT, ReachMixin
from jingdezhen.core.platforms import Platform
from orders.api_helpers import acting_merchant
from orders.catalogue import selectors, services
from orders.models import Product, ProductPhoto
from orders.models.catalogue import PRODUCT_FIELDS
from orders.ordering import money
from orders.permissions import require_reader


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductPhoto
        fields = ["id", "image", "thumbnail", "width", "height", "position"]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer):
    photos = PhotoSerializer(many=True, read_only=True)
    platform_prices = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "merchant",
            "sku",
            *PRODUCT_FIELDS,
            "stock",
            "photos",
            "platform_prices",
            "created_at",
        ]
        read_only_fields = ["merchant", "stock", "created_at"]
        # The SKU's uniqueness is the service's to check (a clear 409), not a validator's.
        validators = []

    def get_platform_prices(self, product) -> dict[str, str]:
        return {p.platform: str(p.price) for p in product.platform_prices.all()}


class ProductCreateSerializer(ProductSerializer):
    merchant = serializers.IntegerField(required=False)
    stock = serializers.IntegerField(min_value=0, max_value=services.MAX_STOCK, default=0)

    class Meta(ProductSerializer.Meta):
        read_only_fields = ["created_at"]


class RestockSerializer(serializers.Serializer):
    change = serializers.IntegerField(min_value=-MAX_COUNT, max_value=MAX_COUNT)


class PlatformPriceSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()


class ProductViewSet(ReachMixin, viewsets.ModelViewSet):
    """The catalogue: a merchant's own products; base managers read all of their base."""

    # The schema's model only: rows come from get_queryset (whose selectors refuse a role).
    queryset = Product.objects.none()
    reach_rule = staticmethod(require_reader)  # trainers: 403, as on the pages
    filterset_fields = ["ware_type", "category", "tier", "technique", "kiln", "is_active"]
    ordering_fields = ["name", "price", "stock", "created_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        in_stock = self.request.query_params.get("in_stock")
        return selectors.product_list(
            reach=self.reach,
            in_stock={"true": True, "1": True, "false": False, "0": False}.get(in_stock or ""),
        ).order_by("name", "id")

    def get_serializer_class(self):
        return ProductCreateSerializer if self.action == "create" else ProductSerializer

    @extend_schema(
        parameters=[OpenApiParameter("in_stock", OpenApiTypes.BOOL, description="Has stock.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = ProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        merchant = acting_merchant(self.reach, data.pop("merchant", None))
        product = services.product_create(reach=self.reach, merchant=merchant, **data)
        return Response(self._out(product.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        product = self.get_object()
        serializer = ProductSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "sku"}
        services.product_update(reach=self.reach, product=product, **fields)
        return Response(self._out(product.pk))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _out(self, pk) -> dict:
        """The product as the API shows it (photo links absolute, as in the list)."""
        product = selectors.product_get(reach=self.reach, pk=pk)
        return ProductSerializer(product, context=self.get_serializer_context()).data

    @extend_schema(request=RestockSerializer, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def restock(self, request, pk=None):
        """Add units to stock, or remove them with a negative change."""
        product = self.get_object()
        serializer = RestockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.product_restock(
            reach=self.reach, product=product, change=serializer.validated_data["change"]
        )
        return Response(self._out(pk))

    @extend_schema(request=PlatformPriceSerializer, responses=ProductSerializer)
    @action(detail=True, methods=["post"], url_path="platform-price")
    def platform_price(self, request, pk=None):
        """Set (or clear, with a null price) the product's price on one platform."""
        product = self.get_object()
        serializer = PlatformPriceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        money.platform_price_set(reach=self.reach, product=product, **serializer.validated_data)
        return Response(self._out(pk))

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Upload a photo (JPEG, PNG or WebP, at most 8 MB and 40 megapixels)."""
        product = self.get_object()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.product_photo_add(
            reach=self.reach, product=product, upload=serializer.validated_data["image"]
        )
        return Response(
            PhotoSerializer(photo, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
