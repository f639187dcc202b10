"""Incubation analytics: the funnel from trainees to graduates and the cohorts of newcomers.

The figures are the merchants' (merchants.incubation); this top layer hands them what other apps
own: the trainees (training's selectors) and each merchant's first day with turnover (the
orders' turnover selectors).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingdezhen.core.tenancy import Reach, get_reach
from merchants import incubation
from orders.turnover import selectors as turnover
from training import selectors as training

from .charts import bar_list
from .downloads import csv_response

COHORT_CSV_HEADER = [
    "cohort",
    "merchants",
    "streamed",
    "median_days_to_first_stream",
    "sold",
    "median_days_to_first_sale",
    "reached_10k_day",
]


def funnel(*, reach: Reach) -> list[dict]:
    """Trainees -> applicants -> incubating -> graduated (two queries)."""
    stages = incubation.stage_funnel(reach=reach)
    trainees = training.trainee_count(reach=reach)
    return [
        {"key": "trainees", "label": gettext_lazy("Trainees"), "count": trainees},
        *stages,
    ]


def cohorts(*, reach: Reach) -> list[dict]:
    """The cohorts of newcomers, their first sales read from the rollups (two queries)."""
    return incubation.incubation_cohorts(
        reach=reach, first_sale=turnover.first_sale_day(reach=reach)
    )


def _blank_if_none(value) -> object:
    return "" if value is None else value


def _cohort_csv_rows(rows: list[dict]) -> list[list]:
    return [
        [
            c["month"].strftime("%Y-%m"),
            c["size"],
            c["streamed"],
            _blank_if_none(c["median_days_to_stream"]),
            c["sold"],
            _blank_if_none(c["median_days_to_sale"]),
            c["reached_10k"],
        ]
        for c in rows
    ]


@login_required
def incubation_analytics(request: HttpRequest) -> HttpResponse:
    reach = get_reach(request)
    rows = cohorts(reach=reach)
    if request.GET.get("format") == "csv":
        return csv_response("incubation-cohorts.csv", COHORT_CSV_HEADER, _cohort_csv_rows(rows))
    steps = funnel(reach=reach)
    context = {
        "cohorts": rows,
        "funnel": steps,
        "funnel_chart": bar_list([(str(step["label"]), step["count"]) for step in steps]),
        "funnel_top": max((step["count"] for step in steps), default=0),
        "has_trainees": True,  # the training app is installed: its trainees are counted
        "title": _("Incubation analytics"),
    }
    return render(request, "jingdezhen/incubation.html", context)
