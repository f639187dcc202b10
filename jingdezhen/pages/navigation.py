"""The navigation of each role. An entry whose URL name does not exist (yet) is left out."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.tenancy import ADMIN, MANAGER, MERCHANT, TRAINER, Reach

# (label, url name, roles)
ENTRIES = [
    (_("Home"), "home", {MANAGER, TRAINER, MERCHANT, ADMIN}),
    (_("Dashboard"), "dashboard", {MANAGER, ADMIN}),
    (_("Incubation"), "incubation_analytics", {MANAGER, ADMIN}),
    (_("Merchants"), "merchants:merchant_list", {MANAGER, ADMIN}),
    (_("Room schedule"), "livestreams:room_grid", {MANAGER, ADMIN}),
    (_("Streams"), "livestreams:base_streams", {MANAGER, ADMIN}),
    (_("Rooms"), "livestreams:room_list", {MANAGER, ADMIN}),
    (_("Cohorts"), "training:cohort_list", {TRAINER, MANAGER, ADMIN}),
    (_("Courses"), "training:course_list", {TRAINER, ADMIN}),
    (_("Trainees"), "training:trainee_list", {TRAINER, ADMIN}),
    (_("Streams"), "livestreams:calendar", {MERCHANT}),
    (_("Catalogue"), "orders:product_list", {MERCHANT}),
    (_("Orders"), "orders:order_list", {MERCHANT}),
    (_("Turnover"), "merchant_dashboard", {MERCHANT}),
    (_("My store"), "merchants:my_merchant", {MERCHANT}),
]


def entries_for(reach: Reach, current_path: str = "") -> list[dict]:
    items = []
    for label, url_name, roles in ENTRIES:
        if reach.role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = url == current_path if url == "/" else current_path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items
