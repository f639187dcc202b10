"""The navigation of each role. An entry whose URL name does not exist (yet) is left out.

A merchant member's entries also name the capability they need (``merchants.permissions``), so
a host's menu shows only what a host may open."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.tenancy import ADMIN, MANAGER, MERCHANT, TRAINER, Reach
from merchants import permissions as team

# (label, url name, roles[, the capability a merchant member needs])
ENTRIES = [
    (_("Home"), "home", {MANAGER, TRAINER, MERCHANT, ADMIN}),
    (_("Dashboard"), "dashboard", {MANAGER, ADMIN}),
    (_("Live board"), "board", {MANAGER, ADMIN}),
    (_("Incubation"), "incubation_analytics", {MANAGER, ADMIN}),
    (_("Monthly report"), "monthly_report", {MANAGER, ADMIN}),
    (_("Merchants"), "merchants:merchant_list", {MANAGER, ADMIN}),
    (_("Falling behind"), "merchants:supervision_behind", {MANAGER, ADMIN}),
    (_("Follow-ups"), "merchants:follow_ups", {MANAGER, ADMIN}),
    (_("Room schedule"), "livestreams:room_grid", {MANAGER, ADMIN}),
    (_("Streams"), "livestreams:base_streams", {MANAGER, ADMIN}),
    (_("Rooms"), "livestreams:room_list", {MANAGER, ADMIN}),
    (_("Cohorts"), "training:cohort_list", {TRAINER, MANAGER, ADMIN}),
    (_("Courses"), "training:course_list", {TRAINER, ADMIN}),
    (_("Trainees"), "training:trainee_list", {TRAINER, ADMIN}),
    (_("Streams"), "livestreams:calendar", {MERCHANT}, team.STREAMS_READ),
    (_("Catalogue"), "orders:product_list", {MERCHANT}, team.CATALOGUE_READ),
    (_("Orders"), "orders:order_list", {MERCHANT}, team.ORDERS_READ),
    (_("Turnover"), "merchant_dashboard", {MERCHANT}, team.TURNOVER_READ),
    (_("My store"), "merchants:my_merchant", {MERCHANT}),
]


def entries_for(reach: Reach, current_path: str = "") -> list[dict]:
    items = []
    for label, url_name, roles, *needs in ENTRIES:
        if reach.role not in roles:
            continue
        if reach.role == MERCHANT and needs and not team.role_may(reach, needs[0]):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = url == current_path if url == "/" else current_path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items
