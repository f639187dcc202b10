"""Product photos for the demo, drawn with Pillow: a silhouette by category, the glaze colour of
the ware type and a motif that changes with the product's index, so no two pieces look alike.

The drawings are JPEG bytes handed to the catalogue's photo service like any upload, so the
checks and the thumbnail are the ones a merchant's photo gets.
"""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

SIZE = 560
# Ware type -> (body colour, motif colour): blue-and-white paints cobalt on a white body,
# celadon and qingbai are the glaze itself, famille-rose enamels pink on white ...
GLAZES = {
    "blue_white": ((244, 246, 248), (28, 64, 150)),
    "famille_rose": ((250, 246, 240), (214, 96, 132)),
    "celadon": ((150, 190, 160), (110, 150, 122)),
    "linglong": ((240, 244, 246), (176, 206, 226)),
    "colour_glaze": ((160, 28, 36), (206, 150, 60)),
    "qingbai": ((214, 232, 236), (150, 190, 204)),
    "wood_fired": ((150, 104, 72), (92, 62, 44)),
}
DEFAULT_GLAZE = ((230, 230, 226), (90, 90, 90))

# Category -> half-widths (as a share of the canvas) from the top of the piece to its foot.
PROFILES = {
    "vase": [0.06, 0.05, 0.09, 0.2, 0.26, 0.25, 0.2, 0.14, 0.1, 0.11],
    "bowl": [0.36, 0.35, 0.32, 0.27, 0.19, 0.1, 0.1],
    "cup": [0.19, 0.19, 0.18, 0.16, 0.14, 0.1, 0.1],
    "teapot": [0.07, 0.16, 0.24, 0.27, 0.26, 0.21, 0.13],
    "incense_burner": [0.2, 0.28, 0.3, 0.29, 0.24, 0.16],
    "figurine": [0.07, 0.09, 0.07, 0.12, 0.16, 0.18, 0.2, 0.22],
}
HEIGHTS = {"vase": 0.72, "bowl": 0.34, "cup": 0.3, "teapot": 0.42, "incense_burner": 0.4}


def _body(draw: ImageDraw.ImageDraw, profile: list[float], top: float, height: float) -> None:
    """The piece as a polygon: its profile mirrored about the centre line, smoothed."""
    centre = SIZE / 2
    steps = 40
    right = []
    for n in range(steps + 1):
        t = n / steps * (len(profile) - 1)
        i = min(int(t), len(profile) - 2)
        f = t - i
        w = profile[i] * (1 - f) + profile[i + 1] * f
        right.append((centre + w * SIZE, (top + height * n / steps) * SIZE))
    left = [(2 * centre - x, y) for x, y in reversed(right)]
    draw.polygon(right + left, fill=255)


def _mask(category: str) -> Image.Image:
    mask = Image.new("L", (SIZE, SIZE), 0)
    draw = ImageDraw.Draw(mask)
    s = SIZE
    if category == "plate":
        draw.ellipse((0.12 * s, 0.3 * s, 0.88 * s, 0.74 * s), fill=255)
    elif category == "tea_set":
        _teapot(draw, 0.36, 0.2, 0.62)
        for x in (0.7, 0.84):
            draw.ellipse((x * s - 0.07 * s, 0.6 * s, x * s + 0.07 * s, 0.76 * s), fill=255)
    elif category == "teapot":
        _teapot(draw, 0.5, 0.26, 1.0)
    else:
        profile = PROFILES.get(category, PROFILES["vase"])
        height = HEIGHTS.get(category, 0.62)
        _body(draw, profile, 0.86 - height, height)
        if category == "incense_burner":
            for x in (0.36, 0.5, 0.64):
                draw.rectangle((x * s - 0.02 * s, 0.84 * s, x * s + 0.02 * s, 0.9 * s), fill=255)
    return mask


def _teapot(draw: ImageDraw.ImageDraw, cx: float, top: float, scale: float) -> None:
    s = SIZE * scale
    x, y = cx * SIZE, top * SIZE + 0.2 * s
    draw.ellipse((x - 0.27 * s, y, x + 0.27 * s, y + 0.4 * s), fill=255)  # body
    draw.ellipse((x - 0.07 * s, y - 0.06 * s, x + 0.07 * s, y + 0.04 * s), fill=255)  # lid
    draw.polygon(
        [(x + 0.22 * s, y + 0.2 * s), (x + 0.44 * s, y + 0.02 * s), (x + 0.4 * s, y + 0.26 * s)],
        fill=255,
    )  # spout
    draw.arc((x - 0.44 * s, y + 0.06 * s, x - 0.16 * s, y + 0.32 * s), 90, 270, fill=255, width=9)


