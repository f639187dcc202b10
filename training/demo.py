"""Demo data of the training app (filled when its issue lands)."""

from jingdezhen.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    """Nothing yet."""
