"""Demo data of the orders app (filled when its issue lands)."""

from jingdezhen.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    """Nothing yet."""
