"""Build the form font: Liberation Sans cut to the letters forms need, renamed as the OFL asks.

The subset is committed (templates/fonts/PaperworkSans.ttf) so that every machine embeds the same bytes:
filled PDFs stay byte-identical wherever they are made. Rebuild with
`.venv/bin/python scripts/build_font.py` after changing the ranges below.
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
TARGET = Path(__file__).resolve().parent.parent / "templates" / "fonts" / "PaperworkSans.ttf"
# Basic Latin, Latin-1 (Zoë, Siân, Ó), Latin Extended-A (Welsh ŵ ŷ, Polish ł ś, Irish, Czech…),
# and the punctuation letters and forms print: dashes, curly quotes, bullet, ellipsis, €.
RANGES = [
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x100, 0x17F),
    (0x218, 0x21B),
    (0x2013, 0x2014),
    (0x2018, 0x201E),
    (0x2022, 0x2022),
    (0x2026, 0x2026),
    (0x20AC, 0x20AC),
]
NAME = "PaperworkSans"


def build() -> None:
    """Subset, rename and save the font without timestamps."""
    font = TTFont(SOURCE, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 16, 21):
            record.string = NAME
        elif record.nameID == 6:
            record.string = NAME + "-Regular"
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(TARGET, reorderTables=True)
    print(f"{TARGET}: {TARGET.stat().st_size} bytes, {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    build()
