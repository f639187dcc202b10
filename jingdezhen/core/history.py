"""Who changed what, and when: the one way a model declares its history, and the one read of it.

Changes are recorded by PostgreSQL triggers (django-pghistory), so every door that writes the
row -- a page, the API, an import's set-based ``UPDATE``, a task, the admin -- is recorded
alike, and nothing written by the application can forget to. A tracked model declares only the
fields worth a history with :func:`track_changes`; an update that changes one of them writes two
event rows in the same statement: the row as it was (``before``) and as it became (``changed``),
so the old value of each field is the one the change replaced, even where changes of no
interest (stock moved by orders) are not recorded in between. A new row writes ``created``.

Who made a change comes from pghistory's context: ``pghistory.middleware.HistoryMiddleware``
opens it for every writing request, and DRF's token user, known only inside the view, is put
into it when DRF sets ``request.user`` (the middleware's request class does so). Changes made
outside a request (beat jobs, the demo seed, the shell) have no user: pages show "system".

Pages read a history through :func:`history_page`, one page of a constant number of queries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pghistory
from django.apps import apps
from django.db import connection, models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from pghistory.models import MiddlewareEvents

from jingdezhen.core.tenancy import Reach

BEFORE = "before"
CHANGED = "changed"
CREATED = "created"
DELETED = "deleted"
SHOWN_LABELS = (CHANGED, CREATED, DELETED)
PER_PAGE = 10
# What a change is worth recording for is decided by each model's condition; stock is moved by
# every order, so a product records a stock change only inside ``stock_edit()`` (a person's
# restock), never the holds and returns of orders, which the order's own events keep.
STOCK_EDIT_SETTING = "jdz.history_stock_edit"
STOCK_EDIT = f"COALESCE(current_setting('{STOCK_EDIT_SETTING}', true), '') = 'on'"


def track_changes(
    *fields: str,
    context: Iterable[str] = (),
    guarded: dict[str, str] | None = None,
    created: bool = True,
    deleted: bool = False,
):
    """Decorate a model so changes of ``fields`` are recorded with who made them.

    ``context`` names fields stored with each event but not shown as changes (the merchant of
    a team member, the product of a platform price), so a page can read the events of
    everything that belongs to its object. ``guarded`` maps a field to the SQL condition under
    which a change of it alone is worth recording (see :data:`STOCK_EDIT`)."""
    guarded = guarded or {}

    def declare(model: type[models.Model]) -> type[models.Model]:
        columns = {name: model._meta.get_field(name).column for name in fields}
        changed = " OR ".join(
            f'(OLD."{column}" IS DISTINCT FROM NEW."{column}"'
            + (f" AND {guarded[name]})" if name in guarded else ")")
            for name, column in columns.items()
        )
        condition = pghistory.Condition(f"({changed})")
        trackers = [
            # Triggers of one table fire in the order of their names: the old row comes first.
            pghistory.UpdateEvent(
                BEFORE, row=pghistory.Old, condition=condition, trigger_name="history_1_before"
            ),
            pghistory.UpdateEvent(
                CHANGED, row=pghistory.New, condition=condition, trigger_name="history_2_changed"
            ),
        ]
        if created:
            trackers.append(pghistory.InsertEvent(CREATED, trigger_name="history_0_created"))
        if deleted:
            trackers.append(pghistory.DeleteEvent(DELETED, trigger_name="history_3_deleted"))
        return pghistory.track(
            *trackers,
            fields=[*context, *fields],
            model_name=f"{model.__name__}Event",
            attrs={"history_fields": tuple(fields)},
        )(model)

    return declare


@contextlib.contextmanager
def stock_edit() -> Iterator[None]:
    """Record the stock changes made inside (a person's restock); call it in a transaction.

    The setting is local to the transaction: an error that rolls it (or its savepoint) back
    undoes the setting too, so only a normal exit needs to switch it off again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [STOCK_EDIT_SETTING])
        yield
        cursor.execute("SELECT set_config(%s, '', true)", [STOCK_EDIT_SETTING])


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """One recorded change, ready for a page: when, who, of what, and its fields."""

    when: dt.datetime
    who: object | None
    what: str
    kind: str  # CREATED, CHANGED or DELETED
    fields: list[FieldChange] = field(default_factory=list)


def may_read(reach: Reach, *tracked: type[models.Model]) -> bool:
    """Whether a reach may read the history of these models at all (their Tenancy's roles);
    the object itself is the one its page already read through its own selector."""
    return reach.is_admin or all(reach.role in model.Tenancy.roles for model in tracked)


@dataclass(frozen=True)
class HistoryPage:
    """One page of changes, newest first; pages are numbered from 1 (the newest)."""

    number: int
    changes: list[Change]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 10_000


def page_number(value: object) -> int:
    """The page a query string asks for: 1 for anything that is not a page number (bounded,
    so no typed value makes an offset the database refuses)."""
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def history_page(
    target: models.Model,
    *tracked: type[models.Model],
    page: object = 1,
    per_page: int = PER_PAGE,
) -> HistoryPage:
    """One page of the changes of ``target`` and of the rows of ``tracked`` that point at it
    (by their own row or by a context field), newest first; ``page`` is the page's number as
    the query string gives it.

    One query for the page's events with their users (one row more than the page tells whether
    an older page exists, so no count is needed), and one per kind of related row a change
    names (a stream's room, its host)."""
    number = page_number(page)
    events = (
        MiddlewareEvents.objects.references(target)
        .across(*(model.pgh_event_model for model in tracked))
        .filter(pgh_label__in=SHOWN_LABELS)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")
    )
    offset = (number - 1) * per_page
    rows = list(events[offset : offset + per_page + 1])
    return HistoryPage(
        number=number, changes=_changes(rows[:per_page]), has_next=len(rows) > per_page
    )


def _changes(events: list) -> list[Change]:
    shown = []
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        names = model.pgh_event_model.history_fields
        columns = {f.column: f for f in model._meta.concrete_fields if f.name in names}
        if event.pgh_label in (CREATED, DELETED):
            pairs = [(f, None, (event.pgh_data or {}).get(c)) for c, f in columns.items()]
        else:
            diff = event.pgh_diff or {}
            pairs = [(f, *diff[c]) for c, f in columns.items() if c in diff]
        shown.append((event, model, pairs))
    names = _related_names(pairs for _, _, pairs in shown)
    return [
        Change(
            when=event.pgh_created_at,
            who=event.user,
            what=model._meta.verbose_name,
            kind=event.pgh_label,
            fields=[
                FieldChange(
                    label=str(f.verbose_name),
                    old=_shown(f, old, names) if event.pgh_label == CHANGED else "",
                    new=_shown(f, new, names),
                )
                for f, old, new in pairs
            ],
        )
        for event, model, pairs in shown
    ]


def _related_names(all_pairs: Iterable[list]) -> dict:
    """The names of the rows the changes point at, one query per related model."""
    wanted: dict[type[models.Model], set] = {}
    for pairs in all_pairs:
        for f, old, new in pairs:
            if f.is_relation:
                wanted.setdefault(f.related_model, set()).update(v for v in (old, new) if v)
    return {
        model: {row.pk: str(row) for row in model._base_manager.filter(pk__in=ids)}
        for model, ids in wanted.items()
    }


def _shown(f: models.Field, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.get(f.related_model, {}).get(value, f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(f, models.DecimalField):
        amount = decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-f.decimal_places))
        return formats.number_format(amount, f.decimal_places)
    if isinstance(f, models.DateTimeField):
        return formats.date_format(timezone.localtime(f.to_python(value)), "SHORT_DATETIME_FORMAT")
    return str(value)
