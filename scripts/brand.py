"""Draw the integration's brand images with Pillow: ``custom_components/anpr/brand/``.

Writes ``icon.png`` (256x256), ``icon@2x.png`` (512x512), ``logo.png`` (512x128) and
``logo@2x.png`` (1024x256): a camera lens reading a yellow number plate, on transparency.
Run ``.venv/bin/python scripts/brand.py``; the PNGs are committed, re-run after a change.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "custom_components" / "anpr" / "brand"
BLUE = (3, 169, 244, 255)  # Home Assistant blue
DARK = (28, 35, 45, 255)
YELLOW = (255, 206, 0, 255)
WHITE = (255, 255, 255, 255)
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _text_centered(
    draw: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    text: str,
    fill: tuple[int, ...],
) -> None:
    """Fit ``text`` into ``box`` (x0, y0, x1, y1) as large as possible, centred."""
    x0, y0, x1, y1 = box
    size = int(y1 - y0)
    while size > 6:
        font = _font(size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= (x1 - x0) and bottom - top <= (y1 - y0):
            break
        size -= 1
    draw.text(
        ((x0 + x1 - (right - left)) / 2 - left, (y0 + y1 - (bottom - top)) / 2 - top),
        text,
        font=font,
        fill=fill,
    )


def icon(size: int) -> Image.Image:
    """Square icon: rounded dark tile, blue lens at the top, yellow plate reading "ANPR"."""
    scale = 4  # draw large, downsample for smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, s - 1, s - 1), radius=s * 0.2, fill=DARK)
    # camera lens with a scan beam
    cx, cy, r = s * 0.5, s * 0.34, s * 0.17
    draw.polygon(
        [
            (cx - r * 0.5, cy + r * 0.6),
            (cx + r * 0.5, cy + r * 0.6),
            (s * 0.86, s * 0.60),
            (s * 0.14, s * 0.60),
        ],
        fill=(3, 169, 244, 70),
    )
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=BLUE)
    draw.ellipse((cx - r * 0.55, cy - r * 0.55, cx + r * 0.55, cy + r * 0.55), fill=DARK)
    draw.ellipse((cx - r * 0.2, cy - r * 0.45, cx + r * 0.05, cy - r * 0.2), fill=WHITE)
    # number plate
    plate = (s * 0.1, s * 0.6, s * 0.9, s * 0.86)
    draw.rounded_rectangle(
        plate, radius=s * 0.04, fill=YELLOW, outline=(0, 0, 0, 255), width=max(1, int(s * 0.012))
    )
    _text_centered(
        draw,
        (plate[0] + s * 0.06, plate[1] + s * 0.04, plate[2] - s * 0.06, plate[3] - s * 0.04),
        "ANPR",
        (0, 0, 0, 255),
    )
    return img.resize((size, size), Image.Resampling.LANCZOS)


def logo(width: int, height: int) -> Image.Image:
    """Landscape logo: the icon then the word "ANPR" and a subtitle."""
    scale = 4
    w, h = width * scale, height * scale
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    img.alpha_composite(icon(height).resize((h, h), Image.Resampling.LANCZOS), (0, 0))
    draw = ImageDraw.Draw(img)
    _text_centered(draw, (h * 1.15, h * 0.08, w - h * 0.1, h * 0.62), "ANPR", DARK)
    _text_centered(
        draw, (h * 1.15, h * 0.68, w - h * 0.1, h * 0.92), "number plates for Home Assistant", BLUE
    )
    return img.resize((width, height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write the four PNGs."""
    OUT.mkdir(parents=True, exist_ok=True)
    icon(256).save(OUT / "icon.png", optimize=True)
    icon(512).save(OUT / "icon@2x.png", optimize=True)
    logo(512, 128).save(OUT / "logo.png", optimize=True)
    logo(1024, 256).save(OUT / "logo@2x.png", optimize=True)
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(OUT.parent.parent.parent)}  {Image.open(path).size}")


if __name__ == "__main__":
    main()