def _motif(layer: ImageDraw.ImageDraw, index: int, colour: tuple, rng: random.Random) -> None:
    """One of six patterns; its density, angle and placement follow the index."""
    s = SIZE
    kind = index % 6
    count = 3 + index % 5
    if kind == 0:  # bands round the body
        for n in range(count):
            y = 0.2 * s + n * (0.6 * s / count)
            layer.rectangle((0, y, s, y + 6 + index % 4), fill=colour)
    elif kind == 1:  # scattered blossoms
        for _n in range(6 + count * 2):
            x, y, r = rng.uniform(0, s), rng.uniform(0.1 * s, 0.9 * s), rng.uniform(8, 20)
            for p in range(5):
                a = p * 2 * math.pi / 5
                px, py = x + r * math.cos(a), y + r * math.sin(a)
                layer.ellipse((px - r / 2, py - r / 2, px + r / 2, py + r / 2), fill=colour)
    elif kind == 2:  # waves
        for n in range(count):
            base = 0.25 * s + n * 0.12 * s
            points = [(x, base + 14 * math.sin(x / (18 + index % 7))) for x in range(0, s, 6)]
            layer.line(points, fill=colour, width=5)
    elif kind == 3:  # lotus scroll
        for _n in range(count + 2):
            cx, cy = rng.uniform(0.2 * s, 0.8 * s), rng.uniform(0.25 * s, 0.8 * s)
            layer.arc((cx - 40, cy - 30, cx + 40, cy + 30), 180, 360, fill=colour, width=5)
            layer.ellipse((cx - 9, cy - 9, cx + 9, cy + 9), fill=colour)
    elif kind == 4:  # linglong rice-grain piercings
        for row in range(8):
            for col in range(10):
                x = col * s / 10 + (row % 2) * s / 20
                y = 0.2 * s + row * 0.08 * s
                layer.ellipse((x - 7, y - 4, x + 7, y + 4), fill=colour)
    else:  # a landscape of hills
        for n in range(count):
            x = rng.uniform(0.1 * s, 0.9 * s)
            h = rng.uniform(0.08 * s, 0.2 * s)
            y = 0.66 * s - n * 0.04 * s
            layer.polygon([(x - h, y), (x, y - h), (x + h, y)], outline=colour, width=4)


def draw_product(
    *, ware_type: str, category: str, index: int, seed: str = "", mark: str = ""
) -> bytes:
    """A JPEG of one piece: its silhouette, glaze and motif, lit from the upper left, and the
    studio's red seal with ``mark`` (the SKU) in the corner, as catalogue shots often carry."""
    rng = random.Random(f"{seed}-{ware_type}-{category}-{index}")
    body_colour, motif_colour = GLAZES.get(ware_type, DEFAULT_GLAZE)
    shift = (index * 7) % 21 - 10  # a small shade change per piece: no two glazes are the same
    body_colour = tuple(max(0, min(255, c + shift)) for c in body_colour)
    backdrop = (236 - index % 5 * 4, 228 - index % 3 * 5, 214)
    image = Image.new("RGB", (SIZE, SIZE), backdrop)
    mask = _mask(category)

    # A soft shadow under the piece (blurred at a quarter of the size: the same look, far
    # cheaper, which keeps the seed quick).
    small = mask.reduce(4).filter(ImageFilter.GaussianBlur(4))
    shadow = small.resize((SIZE, SIZE), Image.BILINEAR).point(lambda v: v // 3)
    image.paste((120, 110, 100), (10, 14), shadow)

    piece = Image.new("RGB", (SIZE, SIZE), body_colour)
    pattern = ImageDraw.Draw(piece)
    _motif(pattern, index, motif_colour, rng)
    # Light from the upper left: a highlight band on the body.
    quarter = SIZE // 4
    light = Image.new("L", (quarter, quarter), 0)
    ImageDraw.Draw(light).ellipse(
        (0.28 * quarter, 0.2 * quarter, 0.42 * quarter, 0.7 * quarter), fill=90
    )
    light = light.filter(ImageFilter.GaussianBlur(6)).resize((SIZE, SIZE), Image.BILINEAR)
    piece.paste((255, 255, 255), (0, 0), light)
    image.paste(piece, (0, 0), mask)

    draw = ImageDraw.Draw(image)
    draw.rectangle((SIZE - 58, SIZE - 74, SIZE - 22, SIZE - 38), fill=(178, 34, 34))
    draw.rectangle((SIZE - 52, SIZE - 68, SIZE - 28, SIZE - 44), outline=(250, 236, 220), width=2)
    if mark:
        draw.text((16, SIZE - 28), mark, fill=(110, 100, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def draw_breakage(*, index: int) -> bytes:
    """The buyer's photo of a broken piece: a plate in shards on packing paper."""
    rng = random.Random(f"breakage-{index}")
    image = Image.new("RGB", (SIZE, SIZE), (196, 170, 128))
    draw = ImageDraw.Draw(image)
    centre = SIZE / 2
    for n in range(5):
        a0, a1 = n * 72 + rng.uniform(-8, 8), (n + 1) * 72 + rng.uniform(-8, 8)
        dx, dy = rng.uniform(-30, 30), rng.uniform(-30, 30)
        points = [(centre + dx, centre + dy)]
        for step in range(8):
            a = math.radians(a0 + (a1 - a0) * step / 7)
            points.append((centre + dx + 190 * math.cos(a), centre + dy + 150 * math.sin(a)))
        draw.polygon(points, fill=(242, 244, 246), outline=(120, 120, 120))
        draw.line(points[1:], fill=(28, 64, 150), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
