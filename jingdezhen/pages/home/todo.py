"""One list of a home: the first few things to act on, how many there are, and the page that
lists them all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Window

# A home shows at most this many items of a list; "see all" leads to the rest.
HOME_ITEMS = 5


@dataclass
class Todo:
    items: list = field(default_factory=list)
    total: int = 0
    see_all: str = ""

    @property
    def more(self) -> int:
        """How many the home does not show."""
        return self.total - len(self.items)


def todo(rows: QuerySet | Iterable, *, see_all: str, limit: int = HOME_ITEMS) -> Todo:
    """The first ``limit`` rows and their total: a queryset in one query (the total is a
    window count over the same rows), a list as it is."""
    if isinstance(rows, QuerySet):
        items = list(rows.annotate(todo_total=Window(Count("pk")))[:limit])
        return Todo(items=items, total=items[0].todo_total if items else 0, see_all=see_all)
    rows = list(rows)
    return Todo(items=rows[:limit], total=len(rows), see_all=see_all)
