"""The tenancy matrix, generated from the URL resolver.

Every route that takes an object (a path parameter) is asked, by every role, for objects that role
may not read: another merchant's of the same base and another base's, one of each model with a
``Tenancy``. Pages are asked with GET and POST on a logged-in session, API routes with GET, POST,
PUT, PATCH and DELETE on a token. The only acceptable answers are 403, 404 and 405 (or a redirect
to a login page where the route wants staff or a login). Each route, parameter and method is asked
for an id of no row first, and then for the foreign rows of the tables that request read with it
(``_probe_routes``, tests/support/reads.py): a foreign id of any other table would get the answer
the absent id got. A route added later is covered without anyone listing it here. The worlds and
the reasoning behind their ids: tests/support/worlds.py.

Every route without parameters is read by every role too: no answer may show the name of an object
that role may not read.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.test import Client
from rest_framework.authtoken.models import Token

from jingdezhen.core.tenancy import reach_for
from tests.support.reads import ABSENT_ID, EVERY_TABLE, Reads, table_of
from tests.support.routes import Route, all_routes
from tests.support.worlds import (
    OTHER_BASE_MARK,
    SAME_BASE_MARK,
    foreign_samples,
    next_floor,
    own_sample,
    tenancy_models,
)

# A viewer added here (a member role of a merchant, say) costs one probe per route family.
# The merchant's owner and two of its team with narrower roles (a host, customer service): a
# team role narrows what a member may do inside its merchant and never widens its reach.
VIEWERS = ["manager", "trainer", "merchant", "host", "service"]
# The object routes are probed in parts, one test per viewer and family, so the two xdist workers
# share the matrix evenly; together the families are every object route (a guard test checks).
FAMILIES = ["api", "admin", "pages"]
PAGE_METHODS = ["get", "post"]
API_METHODS = ["get", "post", "put", "patch", "delete"]
REFUSED = {403, 404, 405}
# How many ids the admin of a model without a Tenancy is asked for (see _ids_for).
UNTENANTED_ADMIN_IDS = 3
# Which planted markers each viewer must never be shown.
FORBIDDEN_MARKS = {
    "manager": {OTHER_BASE_MARK},
    "trainer": {OTHER_BASE_MARK},
    "merchant": {OTHER_BASE_MARK, SAME_BASE_MARK},
    "host": {OTHER_BASE_MARK, SAME_BASE_MARK},
    "service": {OTHER_BASE_MARK, SAME_BASE_MARK},
    "anonymous": {OTHER_BASE_MARK, SAME_BASE_MARK},
}


def object_routes() -> list[Route]:
    return [r for r in all_routes() if r.params and not r.is_format_suffix and not r.is_public]


def family_of(route: Route) -> str:
    return "api" if route.is_api else "admin" if route.is_admin else "pages"


def family_routes(family: str) -> list[Route]:
    return [r for r in object_routes() if family_of(r) == family]


def plain_routes() -> list[Route]:
    return [r for r in all_routes() if not r.params]


def _model_for_param(param: str):
    """A parameter named after a model (merchant_pk, stream_id, cohort) holds one of its ids."""
    stem = param.removesuffix("_pk").removesuffix("_id")
    for model in tenancy_models():
        if stem in {model._meta.model_name, model.__name__.lower()}:
            return model
    return None


def _clients(user) -> tuple[Client, Client]:
    page = Client(headers={"Accept-Language": "en"})
    api = Client(headers={"Accept-Language": "en"})
    if user is not None:
        page.force_login(user)
        token, _ = Token.objects.get_or_create(user=user)
        api.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return page, api


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code == 401:  # the API to a caller without credentials
        return True
    if response.status_code in {301, 302}:
        return "login" in response.get("Location", "")
    return False


def _call(client: Client, method: str, url: str):
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data={}, content_type="application/json")


def _by_id(samples) -> dict:
    """Samples grouped by id (the worlds give each table ids of its own, but a table without a
    sequence of its own may share one)."""
    grouped: dict = {}
    for sample in samples:
        grouped.setdefault(sample.pk, []).append(sample)
    return grouped


def _reachable(ids: dict, tables: frozenset) -> dict:
    """The ids among ``ids`` of a row in one of ``tables`` (tests/support/reads.py)."""
    if tables == EVERY_TABLE:
        return ids
    return {
        pk: found for pk, found in ids.items() if any(table_of(s.model) in tables for s in found)
    }


def _ids_for(route: Route, samples, by_id: dict) -> dict:
    """The foreign ids a route is asked for.

    An admin page looks its object up in its own ModelAdmin's model and nowhere else (Django's
    ``ModelAdmin.get_object``), so it is asked for that model's foreign rows only; asking it for
    the ids of every other table asks the same question of rows it can never load, tens of
    thousands of times per viewer. The admin of a model that belongs to no tenant (groups, beat
    schedules, axes' records) has no foreign row: it is asked for a few ids, enough to show it
    refuses whatever the row. Every other route may look its parameter up in any table, so it is
    asked for every foreign id."""
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is None:
        return by_id
    label = model_admin.model._meta.label
    labelled = {s.pk for s in samples if s.model == label}
    if labelled:
        return {pk: what for pk, what in by_id.items() if pk in labelled}
    return dict(list(by_id.items())[:UNTENANTED_ADMIN_IDS])


@contextmanager
def _refusals_unlogged():
    """Django logs every 4xx as a warning; the matrix asks tens of thousands of refused requests
    and reads their status codes, so writing each one out is time spent on nothing."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _probe(routes, user, samples, label) -> tuple[int, list[str]]:
    with _refusals_unlogged():
        return _probe_routes(routes, user, samples, label)


def _probe_routes(routes, user, samples, label) -> tuple[int, list[str]]:
    """Every route, parameter and method, asked first for an id of no row while its statements are
    watched (tests/support/reads.py), then for each foreign id of a row it could load: a foreign
    id of a table the request never read with the absent id gets the absent id's answer, which
    was a refusal. A route that does not refuse the absent id is asked for every foreign id."""
    page_client, api_client = _clients(user)
    failures, asked = [], 0
    by_id = _by_id(samples)
    owns: dict = {}  # model -> the viewer's first own id of it (asked once, not per request)

    def own_of(model):
        if model not in owns:
            owns[model] = own_sample(user, model)
        return owns[model]

    for route in routes:
        client = api_client if route.is_api else page_client
        methods = API_METHODS if route.is_api else PAGE_METHODS
        ids = _ids_for(route, samples, by_id)
        for probed in route.params:
            fixed = {}
            for param in route.params:
                model = _model_for_param(param) if param != probed else None
                fixed[param] = own_of(model) if model is not None and user else None

            def url_with(pk, route=route, fixed=fixed):
                values = {p: pk if v is None else v for p, v in fixed.items()}
                return route.url(**values)

            absent_url = url_with(ABSENT_ID)
            if absent_url is None:
                continue  # this parameter does not take an id (an app label, say)
            for method in methods:
                with Reads(ABSENT_ID) as reads:
                    absent = _call(client, method, absent_url)
                asked += 1
                tried = _reachable(ids, reads.tables()) if _refused(absent) else ids
                for pk, found in tried.items():
                    url = url_with(pk)
                    if url is None:
                        continue
                    response = _call(client, method, url)
                    asked += 1
                    if not _refused(response):
                        what = ", ".join(f"{s.model} of the {s.where}" for s in found)
                        failures.append(
                            f"{label} {method.upper()} {url} ({route.name or route.pattern}; "
                            f"{what}) -> {response.status_code}"
                        )
    return asked, failures


def test_the_route_families_are_every_object_route():
    """Guards the split: no object route falls outside the families probed below."""
    routes = object_routes()
    assert routes
    assert sorted(map(repr, routes)) == sorted(
        repr(r) for family in FAMILIES for r in family_routes(family)
    )
    assert all(family_routes(family) for family in FAMILIES)


@pytest.mark.django_db
def test_the_absent_id_shows_which_foreign_rows_a_route_can_load(worlds):
    """Guards the narrowing of ``_probe_routes``: the absent id is the id of no row, the API's
    merchant route reads the merchants table with it (so the foreign merchants are asked for),
    and a page that sends an anonymous visitor to the login page reads nothing with it."""
    assert next_floor() <= ABSENT_ID
    user = worlds.home_users["merchant"]
    by_id = _by_id(foreign_samples(user, worlds))
    _, api_client = _clients(user)
    with Reads(ABSENT_ID) as reads:
        assert api_client.get(f"/api/v1/merchants/{ABSENT_ID}/").status_code == 404
    assert "merchants_merchant" in reads.tables()
    reached = {s.model for found in _reachable(by_id, reads.tables()).values() for s in found}
    assert "merchants.Merchant" in reached
    assert len(reached) < len({s.model for found in by_id.values() for s in found})
    page_client, _ = _clients(None)
    with Reads(ABSENT_ID) as reads:
        answer = page_client.get(f"/dashboard/merchants/{ABSENT_ID}/")
    assert _refused(answer)
    assert reads.tables() == frozenset()
    assert _reachable(by_id, reads.tables()) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_role_reaches_a_foreign_object_on_any_route(worlds, viewer, family):
    user = worlds.home_users[viewer]
    samples = foreign_samples(user, worlds)
    assert {s.where for s in samples} >= {"other base"}
    asked, failures = _probe(family_routes(family), user, samples, viewer)
    assert asked > 0
    assert not failures, f"{len(failures)} of {asked} requests reached a foreign object:\n" + (
        "\n".join(failures[:60])
    )


@pytest.mark.django_db
def test_every_model_the_demo_fills_is_tried_from_both_foreign_worlds(worlds):
    """Guards the matrix itself: each model with rows for the home merchant has a twin row (same
    base) and each model with rows at the home base has a row at the other base, so each is tried.
    If this fails after a new app lands, its demo seed is not idempotent per merchant."""
    user = worlds.home_users["merchant"]
    merchant_id = reach_for(user).merchant_id
    sampled = {(s.model, s.where) for s in foreign_samples(user, worlds)}
    missing = []
    for model in tenancy_models():
        rows = model._default_manager.filter(pk__lt=worlds.twin_floor)
        policy = model.Tenancy
        label = model._meta.label
        base_lookup = "pk" if policy.base == "id" else f"{policy.base}_id"
        at_home = rows.filter(**{base_lookup: worlds.home.pk}).exists()
        if at_home and (label, "other base") not in sampled:
            missing.append(f"{label}: no row of the other base")
        if policy.merchant is not None:
            lookup = "pk" if policy.merchant == "id" else f"{policy.merchant}_id"
            if (
                rows.filter(**{lookup: merchant_id}).exists()
                and (label, "same base") not in sampled
            ):
                missing.append(f"{label}: no row of a twin merchant")
    assert not missing, "\n".join(missing)


@pytest.mark.django_db
def test_anonymous_visitors_reach_no_object(worlds):
    samples = foreign_samples(worlds.home_users["merchant"], worlds)[:2]
    asked, failures = _probe(object_routes(), None, samples, "anonymous")
    assert asked > 0
    assert not failures, "\n".join(failures[:60])


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", [*VIEWERS, "anonymous"])
def test_no_page_or_api_list_shows_a_foreign_name(worlds, viewer):
    user = worlds.home_users.get(viewer)
    page_client, api_client = _clients(user)
    shown = []
    for route in plain_routes():
        if route.is_admin:
            continue
        url = route.url()
        response = (api_client if route.is_api else page_client).get(url)
        assert response.status_code < 500, f"{viewer} GET {url} -> {response.status_code}"
        if 200 <= response.status_code < 300 and not response.streaming:
            body = response.content.decode(errors="replace")
            shown += [f"{viewer} GET {url} shows {m}" for m in FORBIDDEN_MARKS[viewer] if m in body]
    assert not shown, "\n".join(shown)


@pytest.mark.django_db
def test_the_markers_are_visible_to_who_may_read_them(worlds):
    """Guards the marker check: the manager's merchant list does show the twins' marker."""
    _, api_client = _clients(worlds.home_users["manager"])
    assert SAME_BASE_MARK in api_client.get("/api/v1/merchants/?page_size=500").content.decode()
    assert apps.get_model("merchants", "Merchant").objects.filter(name__contains=OTHER_BASE_MARK)
