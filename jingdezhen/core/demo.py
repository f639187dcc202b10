"""What every app's demo seed shares: the context handed from seed to seed and the password of
the demo accounts. The seeds themselves live in each app's ``demo.py``; ``jingdezhen/demo.py``
runs them in order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DEMO_PASSWORD = "jingdezhen-demo"  # noqa: S105 - the documented demo password, never in production


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
