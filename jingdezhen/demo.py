"""The demo base: a seed that each app extends with its own ``demo.py``.

``python manage.py seed_demo`` builds a ``DemoContext`` and hands it to ``seed(ctx)`` of each app
in ``DEMO_MODULES``, in order. Every seed is idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from importlib import import_module

DEMO_PASSWORD = "jingdezhen-demo"  # noqa: S105 - the documented demo password, never in production
DEMO_MODULES = [
    "merchants.demo",
    "livestreams.demo",
    "training.demo",
    "orders.demo",
    "livestreams.demo_showcase",
    "livestreams.demo_runsheets",
    "orders.demo_showcase",
    "orders.turnover_demo",
]


@dataclass
class DemoContext:
    merchants: int = 24
    seed: int = 2021
    days: int = 90
    write: callable = print
    rng: random.Random = field(init=False)
    base: object = None
    # filled by merchants.demo, read by the apps after it
    demo_merchants: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


def run(ctx: DemoContext) -> DemoContext:
    for module_name in DEMO_MODULES:
        module = import_module(module_name)
        seed = getattr(module, "seed", None)
        if seed is not None:
            seed(ctx)
    return ctx
