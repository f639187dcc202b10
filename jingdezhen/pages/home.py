"""What each role's home page shows. Later apps add their figures here through selectors."""

from __future__ import annotations

from django.db.models import Count

from jingdezhen.core.tenancy import Reach
from merchants import selectors as merchant_selectors


def home_context(reach: Reach) -> dict:
    if reach.is_merchant:
        merchant = merchant_selectors.merchant_get(reach=reach, pk=reach.merchant_id)
        team = merchant_selectors.team_list(reach=reach, merchant_id=merchant.pk)
        return {"template_role": "merchant", "merchant": merchant, "team": team}
    if reach.is_trainer:
        return {"template_role": "trainer"}
    if reach.is_manager or reach.is_admin:
        by_stage = dict(
            merchant_selectors.merchant_list(reach=reach)
            .order_by()
            .values_list("stage")
            .annotate(n=Count("id"))
        )
        return {
            "template_role": "manager",
            "merchants_by_stage": by_stage,
            "merchant_total": sum(by_stage.values()),
        }
    return {"template_role": "none"}
