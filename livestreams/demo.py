"""Demo data of the livestreams app: the base's live rooms."""

from jingdezhen.demo import DemoContext

from .models import LiveRoom

ROOMS = [
    ("1号直播间 Room 1", 4, "Three-camera set, ring lights, turntable for vases"),
    ("2号直播间 Room 2", 4, "Tea table set, macro lens for glaze close-ups"),
    ("3号直播间 Room 3", 6, "Large room with display shelves for sets"),
    ("4号直播间 Room 4", 3, "Compact room, vertical phone rig"),
    ("5号直播间 Room 5", 3, "Compact room, vertical phone rig"),
    ("6号直播间 Room 6", 8, "Studio with kiln backdrop for craft stories"),
    ("7号直播间 Room 7", 4, "Bilingual set for cross-border streams (TikTok Shop)"),
    ("8号直播间 Room 8", 4, "Standard room"),
]


def seed(ctx: DemoContext) -> None:
    for name, capacity, equipment in ROOMS:
        LiveRoom.objects.get_or_create(
            base=ctx.base, name=name, defaults={"capacity": capacity, "equipment": equipment}
        )
    ctx.write(f"rooms: {LiveRoom.objects.filter(base=ctx.base).count()}")
