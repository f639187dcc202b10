"""Merchant pages: thin, they call selectors and services."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jingdezhen.tenancy import get_reach

from . import selectors


@login_required
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reach = get_reach(request)
    merchant = selectors.merchant_get(reach=reach, pk=pk)
    team = selectors.team_list(reach=reach, merchant_id=merchant.pk)
    return render(request, "merchants/merchant_detail.html", {"merchant": merchant, "team": team})


@login_required
def my_merchant(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    if not reach.is_merchant:
        return redirect("home")
    return redirect("merchants:merchant_detail", pk=reach.merchant_id)
