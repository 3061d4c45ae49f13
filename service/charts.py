"""Charts for letters: this pupil's sessions missed beside the class average (seed 004 App. 4).

Drawn directly with Pillow: two bars, their values, their labels and a title, in the letters' own font.
matplotlib took about 50 ms a chart (a Figure, its layout engine and its renderer for every chart); this
takes a few. The same numbers give the same bytes (no timestamps in the PNG).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

FONT = Path(__file__).resolve().parent.parent / "templates" / "fonts" / "PaperworkSans.ttf"
SIZE = (750, 390)  # 5.0 × 2.6 inches at 150 dpi, as the letter places it (120 mm wide)
PUPIL, CLASS, INK, AXIS = "#1d70b8", "#b1b4b6", "#0b0c0c", "#505a5f"


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def sessions_missed(
    pupil_label: str, pupil_missed: float, class_label: str, class_average: float, title: str
) -> bytes:
    """Return a small PNG bar chart of the pupil's sessions missed against the class average."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    left, right, top, bottom = 60, width - 40, 60, height - 60
    draw.text((width / 2, 18), title, font=_font(26), fill=INK, anchor="mt")
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=AXIS, width=2)
    highest = max(pupil_missed, class_average, 1) * 1.25
    slot = (right - left) / 2
    for n, (label, value, colour) in enumerate(
        ((pupil_label, pupil_missed, PUPIL), (class_label, class_average, CLASS))
    ):
        centre = left + slot * (n + 0.5)
        bar_top = bottom - (bottom - top) * value / highest
        draw.rectangle([centre - slot / 4, bar_top, centre + slot / 4, bottom - 1], fill=colour)
        draw.text((centre, bar_top - 6), f"{value:g}", font=_font(24), fill=INK, anchor="md")
        draw.text((centre, bottom + 10), _fit(draw, label, slot - 10), font=_font(24), fill=INK, anchor="mt")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(150, 150), compress_level=3)
    return out.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, width: float) -> str:
    """Return the label, shortened with an ellipsis if it is wider than its bar's slot."""
    if draw.textlength(text, font=_font(24)) <= width:
        return text
    while text and draw.textlength(text + "…", font=_font(24)) > width:
        text = text[:-1]
    return text + "…"
