"""Pictures for the camera emulators: real JPEGs (Pillow) that look like what cameras send.

A wide, low picture (width ≥ 2.5 × height) is a plate crop: a white plate with a dark border
and the plate text (or character-like bars); anything else is a scene: road, lane markings, a
car with its plate. Deterministic and cached, so tests can compare bytes.
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, ImageFont


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # pragma: no cover - Pillow < 10.1 has one bitmap size
        return ImageFont.load_default()


def _plate(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str) -> None:
    x0, y0, x1, y1 = box
    height = max(1, y1 - y0)
    border = max(1, height // 12)
    draw.rectangle(box, fill=(246, 246, 238), outline=(20, 20, 20), width=border)
    if text:
        font = _font(max(8, int(height * 0.7)))
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        x = x0 + (x1 - x0 - (right - left)) // 2 - left
        y = y0 + (height - (bottom - top)) // 2 - top
        draw.text((x, y), text, fill=(15, 15, 15), font=font)
        return
    count = 7
    step = (x1 - x0 - 4 * border) / count
    for index in range(count):
        bx = x0 + 2 * border + int(index * step + step * 0.18)
        draw.rectangle(
            (bx, y0 + height // 5, bx + int(step * 0.64), y1 - height // 5), fill=(25, 25, 25)
        )


@functools.lru_cache(maxsize=64)
def picture(width: int, height: int, text: str = "") -> bytes:
    """Return a JPEG of ``width`` x ``height``: a plate crop or a scene (see module doc)."""
    if width >= 2.5 * height:
        img = Image.new("RGB", (width, height), (40, 40, 40))
        _plate(ImageDraw.Draw(img), (0, 0, width - 1, height - 1), text)
    else:
        img = Image.new("RGB", (width, height), (92, 96, 100))
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, 0, width, height // 3), fill=(150, 170, 190))  # sky and buildings
        for lane in range(1, 4):
            x = width * lane // 4
            draw.rectangle((x - width // 200, height // 3, x + width // 200, height), fill="white")
        cx, cy = width // 2, height * 2 // 3
        car_w, car_h = width // 3, height // 4
        draw.rectangle(
            (cx - car_w // 2, cy - car_h // 2, cx + car_w // 2, cy + car_h // 2),
            fill=(30, 60, 140),
        )
        plate_w, plate_h = car_w // 3, max(4, car_h // 6)
        _plate(
            draw,
            (cx - plate_w // 2, cy + car_h // 6, cx + plate_w // 2, cy + car_h // 6 + plate_h),
            text,
        )
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=60)
    return out.getvalue()
