"""Worlds for tenancy proofs, built with the demo seed so every app's data appears by itself.

``build_worlds()`` makes three sets of rows whose primary keys cannot collide:

* the *home* world: the demo base with its accounts, every table's ids below 1,000,000;
* *twins*: more merchants of the same home base, seeded like the demo merchants, ids from
  1,000,000 (the objects of "another merchant of the same base");
* the *other base*: a second demo base, ids from 2,000,000.

Ids of foreign objects are therefore never ids of the viewer's own objects in any table: a route
asked for a foreign id can only answer 2xx by leaking. Names of foreign objects carry a marker
(``SAME_BASE_MARK``, ``OTHER_BASE_MARK``) that no page or API answer may show to a viewer who may
not read them.

The seeds run through ``jingdezhen.demo.run``: an app that fills its ``demo.py`` is covered without
touching this file. They are expected to be idempotent per merchant (a second run adds what is
missing for the merchants in ``ctx.demo_merchants``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Concat, Left

from jingdezhen.core.demo import DemoContext
from jingdezhen.core.tenancy import Reach, reach_for
from jingdezhen.demo import run
from merchants.models import Base, Merchant, User

STEP = 1_000_000
LANE = 10_000  # ids each table of a foreign world may hand out before the next table's
SAME_BASE_MARK = "QXSAMEBASEQX"
OTHER_BASE_MARK = "QXOTHERBASEQX"
MARKED_FIELDS = ("name", "title", "display_name")
HIDDEN = "~hidden~"


@dataclass
class Worlds:
    home: Base
    other: Base
    home_users: dict[str, User]  # demo username -> user of the home base
    twin_merchant_ids: set[int]
    twin_floor: int  # every row made after the home world has an id at least this
    other_floor: int
    marks: dict[str, set[str]] = field(default_factory=dict)  # viewer -> markers it must not see


def tenancy_models() -> list[type[models.Model]]:
    """Every model that declares who may read it."""
    return [m for m in apps.get_models() if hasattr(m, "Tenancy")]


def _sequences() -> list[tuple[str, str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, sequencename, coalesce(last_value, 0) FROM pg_sequences"
            " WHERE schemaname = current_schema()"
        )
        return cursor.fetchall()


def next_floor() -> int:
    """A round number above every id any table has handed out so far."""
    highest = max((last for _, _, last in _sequences()), default=0)
    return (highest // STEP + 1) * STEP


def restart_sequences(start: int) -> None:
    """Make every table of ours number its next rows from ``start``, each table from its own
    stretch (``start``, ``start + LANE``, ...), so that no two rows of one world share an id: a
    sample is taken only if its id is no id of anything the viewer may read, in any table."""
    sequences = sorted(_sequences())
    assert len(sequences) * LANE < STEP, "more tables than lanes: widen STEP"
    with connection.cursor() as cursor:
        for n, (schema, sequence, _) in enumerate(sequences):
            first = int(start) + n * LANE
            cursor.execute(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART WITH {first}')


def _seed(**options) -> DemoContext:
    return run(DemoContext(write=lambda _msg: None, **options))


@contextmanager
def _hidden(users=(), merchants=(), bases=()) -> Iterator[None]:
    """Rename rows the seed finds by name, so it makes new ones; restore the names after."""
    users, merchants, bases = list(users), list(merchants), list(bases)
    for user in users:
        User.objects.filter(pk=user.pk).update(username=HIDDEN + user.username)
    for merchant in merchants:
        Merchant.objects.filter(pk=merchant.pk).update(name=HIDDEN + merchant.name)
    for base in bases:
        Base.objects.filter(pk=base.pk).update(name=HIDDEN + base.name)
    yield
    for user in users:
        User.objects.filter(pk=user.pk).update(username=user.username)
    for merchant in merchants:
        Merchant.objects.filter(pk=merchant.pk).update(name=merchant.name)
    for base in bases:
        Base.objects.filter(pk=base.pk).update(name=base.name)


def _mark(queryset: models.QuerySet, marker: str) -> None:
    """Put ``marker`` in front of the name-like text fields of these rows."""
    for f in queryset.model._meta.concrete_fields:
        if f.name in MARKED_FIELDS and isinstance(f, models.CharField | models.TextField):
            value = Concat(Value(marker + " "), f.name)
            if f.max_length:
                value = Left(value, f.max_length)
            queryset.update(**{f.name: value})


def _rename_new_users(base: Base, exclude, prefix: str) -> None:
    for user in User.objects.filter(base=base).exclude(pk__in=[u.pk for u in exclude]):
        User.objects.filter(pk=user.pk).update(username=prefix + user.username)


def _id_lookup(path: str) -> str:
    return "pk" if path == "id" else f"{path}_id"


def build_worlds(*, merchants: int = 4, days: int = 7) -> Worlds:
    home_ctx = _seed(merchants=merchants, days=days)
    home = home_ctx.base
    home_users = {u.username: u for u in User.objects.filter(base=home)}

    # Twins: the named demo merchants again, in the same base, with their own data and owners.
    # The seed finds its merchants and users by name: hide the home ones while it runs, and give
    # the new ones names of their own before the home names come back.
    twin_floor = next_floor()
    restart_sequences(twin_floor)
    with _hidden(users=home_users.values(), merchants=home_ctx.demo_merchants):
        twin_ctx = _seed(merchants=0, days=days)
        twin_ids = {m.pk for m in twin_ctx.demo_merchants}
        _rename_new_users(home, exclude=home_users.values(), prefix="twin-")
        for model in tenancy_models():
            if model.Tenancy.merchant is not None:
                lookup = f"{_id_lookup(model.Tenancy.merchant)}__in"
                _mark(model._default_manager.filter(**{lookup: twin_ids}), SAME_BASE_MARK)

    # The other base: the whole demo again under the same names, then renamed and marked.
    other_floor = next_floor()
    restart_sequences(other_floor)
    with _hidden(users=User.objects.filter(base=home), bases=[home]):
        other = _seed(merchants=merchants, days=days).base
        _rename_new_users(other, exclude=(), prefix="other-")
        for model in tenancy_models():
            lookup = _id_lookup(model.Tenancy.base)
            _mark(model._default_manager.filter(**{lookup: other.pk}), OTHER_BASE_MARK)
    other.refresh_from_db()

    return Worlds(
        home=home,
        other=other,
        home_users=home_users,
        twin_merchant_ids=twin_ids,
        twin_floor=twin_floor,
        other_floor=other_floor,
    )


def readable_ids(reach: Reach) -> set:
    """Primary keys of every row, in any table with a Tenancy, that this reach may read."""
    ids: set = set()
    for model in tenancy_models():
        ids.update(reach.scope(model._default_manager.all()).values_list("pk", flat=True))
    return ids


@dataclass(frozen=True)
class Sample:
    model: str
    pk: object
    where: str  # "same base" or "other base"


def foreign_samples(user: User, worlds: Worlds) -> list[Sample]:
    """One object per Tenancy model and per base that ``user`` may not read (its Tenancy says so),
    taken among the twins and the other base, whose id is no id of anything the user may read."""
    reach = reach_for(user)
    own = readable_ids(reach)
    samples = []
    for model in tenancy_models():
        rows = model._default_manager.filter(pk__gte=worlds.twin_floor).exclude(
            pk__in=reach.scope(model._default_manager.all()).values("pk")
        )
        base_lookup = _id_lookup(model.Tenancy.base)
        for where, part in (
            ("same base", rows.filter(**{base_lookup: worlds.home.pk})),
            ("other base", rows.exclude(**{base_lookup: worlds.home.pk})),
        ):
            candidates = part.order_by("pk").values_list("pk", flat=True)[:50]
            pk = next((pk for pk in candidates if pk not in own), None)
            if pk is not None:
                samples.append(Sample(model._meta.label, pk, where))
    return samples


def own_sample(user: User, model: type[models.Model]):
    """The first object of ``model`` that ``user`` may read, or None."""
    rows = reach_for(user).scope(model._default_manager.all()).order_by("pk")
    return rows.values_list("pk", flat=True).first()
