"""The demo base: a seed that each app extends with its own ``demo.py``.

``python manage.py seed_demo`` builds a ``DemoContext`` and hands it to ``seed(ctx)`` of each app
in ``DEMO_MODULES``, in order. Every seed is idempotent: a second run adds nothing.
"""

from __future__ import annotations

from importlib import import_module

from jingdezhen.core.demo import DemoContext

DEMO_MODULES = [
    "merchants.demo",
    "livestreams.demo",
    "training.demo",
    "orders.demo",
    "livestreams.demo_showcase",
    "livestreams.demo_runsheets",
    "orders.demo_showcase",
    "orders.turnover.demo",
    "merchants.supervision.demo",
]


def run(ctx: DemoContext) -> DemoContext:
    for module_name in DEMO_MODULES:
        module = import_module(module_name)
        seed = getattr(module, "seed", None)
        if seed is not None:
            seed(ctx)
    return ctx
