"""What the orders app's viewsets share: the merchant an API write is for."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jingdezhen.core.tenancy import Reach
from merchants import selectors as merchant_selectors
from merchants.models import Merchant


def acting_merchant(reach: Reach, merchant_id: int | None) -> Merchant:
    """The merchant a write is for: one's own for a member; a manager names one of the base.
    A merchant out of reach answers 404 (the selector); whether the caller may write for it,
    the service decides."""
    if merchant_id is None:
        if not reach.is_merchant:
            raise serializers.ValidationError({"merchant": [_("Name the merchant.")]})
        merchant_id = reach.merchant_id
    if reach.merchant is not None and reach.is_merchant and merchant_id == reach.merchant_id:
        # The member's own merchant, read with the request's reach a moment ago (one query).
        return reach.merchant
    return merchant_selectors.merchant_get(reach=reach, pk=merchant_id)
