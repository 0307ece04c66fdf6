"""Draw the integration's neutral padel-racket icon (not Playtomic's trademark).

Run with the project's venv: .venv/bin/python scripts/draw_brand_icon.py
Writes custom_components/playtomic/brand/icon.png (256 px) and icon@2x.png (512 px).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "playtomic" / "brand"
GREEN = (22, 163, 74, 255)
DARK = (20, 83, 45, 255)
BALL = (212, 236, 58, 255)


def draw(size: int) -> Image.Image:
    """Draw at 4x and scale down for smooth edges."""
    s = size * 4
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    u = s / 256
    # Racket head: a rounded paddle tilted by drawing on a rotated layer.
    head = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    h = ImageDraw.Draw(head)
    h.ellipse((58 * u, 18 * u, 178 * u, 158 * u), fill=GREEN, outline=DARK, width=int(8 * u))
    h.rounded_rectangle((106 * u, 150 * u, 130 * u, 232 * u), radius=10 * u, fill=DARK)
    for cx in (92, 118, 144):
        for cy in (58, 88, 118):
            h.ellipse(((cx - 6) * u, (cy - 6) * u, (cx + 6) * u, (cy + 6) * u), fill=DARK)
    head = head.rotate(-30, resample=Image.Resampling.BICUBIC, center=(s / 2, s / 2))
    img.alpha_composite(head)
    d.ellipse((170 * u, 170 * u, 226 * u, 226 * u), fill=BALL, outline=DARK, width=int(5 * u))
    bbox = img.getbbox()
    assert bbox is not None
    img = img.crop(bbox)
    side = max(img.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.alpha_composite(img, ((side - img.width) // 2, (side - img.height) // 2))
    return square.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write both sizes."""
    BRAND.mkdir(parents=True, exist_ok=True)
    draw(256).save(BRAND / "icon.png", optimize=True)
    draw(512).save(BRAND / "icon@2x.png", optimize=True)


if __name__ == "__main__":
    main()
