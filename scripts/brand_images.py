"""Draw the integration's brand images (HA 2026.10 serves them from ``brand/``).

    .venv/bin/python -m scripts.brand_images

A shield in Cartagena's colours (green field, yellow border) with a house and a red alarm:
``icon.png`` (256 px), ``icon@2x.png`` (512 px), ``logo.png`` / ``logo@2x.png`` (the
shield and the name, 128 / 256 px high) and their ``dark_`` versions for dark themes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "custom_components" / "mi_frente_seguro" / "brand"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
GREEN, YELLOW, RED = (0, 122, 61), (252, 209, 22), (206, 17, 38)
WHITE, DARK = (255, 255, 255), (33, 33, 33)
SHIELD = [(128, 10), (228, 44), (222, 140), (128, 246), (34, 140), (28, 44)]
FIELD = [(128, 28), (210, 56), (205, 136), (128, 224), (51, 136), (46, 56)]


def shield(size: int) -> Image.Image:
    """Return the shield, ``size`` pixels square, on a transparent background."""
    scale = size / 256

    def at(points: list[tuple[int, int]]) -> list[tuple[float, float]]:
        return [(x * scale, y * scale) for x, y in points]

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(at(SHIELD), fill=YELLOW)
    draw.polygon(at(FIELD), fill=GREEN)
    draw.polygon(at([(128, 70), (182, 116), (74, 116)]), fill=WHITE)  # the roof
    draw.rectangle([86 * scale, 114 * scale, 170 * scale, 176 * scale], fill=WHITE)
    draw.rectangle([116 * scale, 140 * scale, 140 * scale, 176 * scale], fill=GREEN)
    draw.ellipse([162 * scale, 58 * scale, 198 * scale, 94 * scale], fill=RED)
    for radius, width in ((26, 5), (36, 4)):  # the alarm's rings
        box = [
            (180 - radius) * scale,
            (76 - radius) * scale,
            (180 + radius) * scale,
            (76 + radius) * scale,
        ]
        draw.arc(box, 300, 30, fill=RED, width=max(1, round(width * scale)))
    return image


def logo(height: int, *, dark: bool = False) -> Image.Image:
    """Return the shield and the name beside it, ``height`` pixels high."""
    font = ImageFont.truetype(str(FONT), round(height * 0.30))
    lines = ("Mi Frente", "Seguro")
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    width = max(probe.textlength(line, font=font) for line in lines)
    image = Image.new("RGBA", (round(height * 1.2 + width), height), (0, 0, 0, 0))
    icon = shield(height)
    image.paste(icon, (0, 0), icon)
    draw = ImageDraw.Draw(image)
    draw.text(
        (height * 1.05, height * 0.12),
        lines[0],
        font=font,
        fill=YELLOW if dark else GREEN,
    )
    draw.text(
        (height * 1.05, height * 0.52),
        lines[1],
        font=font,
        fill=WHITE if dark else DARK,
    )
    return image


def main() -> None:
    """Write every brand image and print their sizes."""
    OUT.mkdir(parents=True, exist_ok=True)
    images = {
        "icon.png": shield(256),
        "icon@2x.png": shield(512),
        "logo.png": logo(128),
        "logo@2x.png": logo(256),
        "dark_logo.png": logo(128, dark=True),
        "dark_logo@2x.png": logo(256, dark=True),
    }
    for name, image in images.items():
        image.save(OUT / name, optimize=True)
        print(name, image.size)


if __name__ == "__main__":
    main()
