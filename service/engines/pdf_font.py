"""The embedded form font: glyphs, widths and the PDF objects (Type0, Identity-H) that carry it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import DecodedStreamObject
from pypdf.generic import DictionaryObject
from pypdf.generic import FloatObject
from pypdf.generic import IndirectObject
from pypdf.generic import NameObject
from pypdf.generic import NumberObject
from pypdf.generic import TextStringObject

FONT_PATH = Path(__file__).resolve().parents[2] / "templates" / "fonts" / "PaperworkSans.ttf"
RESOURCE_NAME = "/PwSans"


@dataclass(frozen=True)
class Font:
    """A TrueType font read once: which characters it draws, their glyph ids and widths."""

    path: Path = FONT_PATH

    @cached_property
    def _tt(self) -> TTFont:
        return TTFont(self.path)

    @cached_property
    def data(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def gids(self) -> dict[str, int]:
        """Map each drawable character to its glyph id."""
        order = self._tt.getGlyphOrder()
        index = {name: i for i, name in enumerate(order)}
        return {chr(code): index[name] for code, name in self._tt.getBestCmap().items()}

    @cached_property
    def widths(self) -> list[float]:
        """Return each glyph's advance in 1/1000 em."""
        scale = 1000 / self._tt["head"].unitsPerEm
        metrics = self._tt["hmtx"].metrics
        return [round(metrics[name][0] * scale, 1) for name in self._tt.getGlyphOrder()]

    @cached_property
    def char_widths(self) -> dict[str, float]:
        return {char: self.widths[gid] for char, gid in self.gids.items()}

    @cached_property
    def ascent(self) -> float:
        return self._tt["hhea"].ascent * 1000 / self._tt["head"].unitsPerEm

    @cached_property
    def descent(self) -> float:
        return self._tt["hhea"].descent * 1000 / self._tt["head"].unitsPerEm

    # A form fill measures and encodes each value's characters many times (every size tried): these run
    # per character in C (map, str.translate), not in a Python generator (issue #16: a third of a fill).
    @cached_property
    def _glyphs(self) -> frozenset[str]:
        return frozenset(self.gids)

    @cached_property
    def _drawable(self) -> frozenset[str]:
        return self._glyphs | {"\r", "\n"}

    @cached_property
    def _hex_of(self) -> dict[int, str]:
        return {ord(char): f"{gid:04X}" for char, gid in self.gids.items()}

    def missing(self, text: str) -> list[str]:
        """Return the characters of `text` this font cannot draw (line breaks aside)."""
        return sorted(set(text) - self._drawable)

    def width(self, text: str, size: float) -> float:
        """Return the width of a line in points."""
        return sum(map(self.char_widths.__getitem__, text)) * size / 1000

    def encode(self, text: str) -> bytes:
        """Return a line as a PDF hex string of 2-byte glyph ids (Identity-H)."""
        if not self._glyphs.issuperset(text):  # as a lookup of the glyph id would
            raise KeyError(", ".join(sorted(set(text) - self._glyphs)))
        return b"<" + text.translate(self._hex_of).encode() + b">"

    def add_to(self, writer: PdfWriter) -> IndirectObject:
        """Add the font (fully embedded, with ToUnicode for text extraction) and return its reference."""
        tt = self._tt
        head, os2 = tt["head"], tt["OS/2"]
        scale = 1000 / head.unitsPerEm
        file2 = DecodedStreamObject()
        file2.set_data(self.data)
        file2[NameObject("/Length1")] = NumberObject(len(self.data))
        descriptor = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/FontDescriptor"),
                NameObject("/FontName"): NameObject("/PaperworkSans"),
                NameObject("/Flags"): NumberObject(32),
                NameObject("/FontBBox"): ArrayObject(
                    FloatObject(round(v * scale)) for v in (head.xMin, head.yMin, head.xMax, head.yMax)
                ),
                NameObject("/ItalicAngle"): NumberObject(0),
                NameObject("/Ascent"): FloatObject(round(self.ascent)),
                NameObject("/Descent"): FloatObject(round(self.descent)),
                NameObject("/CapHeight"): FloatObject(round(os2.sCapHeight * scale)),
                NameObject("/StemV"): NumberObject(80),
                NameObject("/FontFile2"): writer._add_object(file2),
            }
        )
        cid = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/CIDFontType2"),
                NameObject("/BaseFont"): NameObject("/PaperworkSans"),
                NameObject("/CIDSystemInfo"): DictionaryObject(
                    {
                        NameObject("/Registry"): TextStringObject("Adobe"),
                        NameObject("/Ordering"): TextStringObject("Identity"),
                        NameObject("/Supplement"): NumberObject(0),
                    }
                ),
                NameObject("/FontDescriptor"): writer._add_object(descriptor),
                NameObject("/W"): ArrayObject(
                    [NumberObject(0), ArrayObject(FloatObject(w) for w in self.widths)]
                ),
                NameObject("/CIDToGIDMap"): NameObject("/Identity"),
            }
        )
        to_unicode = DecodedStreamObject()
        to_unicode.set_data(self._to_unicode())
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): NameObject("/PaperworkSans"),
                NameObject("/Encoding"): NameObject("/Identity-H"),
                NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid)]),
                NameObject("/ToUnicode"): writer._add_object(to_unicode),
            }
        )
        return writer._add_object(font)

    def _to_unicode(self) -> bytes:
        pairs = sorted((gid, char) for char, gid in self.gids.items())
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        for start in range(0, len(pairs), 100):
            chunk = pairs[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{gid:04X}> <{ord(char):04X}>" for gid, char in chunk]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode()
