"""REST API of the daily turnover rollups: GET /api/v1/turnover/daily/ (read-only).

Merchant members see their own merchant's rows, base managers their base's; trainers none.
"""

from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from jingdezhen.core.api import IdFilter, ReachMixin
from jingdezhen.core.bounds import check_day
from jingdezhen.core.errors import DomainError
from jingdezhen.core.platforms import Platform

from ..models import DailyTurnover
from . import selectors


class DailyTurnoverSerializer(serializers.ModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta:
        model = DailyTurnover
        fields = [
            "id",
            "day",
            "merchant",
            "merchant_name",
            "platform",
            "gross_cny",
            "refunded_cny",
            "net_cny",
            "orders",
            "units",
            "overseas_cny",
            "overseas_orders",
            "rolled_at",
        ]
        read_only_fields = fields


class MerchantRowsFilter(IdFilter):
    """``merchant``: one merchant's rows, found through its days (see selectors.merchant_rows)."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs if value in (None, "") else selectors.merchant_rows(qs, value)


def day_in_window(value) -> None:
    """A day parameter lies in the window pages may be asked about (jingdezhen.core.bounds)."""
    try:
        check_day(value, field="day")
    except DomainError as exc:
        raise ValidationError(exc.message, code="day_out_of_window") from exc


class DailyTurnoverFilter(filters.FilterSet):
    merchant = MerchantRowsFilter(field_name="merchant")
    platform = filters.ChoiceFilter(choices=Platform.choices)
    date_from = filters.DateFilter(field_name="day", lookup_expr="gte", validators=[day_in_window])
    date_to = filters.DateFilter(field_name="day", lookup_expr="lte", validators=[day_in_window])

    class Meta:
        model = DailyTurnover
        fields = ["merchant", "platform", "date_from", "date_to"]


class DailyTurnoverViewSet(ReachMixin, viewsets.ReadOnlyModelViewSet):
    """Daily turnover per merchant and platform (CNY), from the rollups. Filter by `merchant`,
    `platform`, `date_from` and `date_to` (local days, inclusive)."""

    reach_rule = staticmethod(selectors.require_reader)
    queryset = DailyTurnover.objects.none()  # the schema's model; rows come from the selector
    serializer_class = DailyTurnoverSerializer
    filterset_class = DailyTurnoverFilter
    ordering_fields = ["day", "net_cny", "gross_cny", "orders"]
    ordering = ["-day", "merchant_id", "platform"]

    def get_queryset(self):
        return selectors.turnover_daily_list(reach=self.reach)


def register(router) -> None:
    router.register("turnover/daily", DailyTurnoverViewSet, basename="turnover-daily")
