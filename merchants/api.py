"""REST API of merchants: thin viewsets over the same selectors the pages use."""

from rest_framework import serializers, viewsets

from jingdezhen.api import ReachMixin

from . import selectors
from .models import Merchant


class MerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = [
            "id",
            "base",
            "name",
            "kind",
            "stage",
            "status",
            "description",
            "joined_on",
            "created_at",
        ]
        read_only_fields = fields


class MerchantViewSet(ReachMixin, viewsets.ReadOnlyModelViewSet):
    """Merchants within the caller's reach: the base's for managers and trainers, one's own for a
    merchant member."""

    serializer_class = MerchantSerializer
    filterset_fields = ["stage", "status", "kind"]
    ordering_fields = ["name", "joined_on", "id"]

    def get_queryset(self):
        return selectors.merchant_list(reach=self.reach)


def register(router) -> None:
    router.register("merchants", MerchantViewSet, basename="merchant")
